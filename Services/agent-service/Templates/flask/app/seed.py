"""Loads ``seed/seed.json`` into the seed tenant: ``python -m app.seed``.

The file is a JSON array of ``{"entity": <name>, "values": {<column>: <value>}}`` in dependency
order, with stable ``id`` values so references between seed rows resolve. PII values are in clear
text in the file and are encrypted with PII_ENCRYPTION_KEY here, exactly as the API would.
Rows whose id already exists are skipped, so the seeder can run more than once.

Reads DATABASE_URL, DATABASE_SCHEMA and PII_ENCRYPTION_KEY; rows belong to tenant
``SEED_TENANT_ID`` and the audit log records the actor ``seed``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from psycopg import sql

from app.config import Config, ConfigError
from app.crud import Repository
from app.crypto import PIICipher
from app.db import connect, tenant_transaction
from app.errors import ApiError
from app.schema import load_schema
from app.validation import UUID, coerce

SEED_FILE = Path(__file__).resolve().parent.parent / "seed" / "seed.json"
SEED_TENANT_ID = "00000000-0000-4000-8000-000000000001"
SEED_ACTOR = "seed"


def load(conn, records: list[dict], cipher: PIICipher, tenant_id: str = SEED_TENANT_ID) -> tuple[int, int]:
    """Inserts the records; returns (inserted, skipped)."""
    schema = load_schema()
    inserted = skipped = 0
    with tenant_transaction(conn, tenant_id, SEED_ACTOR):
        for index, record in enumerate(records):
            entity = schema.entity(record["entity"])
            values = dict(record["values"])
            row_id = values.get("id")
            if not isinstance(row_id, str) or not UUID.match(row_id):
                raise ValueError(f"seed record {index} ({entity.name}) needs a UUID id")
            for column, value in values.items():
                field = entity.by_column(column)
                if field is not None:
                    try:
                        values[column] = coerce(field, value)
                    except ApiError as error:
                        raise ValueError(f"seed record {index} ({entity.name}): {error.message}") from None
                elif column not in ("id", entity.owner_column):
                    raise ValueError(f"seed record {index}: {entity.name} has no column {column}")
            exists = conn.execute(
                sql.SQL("SELECT 1 FROM {} WHERE id = %s").format(sql.Identifier(entity.table)), (row_id,)
            ).fetchone()
            if exists:
                skipped += 1
                continue
            try:
                Repository(entity, cipher).insert(conn, tenant_id, values)
            except ApiError as error:
                raise ValueError(f"seed record {index} ({entity.name}): {error.message}") from None
            inserted += 1
    return inserted, skipped


def main() -> int:
    try:
        url, schema = Config.database_from_env()
        key = os.environ.get("PII_ENCRYPTION_KEY", "")
        if not key:
            raise ConfigError("PII_ENCRYPTION_KEY is not set")
        cipher = PIICipher(key)
    except (ConfigError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    records = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    try:
        with connect(url, schema) as conn:
            inserted, skipped = load(conn, records, cipher)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"seeded tenant {SEED_TENANT_ID}: {inserted} row(s) inserted, {skipped} already present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
