-- Build runs, their steps and their stored events, tenant-scoped with forced row-level security;
-- and the run queue, which holds no tenant data (ids, tenant id, lease, fencing number) so that
-- workers can claim runs across tenants without BYPASSRLS (docs/run-service.md).
CREATE TABLE runs (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    spec_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    -- The copy of the plan this run builds: later plan versions never change a run in flight.
    plan jsonb NOT NULL,
    status text NOT NULL DEFAULT 'queued' CHECK (status IN (
        'queued', 'generating', 'applying', 'evaluating', 'fixing', 'reviewing', 'awaiting_approval',
        'finalizing', 'succeeded', 'rejected', 'cancelled', 'failed')),
    iteration integer NOT NULL DEFAULT 0 CHECK (iteration >= 0),
    max_iterations integer NOT NULL CHECK (max_iterations >= 1),
    token_budget bigint NOT NULL CHECK (token_budget >= 1),
    timeout_seconds integer NOT NULL CHECK (timeout_seconds >= 1),
    -- The token ledger: reservations of calls in flight and what settled calls spent. The
    -- database holds the ledger's invariant too: never more than the budget.
    tokens_spent bigint NOT NULL DEFAULT 0 CHECK (tokens_spent >= 0),
    tokens_reserved bigint NOT NULL DEFAULT 0 CHECK (tokens_reserved >= 0),
    provider text,
    base_repository text,
    fingerprint jsonb,
    failure_reason text CHECK (failure_reason IN ('agent_error', 'iteration_cap', 'token_budget', 'time_budget', 'fingerprint_changed')),
    failure_detail text,
    -- Caps count from the first claim, not from the queue.
    started_at timestamptz,
    finished_at timestamptz,
    event_sequence bigint NOT NULL DEFAULT 0,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (tokens_spent + tokens_reserved <= token_budget),
    CHECK ((status = 'failed') = (failure_reason IS NOT NULL))
);
CREATE INDEX runs_tenant_created ON runs (tenant_id, created_at DESC, id DESC);
CREATE INDEX runs_tenant_status_created ON runs (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX runs_tenant_spec_created ON runs (tenant_id, spec_id, created_at DESC, id DESC);
ALTER TABLE runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE runs FORCE ROW LEVEL SECURITY;
CREATE POLICY runs_tenant_isolation ON runs
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- One row per step (run, iteration, role): a retry reuses the row and its key, never a second one.
CREATE TABLE run_steps (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    iteration integer NOT NULL CHECK (iteration >= 1),
    role text NOT NULL,
    step_key text NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
    -- The fencing number of the claim that wrote the row last.
    fencing bigint NOT NULL,
    execution_id uuid,
    tokens bigint NOT NULL DEFAULT 0 CHECK (tokens >= 0),
    cache_hit boolean NOT NULL DEFAULT false,
    output jsonb,
    error jsonb,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    UNIQUE (tenant_id, run_id, iteration, role),
    UNIQUE (tenant_id, step_key)
);
CREATE INDEX run_steps_tenant_run ON run_steps (tenant_id, run_id, started_at, id);
ALTER TABLE run_steps ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_steps FORCE ROW LEVEL SECURITY;
CREATE POLICY run_steps_tenant_isolation ON run_steps
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Every state change and step start/finish of a run, numbered per run: the SSE stream's source
-- (Last-Event-ID resumes from the stored sequence; pub/sub only wakes the streams).
CREATE TABLE run_events (
    tenant_id uuid NOT NULL,
    run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    sequence bigint NOT NULL CHECK (sequence >= 1),
    type text NOT NULL,
    data jsonb NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, run_id, sequence)
);
ALTER TABLE run_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_events FORCE ROW LEVEL SECURITY;
CREATE POLICY run_events_tenant_isolation ON run_events
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The work queue: a run waits here from its creation until it ends. Workers of any instance claim
-- a row whose lease is free or expired (database clock); every claim bumps the fencing number
-- that each of the run's writes checks. No tenant data, hence no row-level security.
CREATE TABLE run_queue (
    run_id uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    tenant_id uuid NOT NULL,
    enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    lease_owner text,
    lease_expires_at timestamptz,
    fencing bigint NOT NULL DEFAULT 0,
    claims integer NOT NULL DEFAULT 0
);
CREATE INDEX run_queue_claimable ON run_queue (lease_expires_at NULLS FIRST, enqueued_at);
