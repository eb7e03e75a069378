-- Per-tenant monthly budgets of tokens and provider cost, on top of each run's own caps. Before
-- each agent call the month's usage (UTC calendar month: the tokens of the tenant's steps
-- started in it, reservations of calls in flight included, and their cost) is checked with the
-- tenant's budget row locked, so concurrent runs of a tenant never overshoot its token budget. A
-- run that does not fit pauses (`awaiting_budget`, cap monthly_tokens or monthly_cost) until the
-- budget is raised, the month turns, it is cancelled or its pause expires.
CREATE TABLE tenant_budgets (
    tenant_id uuid PRIMARY KEY,
    monthly_tokens bigint CHECK (monthly_tokens >= 1),
    monthly_cost_usd double precision CHECK (monthly_cost_usd > 0),
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
ALTER TABLE tenant_budgets ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_budgets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_budgets_tenant ON tenant_budgets
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The month's usage is read from the steps by their start.
CREATE INDEX run_steps_tenant_started ON run_steps (tenant_id, started_at);

ALTER TABLE runs DROP CONSTRAINT runs_budget_cap_check;
ALTER TABLE runs ADD CONSTRAINT runs_budget_cap_check CHECK (budget_cap IN ('iterations', 'tokens', 'time', 'monthly_tokens', 'monthly_cost'));
ALTER TABLE runs DROP CONSTRAINT runs_failure_reason_check;
ALTER TABLE runs ADD CONSTRAINT runs_failure_reason_check CHECK (failure_reason IN (
    'agent_error', 'iteration_cap', 'token_budget', 'time_budget', 'fingerprint_changed', 'artifact_error', 'monthly_budget'));

-- Which cap a pause waits for (no tenant data): the sweeper queues the runs paused at a monthly
-- budget again once the month has turned.
ALTER TABLE run_budget_pauses ADD COLUMN cap text NOT NULL DEFAULT 'tokens'
    CHECK (cap IN ('iterations', 'tokens', 'time', 'monthly_tokens', 'monthly_cost'));
