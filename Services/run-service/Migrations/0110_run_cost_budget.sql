-- A run's own cost budget (USD, as the agent-service prices its model calls), beside its
-- iterations, tokens and time: null is none. Agent calls are admitted until the run's cost has
-- reached it; then the run pauses (`awaiting_budget`, cap `cost`) until an owner or admin raises
-- it, or it is cancelled, or its pause expires (failure `cost_budget`).
ALTER TABLE runs ADD COLUMN cost_budget_usd double precision CHECK (cost_budget_usd > 0);
ALTER TABLE runs DROP CONSTRAINT runs_budget_cap_check;
ALTER TABLE runs ADD CONSTRAINT runs_budget_cap_check CHECK (budget_cap IN ('iterations', 'tokens', 'time', 'cost', 'monthly_tokens', 'monthly_cost'));
ALTER TABLE run_budget_pauses DROP CONSTRAINT run_budget_pauses_cap_check;
ALTER TABLE run_budget_pauses ADD CONSTRAINT run_budget_pauses_cap_check CHECK (cap IN ('iterations', 'tokens', 'time', 'cost', 'monthly_tokens', 'monthly_cost'));
ALTER TABLE runs DROP CONSTRAINT runs_failure_reason_check;
ALTER TABLE runs ADD CONSTRAINT runs_failure_reason_check CHECK (failure_reason IN (
    'agent_error', 'iteration_cap', 'token_budget', 'time_budget', 'fingerprint_changed', 'artifact_error', 'monthly_budget',
    'replay_diverged', 'cost_budget'));
