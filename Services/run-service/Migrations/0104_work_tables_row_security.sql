-- The run queue and the runs waiting for approval under row-level security: a tenant's
-- transaction (creating, fencing, ending or parking its run) sees and writes only its own rows;
-- claimers, lease renewals and the approval reconciler work across tenants as the platform's
-- background work (`app.worker`, set locally by PostgresPool.work). Neither table holds tenant
-- data: ids, the tenant id, leases and timestamps.
ALTER TABLE run_queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_queue FORCE ROW LEVEL SECURITY;
CREATE POLICY run_queue_tenant_or_worker ON run_queue
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
           OR current_setting('app.worker', true) = 'on')
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
                OR current_setting('app.worker', true) = 'on');

ALTER TABLE run_approvals_pending ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_approvals_pending FORCE ROW LEVEL SECURITY;
CREATE POLICY run_approvals_pending_tenant_or_worker ON run_approvals_pending
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
           OR current_setting('app.worker', true) = 'on')
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
                OR current_setting('app.worker', true) = 'on');
