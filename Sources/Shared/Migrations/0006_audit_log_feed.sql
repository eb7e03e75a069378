-- The audit feed (`GET /internal/v1/audit`) pages a tenant's records newest first by
-- (created_at DESC, id DESC), optionally of one resource or one actor: an index per access path,
-- each in the feed's order (the first index of 0003 ordered ids ascending).
CREATE INDEX audit_log_tenant_recent ON audit_log (tenant_id, created_at DESC, id DESC);
CREATE INDEX audit_log_tenant_resource ON audit_log (tenant_id, resource_type, resource_id, created_at DESC, id DESC);
CREATE INDEX audit_log_tenant_actor ON audit_log (tenant_id, actor, created_at DESC, id DESC);
DROP INDEX audit_log_tenant_created;
