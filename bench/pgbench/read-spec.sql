-- pgbench script (run by bench/http with -M prepared, as the spec-service's role spec_svc): the
-- statements the spec-service runs for one GET /api/meta/v2/specs/{id}, as it sends them —
--   PostgresPool.read → PostgresSession.batch: one pipeline, no BEGIN/COMMIT (the statements up
--   to the sync point form one implicit transaction): the transaction's settings (deadline as a
--   local statement_timeout, the tenant for row-level security), then the read of the spec's
--   stored document (ScaffoldSpec.rendered; migration 0101).
-- It is the ceiling of that route on this machine: a C client, no HTTP, no authentication.
-- Variables: -D tenant=<uuid> -D spec=<uuid> (the bench's seeded tenant and spec).
\startpipeline
SELECT set_config('statement_timeout', '30000', true), set_config('app.tenant_id', CAST(:tenant AS text), true);
SELECT document AS json, created_at, id FROM specs WHERE id = :spec;
\endpipeline
