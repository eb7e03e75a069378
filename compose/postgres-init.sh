#!/usr/bin/env bash
# Postgres init script of the compose mesh (the postgres image runs it once, on an empty data
# volume, as the superuser). The same roles, schemas and grants as `scripts/infra start` makes
# for development and tests:
#   - one login role per service (spec_svc, run_svc, agent_svc, approval_svc), no superuser,
#     no BYPASSRLS, owning nothing: it may use its schema in database meta_builder and the rows
#     of the tables there (under their row-level security), with its search_path there;
#   - one owner per schema (spec_owner, …), which only the service's migrations log in as
#     (META_BUILDER_MIGRATION_DATABASE_URL): what it creates, the service's role may use;
#   - the preview database meta_builder_preview, owned by preview_svc, where the agent-service
#     creates one schema per run for the generated application, with two roles of its own made
#     through the functions of preview-roles.sql (the owner of the schema and the app's role);
#   - PUBLIC may neither connect to the databases nor create in their public schemas.
# Passwords come from the environment (compose/.env): SPEC_DB_PASSWORD, RUN_DB_PASSWORD,
# AGENT_DB_PASSWORD, APPROVAL_DB_PASSWORD, PREVIEW_DB_PASSWORD and the owners' SPEC_OWNER_DB_PASSWORD,
# RUN_OWNER_DB_PASSWORD, AGENT_OWNER_DB_PASSWORD, APPROVAL_OWNER_DB_PASSWORD. The services create
# their tables themselves (migrations at start-up, as the owner).
set -euo pipefail

psql=(psql -v ON_ERROR_STOP=1 -X -q --username "${POSTGRES_USER:-postgres}")

"${psql[@]}" --dbname meta_builder <<'SQL'
REVOKE ALL ON DATABASE meta_builder FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL

for pair in spec:SPEC run:RUN agent:AGENT approval:APPROVAL; do
  schema="${pair%%:*}"
  var="${pair##*:}_DB_PASSWORD"
  owner_var="${pair##*:}_OWNER_DB_PASSWORD"
  [ -n "${!var:-}" ] || { echo "postgres-init: $var is not set" >&2; exit 1; }
  [ -n "${!owner_var:-}" ] || { echo "postgres-init: $owner_var is not set" >&2; exit 1; }
  "${psql[@]}" --dbname meta_builder -v role="${schema}_svc" -v owner="${schema}_owner" -v schema="$schema" \
    -v password="${!var}" -v owner_password="${!owner_var}" <<'SQL'
CREATE ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT NOREPLICATION PASSWORD :'password';
CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT NOREPLICATION PASSWORD :'owner_password';
GRANT CONNECT ON DATABASE meta_builder TO :"role", :"owner";
CREATE SCHEMA :"schema" AUTHORIZATION :"owner";
GRANT USAGE ON SCHEMA :"schema" TO :"role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema" GRANT USAGE, SELECT ON SEQUENCES TO :"role";
ALTER ROLE :"role" IN DATABASE meta_builder SET search_path = :"schema";
ALTER ROLE :"owner" IN DATABASE meta_builder SET search_path = :"schema";
SQL
done

[ -n "${PREVIEW_DB_PASSWORD:-}" ] || { echo "postgres-init: PREVIEW_DB_PASSWORD is not set" >&2; exit 1; }
"${psql[@]}" --dbname meta_builder -v password="$PREVIEW_DB_PASSWORD" <<'SQL'
CREATE ROLE preview_svc LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT NOREPLICATION PASSWORD :'password';
CREATE DATABASE meta_builder_preview OWNER preview_svc;
REVOKE ALL ON DATABASE meta_builder_preview FROM PUBLIC;
GRANT CONNECT, CREATE ON DATABASE meta_builder_preview TO preview_svc;
\connect meta_builder_preview
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
# The previews' per-run database roles (see the file): mounted next to this script.
"${psql[@]}" --dbname meta_builder_preview -f "${PREVIEW_ROLES_SQL:-/meta-builder/preview-roles.sql}"
