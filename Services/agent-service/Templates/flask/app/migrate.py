"""Schema migrations: ``python -m app.migrate up | down [--steps N] | status``.

Migrations are the files ``migrations/NNNN_<name>.up.sql`` and ``NNNN_<name>.down.sql``, applied
in version order inside DATABASE_SCHEMA (created when missing). Each file runs in its own
transaction together with its bookkeeping row in ``schema_migrations``, so a failing migration
leaves nothing half-applied.

* ``up``   applies every pending migration, in order;
* ``down`` reverts applied migrations newest first (all of them, or the last ``--steps N``); once
  none is applied the ``schema_migrations`` table is dropped too, leaving the schema empty;
* ``status`` lists the migrations and whether each is applied.

Migrations run as the role of MIGRATION_DATABASE_URL (DATABASE_URL when unset), which owns every
table. When that is another role than DATABASE_URL's, the app's role is given only what it needs
after every ``up`` (:func:`grant_app_role`): it owns nothing and cannot alter, drop or create
tables, turn row-level security off, or change the audit log.

Only DATABASE_URL, MIGRATION_DATABASE_URL and DATABASE_SCHEMA are read (from ``.env`` too,
outside production).
"""

from __future__ import annotations

import argparse
import sys

import psycopg
from psycopg import sql

from app.config import Config, ConfigError, load_dotenv
from app.migrations import Migration, discover


def _connect(url: str, schema: str) -> psycopg.Connection:
    conn = psycopg.connect(url, autocommit=True)
    # one migrator per schema at a time; the lock is released when the connection closes
    conn.execute("SELECT pg_advisory_lock(hashtext('app.migrate:' || %s))", (schema,))
    if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone():
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
    return conn


def _applied(conn: psycopg.Connection) -> list[int]:
    if conn.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is None:
        return []
    return [row[0] for row in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]


def up(conn: psycopg.Connection, migrations: list[Migration]) -> list[Migration]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    applied = set(_applied(conn))
    done = []
    for migration in migrations:
        if migration.version in applied:
            continue
        with conn.transaction():
            conn.execute(migration.up.read_text(encoding="utf-8"))
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                         (migration.version, migration.name))
        print(f"applied {migration.version:04d}_{migration.name}")
        done.append(migration)
    return done


def down(conn: psycopg.Connection, migrations: list[Migration], steps: int | None = None) -> list[Migration]:
    by_version = {m.version: m for m in migrations}
    applied = list(reversed(_applied(conn)))
    if steps is not None:
        applied = applied[:steps]
    done = []
    for version in applied:
        migration = by_version.get(version)
        if migration is None:
            raise SystemExit(f"migration {version} is applied but its files are missing")
        with conn.transaction():
            conn.execute(migration.down.read_text(encoding="utf-8"))
            conn.execute("DELETE FROM schema_migrations WHERE version = %s", (version,))
        print(f"reverted {migration.version:04d}_{migration.name}")
        done.append(migration)
    if not _applied(conn) and conn.execute("SELECT to_regclass('schema_migrations')").fetchone()[0]:
        conn.execute("DROP TABLE schema_migrations")
    return done


APPEND_ONLY_TABLES = ("audit_log",)
READ_ONLY_TABLES = ("schema_migrations",)


def grant_app_role(conn: psycopg.Connection, schema: str, role: str) -> None:
    """Gives the app's role exactly what it needs in the schema, in one transaction: USAGE on the
    schema (not CREATE); SELECT, INSERT, UPDATE and DELETE on the tables; only SELECT and INSERT on
    the audit log (whose trigger refuses updates and deletes to everyone); only SELECT on
    ``schema_migrations`` (for ``/ready``); USAGE on the sequences. Earlier grants are revoked
    first, so it can run after every ``up``."""
    ident = sql.Identifier
    with conn.transaction():
        conn.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(ident(schema), ident(role)))
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(ident(schema), ident(role)))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(ident(schema), ident(role)))
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)).fetchall()
        for (table,) in tables:
            if table in READ_ONLY_TABLES:
                privileges = "SELECT"
            elif table in APPEND_ONLY_TABLES:
                privileges = "SELECT, INSERT"
            else:
                privileges = "SELECT, INSERT, UPDATE, DELETE"
            conn.execute(sql.SQL("GRANT {} ON {} TO {}").format(sql.SQL(privileges), ident(schema, table), ident(role)))
        conn.execute(sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(ident(schema), ident(role)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.migrate", description="Apply or revert migrations.")
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--steps", type=int, help="down: revert only the last N migrations")
    args = parser.parse_args(argv)
    load_dotenv()
    try:
        settings = Config.migration_from_env()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    schema = settings.schema
    migrations = discover()
    with _connect(settings.url, schema) as conn:
        if args.command == "up":
            done = up(conn, migrations)
            print(f"{len(done)} migration(s) applied; schema {schema} is up to date")
            owner = conn.execute("SELECT current_user").fetchone()[0]
            if settings.app_role and settings.app_role != owner:
                grant_app_role(conn, schema, settings.app_role)
                print(f"role {settings.app_role} may read and write the tables of {owner}; the audit log only grows")
        elif args.command == "down":
            done = down(conn, migrations, args.steps)
            print(f"{len(done)} migration(s) reverted")
        else:
            applied = set(_applied(conn))
            for m in migrations:
                print(f"{'applied' if m.version in applied else 'pending'}  {m.version:04d}_{m.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
