-- pgbench script (run by bench/http with -M prepared, as the spec-service's role spec_svc): the
-- statements the spec-service runs for one GET /api/meta/v2/specs?page_size=20, as it sends them
-- (SpecRepository.list → PostgresPool.read: the transaction's settings and the first page — 21
-- rows, one more than the page to know whether another follows — of stored documents, in one
-- pipeline; see read-spec.sql). The ceiling of that route on this machine: a C client, no HTTP,
-- no authentication. Variables: -D tenant=<uuid> (the bench's seeded tenant).
\startpipeline
SELECT set_config('statement_timeout', '30000', true), set_config('app.tenant_id', CAST(:tenant AS text), true);
SELECT document AS json, created_at, id FROM specs WHERE true ORDER BY created_at DESC, id DESC LIMIT 21;
\endpipeline
