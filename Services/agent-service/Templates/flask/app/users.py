"""Accounts of the built-in issuer: the ``auth_users`` table.

Like every table it is tenant-scoped (``tenant_id``, forced row-level security, audited): a
username is unique within its tenant, and the tenant is part of every sign-in. An account's
``id`` is the ``sub`` of the tokens issued to it, so it is also the owner of the rows it creates;
where rows are owned through a reference (a patient owning appointments), give the account the id
of that row. Passwords are stored as scrypt hashes (``app/passwords.py``).
"""

from __future__ import annotations

import psycopg

from app.errors import ApiError
from app.passwords import decoy_hash, hash_password, verify_password
from app.schema import load_schema

TABLE = "auth_users"
MAX_USERNAME = 255
MAX_PASSWORD = 1024


def create_user(conn: psycopg.Connection, tenant_id: str, username: str, password: str, role: str,
                user_id: str | None = None) -> dict:
    """Adds an account (in the caller's tenant transaction); returns its id, username and role."""
    if role not in load_schema().roles:
        raise ApiError.invalid(f"{role!r} is not a role of this app", "role")
    if not username or len(username) > MAX_USERNAME:
        raise ApiError.invalid(f"a username has 1 to {MAX_USERNAME} characters", "username")
    if not password or len(password) > MAX_PASSWORD:
        raise ApiError.invalid(f"a password has 1 to {MAX_PASSWORD} characters", "password")
    columns = {"tenant_id": tenant_id, "username": username, "password_hash": hash_password(password), "role": role}
    if user_id is not None:
        columns["id"] = user_id
    names = ", ".join(columns)
    placeholders = ", ".join(["%s"] * len(columns))
    try:
        row = conn.execute(
            f"INSERT INTO {TABLE} ({names}) VALUES ({placeholders}) RETURNING id::text, username, role",
            tuple(columns.values()),
        ).fetchone()
    except psycopg.errors.UniqueViolation:
        raise ApiError.conflict(f"the username {username!r} or the id is taken", "username") from None
    return dict(row)


def find_user(conn: psycopg.Connection, username: str) -> dict | None:
    """The account with this username in the transaction's tenant, or None."""
    row = conn.execute(f"SELECT id::text, username, role FROM {TABLE} WHERE username = %s", (username,)).fetchone()
    return dict(row) if row else None


def check_credentials(conn: psycopg.Connection, username: str, password: str) -> dict | None:
    """The account (id, username, role) when the password is right, else None; an unknown
    username costs the same hash as a wrong password."""
    row = conn.execute(
        f"SELECT id::text, username, role, password_hash FROM {TABLE} WHERE username = %s", (username,)
    ).fetchone()
    if row is None:
        verify_password(password, decoy_hash())
        return None
    if not verify_password(password, row["password_hash"]):
        return None
    return {"id": row["id"], "username": row["username"], "role": row["role"]}
