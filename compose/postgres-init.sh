#!/usr/bin/env bash
# One login role per service, each owning only its schema; public closed. Passwords from the env.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username postgres --dbname meta_builder <<SQL
REVOKE ALL ON DATABASE meta_builder FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
for pair in spec:SPEC run:RUN agent:AGENT approval:APPROVAL; do
  schema="${pair%%:*}"; key="${pair##*:}"; var="${key}_DB_PASSWORD"
  psql -v ON_ERROR_STOP=1 --username postgres --dbname meta_builder \
    -v role="${schema}_svc" -v schema="$schema" -v password="${!var}" <<'SQL'
CREATE ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'password';
GRANT CONNECT ON DATABASE meta_builder TO :"role";
CREATE SCHEMA :"schema" AUTHORIZATION :"role";
ALTER ROLE :"role" IN DATABASE meta_builder SET search_path = :"schema";
SQL
done
