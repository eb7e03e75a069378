-- Budgets that pause: a run that reaches a cap (iterations, tokens, time) waits in
-- `awaiting_budget` with its workspace kept, until an owner or admin raises the cap (it is queued
-- again and continues from its last finished step) or ends it, or until the pause expires (it
-- fails with the cap's reason). Time spent paused does not count against the time cap.
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check CHECK (status IN (
    'queued', 'generating', 'applying', 'evaluating', 'fixing', 'reviewing', 'awaiting_budget', 'awaiting_approval',
    'finalizing', 'succeeded', 'rejected', 'cancelled', 'failed'));

ALTER TABLE runs
    -- Which cap the paused run waits for, why, and since when.
    ADD COLUMN budget_cap text CHECK (budget_cap IN ('iterations', 'tokens', 'time')),
    ADD COLUMN budget_detail text,
    ADD COLUMN paused_at timestamptz,
    -- Seconds spent in earlier pauses: the time cap counts build time only.
    ADD COLUMN paused_seconds double precision NOT NULL DEFAULT 0 CHECK (paused_seconds >= 0),
    -- How many times a cap was raised.
    ADD COLUMN extensions integer NOT NULL DEFAULT 0 CHECK (extensions >= 0),
    -- The fencing number of the claim that paused the run: its queue entry, made again when the
    -- run is extended, continues from it, so no earlier claim's number is ever valid again.
    ADD COLUMN paused_fencing bigint NOT NULL DEFAULT 0 CHECK (paused_fencing >= 0),
    ADD CONSTRAINT runs_budget_pause_check CHECK (
        (status = 'awaiting_budget') = (budget_cap IS NOT NULL AND paused_at IS NOT NULL));

-- A step the time cap cut short is `interrupted`; the run continues it, once extended, as a new
-- attempt under a key of its own (the interrupted execution's key is spent).
ALTER TABLE run_steps DROP CONSTRAINT run_steps_status_check;
ALTER TABLE run_steps ADD CONSTRAINT run_steps_status_check CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'interrupted'));
ALTER TABLE run_steps ADD COLUMN attempt integer NOT NULL DEFAULT 1 CHECK (attempt >= 1);
ALTER TABLE run_steps DROP CONSTRAINT run_steps_tenant_id_run_id_iteration_role_key;
ALTER TABLE run_steps ADD CONSTRAINT run_steps_tenant_id_run_id_iteration_role_attempt_key UNIQUE (tenant_id, run_id, iteration, role, attempt);
-- At most one attempt of a step succeeds.
CREATE UNIQUE INDEX run_steps_one_success ON run_steps (tenant_id, run_id, iteration, role) WHERE status = 'succeeded';

-- The paused runs and when their pause ends: no tenant data (ids, tenant id, times), so the
-- expiry sweeper finds them across tenants as background work, like the approval reconciler.
CREATE TABLE run_budget_pauses (
    run_id uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    tenant_id uuid NOT NULL,
    since timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX run_budget_pauses_expiry ON run_budget_pauses (expires_at);
ALTER TABLE run_budget_pauses ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_budget_pauses FORCE ROW LEVEL SECURITY;
CREATE POLICY run_budget_pauses_tenant_or_worker ON run_budget_pauses
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
           OR current_setting('app.worker', true) = 'on')
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
                OR current_setting('app.worker', true) = 'on');
