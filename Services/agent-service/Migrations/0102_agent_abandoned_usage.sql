-- Tokens paid for by executions whose claim was dropped because a dependency failed after a
-- completion (the repair call hit a provider outage, say): the retry runs again, the tokens
-- spent still count in the statistics.
CREATE TABLE agent_abandoned_usage (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    role text NOT NULL,
    prompt_tokens integer NOT NULL,
    completion_tokens integer NOT NULL,
    cost_estimate_usd numeric(12, 6) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_abandoned_usage_tenant_role ON agent_abandoned_usage (tenant_id, role);
ALTER TABLE agent_abandoned_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_abandoned_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY agent_abandoned_usage_tenant_isolation ON agent_abandoned_usage
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
