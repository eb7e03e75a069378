-- Every agent execution, tenant-scoped, with the caller's idempotency key: a retried call with
-- the same key returns the recorded result instead of running again.
CREATE TABLE agent_executions (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    role text NOT NULL,
    idempotency_key text NOT NULL,
    request_hash text NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    requested_by text NOT NULL,
    calling_service text,
    provider text NOT NULL,
    model text NOT NULL,
    input jsonb NOT NULL,
    output jsonb,
    error jsonb,
    prompt_tokens integer NOT NULL DEFAULT 0,
    completion_tokens integer NOT NULL DEFAULT 0,
    cost_estimate_usd numeric(12, 6) NOT NULL DEFAULT 0,
    duration_ms integer NOT NULL DEFAULT 0,
    cache_hit boolean NOT NULL DEFAULT false,
    trace_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    UNIQUE (tenant_id, role, idempotency_key)
);
CREATE INDEX agent_executions_tenant_role_created ON agent_executions (tenant_id, role, created_at DESC);
ALTER TABLE agent_executions ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_executions FORCE ROW LEVEL SECURITY;
CREATE POLICY agent_executions_tenant_isolation ON agent_executions
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
