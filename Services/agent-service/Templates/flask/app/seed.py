"""Loads ``seed/seed.json`` into the seed tenant: ``python -m app.seed``.

The file is a JSON array of ``{"entity": <name>, "values": {<column>: <value>}}`` in dependency
order, with stable ``id`` values so references between seed rows resolve. PII values are in clear
text in the file and are encrypted with PII_ENCRYPTION_KEY here, exactly as the API would.
Rows whose id already exists are skipped, so the seeder can run more than once.

``seed/users.json`` lists one account of the built-in issuer per role (``{"id", "username",
"role"}``, the username is the role's name), all with the password ``SEED_USER_PASSWORD``
(default ``dev-password``). Each account's id owns seed rows where the role sees only its own
rows, so a token of the seed account of any role sees rows. Accounts are not created with
``APP_ENV=production``, where the built-in issuer is off.

Reads DATABASE_URL, DATABASE_SCHEMA, PII_ENCRYPTION_KEY, APP_ENV and SEED_USER_PASSWORD (from
``.env`` too, outside production); rows belong to tenant ``SEED_TENANT_ID`` and the audit log
records the actor ``seed``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from psycopg import sql

from app.config import Config, ConfigError, load_dotenv
from app.crud import Repository
from app.crypto import PIICipher
from app.db import connect, tenant_transaction
from app.errors import ApiError
from app.schema import load_schema
from app.users import create_user, find_user
from app.validation import UUID, coerce

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"
SEED_FILE = SEED_DIR / "seed.json"
USERS_FILE = SEED_DIR / "users.json"
DEFAULT_USER_PASSWORD = "dev-password"
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


def load_users(conn, accounts: list[dict], password: str, tenant_id: str = SEED_TENANT_ID) -> tuple[int, int]:
    """Creates the accounts that do not exist yet; returns (created, skipped)."""
    created = skipped = 0
    with tenant_transaction(conn, tenant_id, SEED_ACTOR):
        for account in accounts:
            if find_user(conn, account["username"]) is not None:
                skipped += 1
                continue
            try:
                create_user(conn, tenant_id, account["username"], password, account["role"], user_id=account["id"])
            except ApiError as error:
                raise ValueError(f"seed user {account['username']}: {error.message}") from None
            created += 1
    return created, skipped


def main() -> int:
    load_dotenv()
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
    accounts = json.loads(USERS_FILE.read_text(encoding="utf-8"))
    with_users = os.environ.get("APP_ENV", "").strip().lower() != "production"
    try:
        with connect(url, schema) as conn:
            inserted, skipped = load(conn, records, cipher)
            if with_users:
                password = os.environ.get("SEED_USER_PASSWORD", "") or DEFAULT_USER_PASSWORD
                created, existing = load_users(conn, accounts, password)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"seeded tenant {SEED_TENANT_ID}: {inserted} row(s) inserted, {skipped} already present")
    if with_users:
        print(f"seed users ({', '.join(a['username'] for a in accounts)}): {created} created, {existing} already present")
    else:
        print("seed users skipped: APP_ENV=production has no built-in issuer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
