-- Runs once, when the compose Postgres creates its data directory: two roles, neither a
-- superuser nor BYPASSRLS (row-level security does not apply to those).
--   app_owner owns the database and its public schema: the migrations run as it
--             (MIGRATION_DATABASE_URL) and it owns every table;
--   app       is what the app connects as (DATABASE_URL): it may connect, and `python -m
--             app.migrate up` grants it the rows of the tables (the audit log: read and add only),
--             never DDL, so it cannot turn row-level security off or rewrite the audit trail.
CREATE ROLE app_owner LOGIN PASSWORD 'app_owner' NOSUPERUSER NOBYPASSRLS;
CREATE ROLE app LOGIN PASSWORD 'app' NOSUPERUSER NOBYPASSRLS;
ALTER DATABASE app OWNER TO app_owner;
ALTER SCHEMA public OWNER TO app_owner;
REVOKE ALL ON DATABASE app FROM PUBLIC;
GRANT CONNECT ON DATABASE app TO app_owner, app;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
