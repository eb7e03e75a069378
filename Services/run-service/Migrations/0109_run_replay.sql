-- Record and replay. Every step's output — the provider's response as the agent returned it —
-- is recorded content-addressed in the artifact store (sha256 on the step, the step row keeping
-- it tenant-scoped). A replay is a new run of an ended run's plan copy, caps and ground that
-- re-executes the run: deterministic agents and DevOps/QA run again, model-backed steps are
-- answered from the recording (no provider call), and each step's output must equal the
-- recorded one; the first that differs fails the replay `replay_diverged`, naming it.
ALTER TABLE runs ADD COLUMN replay_of uuid REFERENCES runs (id);
ALTER TABLE run_steps ADD COLUMN recording_sha256 text CHECK (recording_sha256 ~ '^[0-9a-f]{64}$');
ALTER TABLE runs DROP CONSTRAINT runs_failure_reason_check;
ALTER TABLE runs ADD CONSTRAINT runs_failure_reason_check CHECK (failure_reason IN (
    'agent_error', 'iteration_cap', 'token_budget', 'time_budget', 'fingerprint_changed', 'artifact_error', 'monthly_budget',
    'replay_diverged'));
