-- pgbench script (run by bench/http with -M prepared, as the spec-service's role spec_svc): the
-- statements the spec-service runs for one GET /api/meta/v2/specs?page_size=20, as it sends them
-- (SpecRepository.list → PostgresPool.read: the transaction's settings and the first page — 21
-- rows, one more than the page to know whether another follows — rendered to JSON by Postgres,
-- in one pipeline). The ceiling of that route on this machine: a C client, no HTTP, no
-- authentication. Variables: -D tenant=<uuid> (the bench's seeded tenant). The timestamps'
-- format spells its colons chr(58): see read-spec.sql.
\startpipeline
SELECT set_config('statement_timeout', '30000', true), set_config('app.tenant_id', CAST(:tenant AS text), true);
SELECT (jsonb_build_object(
    'id', id, 'title', title, 'description', description, 'mode', mode,
    'acceptance_criteria', acceptance_criteria, 'status', status, 'latest_plan_version', latest_plan_version,
    'created_by', created_by,
    'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24' || chr(58) || 'MI' || chr(58) || 'SS"Z"'),
    'updated_at', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24' || chr(58) || 'MI' || chr(58) || 'SS"Z"'))
 || CASE WHEN form IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('form', form) END
 || CASE WHEN target_repository IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('target_repository', target_repository) END
)::text AS json, created_at, id FROM specs WHERE true ORDER BY created_at DESC, id DESC LIMIT 21;
\endpipeline
