-- The database roles of the generated applications' previews, run as the superuser in the
-- preview database meta_builder_preview by `scripts/infra start` and by compose's
-- postgres-init.sh (idempotent).
--
-- Each run's preview has two login roles of its own, so that the generated app is checked the way
-- it is meant to run: pv_<key>_owner owns the run's schema and runs the migrations;
-- pv_<key>_app is what the app connects as, with only the rights the migrations grant it. <key> is
-- 16 lowercase hex digits (the end of the run's schema name).
--
-- preview_svc (the agent-service) may not create roles itself: on Postgres 15 CREATEROLE could
-- alter every other non-superuser role, the services' included. It calls these two functions
-- instead, which run as preview_admin (CREATEROLE, NOLOGIN) and only ever create or drop roles
-- named pv_<key>_owner and pv_<key>_app. create_roles also makes preview_svc a member of the
-- owner role (without inheriting its rights), so that it can create the run's schema for it and
-- drop it with SET ROLE.
--
-- Both roles are members of preview_member, which alone holds CONNECT on this database: no run
-- changes the database's privileges, so concurrent runs never update its row at once ("tuple
-- concurrently updated").
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'preview_admin') THEN CREATE ROLE preview_admin; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'preview_member') THEN CREATE ROLE preview_member; END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO preview_member', current_database());
END $$;
ALTER ROLE preview_admin WITH NOLOGIN NOSUPERUSER NOCREATEDB CREATEROLE NOBYPASSRLS NOINHERIT NOREPLICATION;
ALTER ROLE preview_member WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION;
GRANT preview_member TO preview_admin WITH ADMIN OPTION;
CREATE SCHEMA IF NOT EXISTS meta_preview AUTHORIZATION preview_admin;
REVOKE ALL ON SCHEMA meta_preview FROM PUBLIC;
GRANT USAGE ON SCHEMA meta_preview TO preview_svc;

CREATE OR REPLACE FUNCTION meta_preview.create_roles(key text, owner_password text, app_password text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  IF key !~ '^[0-9a-f]{16}$' THEN
    RAISE EXCEPTION 'a preview key is 16 lowercase hex digits' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF length(owner_password) < 32 OR length(app_password) < 32 THEN
    RAISE EXCEPTION 'preview role passwords have at least 32 characters' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION IN ROLE preview_member PASSWORD %L',
                 'pv_' || key || '_owner', owner_password);
  EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION IN ROLE preview_member PASSWORD %L',
                 'pv_' || key || '_app', app_password);
  EXECUTE format('GRANT %I TO %I', 'pv_' || key || '_owner', session_user);
END;
$$;

CREATE OR REPLACE FUNCTION meta_preview.drop_roles(key text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  IF key !~ '^[0-9a-f]{16}$' THEN
    RAISE EXCEPTION 'a preview key is 16 lowercase hex digits' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  EXECUTE format('DROP ROLE IF EXISTS %I, %I', 'pv_' || key || '_app', 'pv_' || key || '_owner');
END;
$$;

ALTER FUNCTION meta_preview.create_roles(text, text, text) OWNER TO preview_admin;
ALTER FUNCTION meta_preview.drop_roles(text) OWNER TO preview_admin;
REVOKE ALL ON FUNCTION meta_preview.create_roles(text, text, text), meta_preview.drop_roles(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION meta_preview.create_roles(text, text, text), meta_preview.drop_roles(text) TO preview_svc;
