-- Runs once, when the compose Postgres creates its data directory: the app's own role, which is
-- neither a superuser nor BYPASSRLS (row-level security does not apply to those), owning the
-- database `app` so that migrations can create tables in its public schema.
CREATE ROLE app LOGIN PASSWORD 'app' NOSUPERUSER NOBYPASSRLS;
ALTER DATABASE app OWNER TO app;
ALTER SCHEMA public OWNER TO app;
