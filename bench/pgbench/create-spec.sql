-- pgbench script (run by bench/http with -M prepared, as the spec-service's role spec_svc): one
-- transaction running the statements the spec-service runs for one
-- POST /api/meta/v2/specs with an Idempotency-Key, in the same order —
--   IdempotentCreate.run:   BEGIN + set_config('app.tenant_id') (PostgresPool.withTenant, one
--                           round trip), pg_try_advisory_xact_lock, claim of the key
--   SpecRepository.create:  INSERT INTO specs … RETURNING, AuditLog.record, Outbox.enqueue
--   IdempotentCreate.run:   UPDATE of the key with the stored response, COMMIT
-- The service makes its ids in Swift; here the statement that takes the lock also makes them
-- (gen_random_uuid, \gset), so that no extra round trip is added. Variables: -D tenant=<uuid>.
-- Not included: the rate-limit check (a Redis call the service makes inside the transaction).
\set lockid random(1, 4611686018427387903)
\startpipeline
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
\endpipeline
SELECT pg_try_advisory_xact_lock(:lockid) AS locked,
       gen_random_uuid() AS key, gen_random_uuid() AS spec_id,
       gen_random_uuid() AS audit_id, gen_random_uuid() AS event_id
\gset
INSERT INTO idempotency_keys (tenant_id, operation, key, request_hash, response_status, response_body)
VALUES (:tenant, 'spec.create', :key, '9f2c4e1a7b3d5f60819a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70', 0, '')
ON CONFLICT (tenant_id, operation, key) DO NOTHING;
INSERT INTO specs (id, tenant_id, title, description, mode, form, acceptance_criteria, target_repository, created_by)
VALUES (:spec_id, :tenant, 'Bench spec', 'A small CRM with contacts, companies and deals, created by bench/http.',
        'freeform', NULL::jsonb, '[]'::jsonb, NULL, 'bench')
RETURNING id, title, description, mode, form::text AS form, acceptance_criteria::text AS acceptance_criteria,
          target_repository, status, latest_plan_version, created_by, created_at, updated_at;
INSERT INTO audit_log (id, tenant_id, actor, action, resource_type, resource_id, details, trace_id)
VALUES (:audit_id, :tenant, 'bench', 'spec.create', 'spec', CAST(:spec_id AS text),
        '{"mode":"freeform"}'::jsonb, '4bf92f3577b34da6a3ce929d0e0e4736');
INSERT INTO outbox (id, event_type, channel, tenant_id, payload)
VALUES (:event_id, 'spec.created', 'meta-builder.events.spec.created', :tenant,
        ('{"data":{"mode":"freeform","spec_id":"' || CAST(:spec_id AS text)
         || '","status":"draft","title":"B*******"},"datacontenttype":"application/json","id":"'
         || CAST(:event_id AS text) || '","source":"/meta-builder/spec-service","specversion":"1.0",'
         || '"subject":"specs/' || CAST(:spec_id AS text) || '","tenantid":"' || CAST(:tenant AS text)
         || '","time":"2026-01-01T00:00:00Z",'
         || '"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","type":"spec.created"}')::jsonb);
UPDATE idempotency_keys
SET response_status = 201,
    response_body = '{"acceptance_criteria":[],"created_at":"2026-01-01T00:00:00Z","created_by":"bench",'
      || '"description":"A small CRM with contacts, companies and deals, created by bench/http.","id":"'
      || CAST(:spec_id AS text) || '","latest_plan_version":0,"mode":"freeform","status":"draft",'
      || '"title":"Bench spec","updated_at":"2026-01-01T00:00:00Z"}'
WHERE operation = 'spec.create' AND key = CAST(:key AS text);
COMMIT;
