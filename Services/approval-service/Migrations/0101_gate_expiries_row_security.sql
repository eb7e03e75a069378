-- Gate expiries under row-level security: the gate's tenant transaction writes and clears its
-- own; the sweeper finds due gates across tenants as the platform's background work
-- (`app.worker`, set locally by PostgresPool.work) and expires each in its tenant's
-- transaction. The table holds no tenant data: gate id, tenant id and expiry.
ALTER TABLE gate_expiries ENABLE ROW LEVEL SECURITY;
ALTER TABLE gate_expiries FORCE ROW LEVEL SECURITY;
CREATE POLICY gate_expiries_tenant_or_worker ON gate_expiries
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
           OR current_setting('app.worker', true) = 'on')
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
                OR current_setting('app.worker', true) = 'on');
