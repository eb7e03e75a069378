-- The outbox under row-level security: a tenant's transaction sees and writes only its own
-- events; the relay reads and marks every tenant's as the platform's background work
-- (`app.worker`, set locally by PostgresPool.asWorker/work). A connection with neither setting
-- sees and writes nothing.
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY outbox_tenant_or_worker ON outbox
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
           OR current_setting('app.worker', true) = 'on')
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
                OR current_setting('app.worker', true) = 'on');
