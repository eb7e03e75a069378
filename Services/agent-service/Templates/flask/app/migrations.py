"""The migration files the app ships: ``migrations/NNNN_<name>.up.sql`` and ``.down.sql``.

``app.migrate`` applies and reverts them; ``GET /ready`` asks :func:`missing` which of them a
database has not applied yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.rows import tuple_row

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


def missing(conn: psycopg.Connection, directory: Path | None = None) -> list[str]:
    """The migrations the app ships (``NNNN_name``) that the connection's schema has not applied,
    in version order: what ``/ready`` reports."""
    cursor = conn.cursor(row_factory=tuple_row)
    applied: set[int] = set()
    if cursor.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is not None:
        applied = {row[0] for row in cursor.execute("SELECT version FROM schema_migrations")}
    return [f"{m.version:04d}_{m.name}" for m in discover(directory or MIGRATIONS_DIR) if m.version not in applied]
