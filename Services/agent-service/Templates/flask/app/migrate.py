"""Schema migrations: ``python -m app.migrate up | down [--steps N] | status``.

Migrations are the files ``migrations/NNNN_<name>.up.sql`` and ``NNNN_<name>.down.sql``, applied
in version order inside DATABASE_SCHEMA (created when missing). Each file runs in its own
transaction together with its bookkeeping row in ``schema_migrations``, so a failing migration
leaves nothing half-applied.

* ``up``   applies every pending migration, in order;
* ``down`` reverts applied migrations newest first (all of them, or the last ``--steps N``); once
  none is applied the ``schema_migrations`` table is dropped too, leaving the schema empty;
* ``status`` lists the migrations and whether each is applied.

Only DATABASE_URL and DATABASE_SCHEMA are read (from ``.env`` too, outside production).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from app.config import Config, ConfigError, load_dotenv

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_FILE = re.compile(r"^(\d+)_(.+)\.(up|down)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    up: Path
    down: Path


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migrations of a directory, in version order (every one must have both files)."""
    found: dict[int, dict[str, Path | str]] = {}
    for path in directory.glob("*.sql"):
        match = _FILE.match(path.name)
        if not match:
            continue
        version, name, direction = int(match.group(1)), match.group(2), match.group(3)
        entry = found.setdefault(version, {"name": name})
        if entry["name"] != name:
            raise SystemExit(f"migration {version} has two names: {entry['name']} and {name}")
        entry[direction] = path
    migrations = []
    for version in sorted(found):
        entry = found[version]
        if "up" not in entry or "down" not in entry:
            raise SystemExit(f"migration {version}_{entry['name']} needs both .up.sql and .down.sql")
        migrations.append(Migration(version, entry["name"], entry["up"], entry["down"]))
    return migrations


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.migrate", description="Apply or revert migrations.")
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--steps", type=int, help="down: revert only the last N migrations")
    args = parser.parse_args(argv)
    load_dotenv()
    try:
        url, schema = Config.database_from_env()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    migrations = discover()
    with _connect(url, schema) as conn:
        if args.command == "up":
            done = up(conn, migrations)
            print(f"{len(done)} migration(s) applied; schema {schema} is up to date")
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
