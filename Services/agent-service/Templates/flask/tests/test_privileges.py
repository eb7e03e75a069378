"""Least privilege in the database: the app's role (DATABASE_URL) owns nothing and creates
nothing, cannot turn row-level security off or drop a table, and can only add to the audit log;
the audit log refuses updates, deletes and truncation even to the tables' owner (the role of
MIGRATION_DATABASE_URL, which runs the migrations).

These tests fail, on purpose, when the app connects as the owner of its tables: see the README,
"Database roles".
"""

from __future__ import annotations

import os

import pytest
from psycopg import errors

from app.db import connect, set_identity
from support import SCHEMA

DENIED = errors.InsufficientPrivilege


@pytest.fixture
def app_conn(settings):
    """A connection as the app's role."""
    with connect(settings.database_url, settings.database_schema, autocommit=True) as conn:
        yield conn


def assert_refused(conn, statement: str, tenant: str | None = None, match: str = "permission denied") -> None:
    """The statement fails with insufficient_privilege. It runs in a transaction that is always
    rolled back, so a set-up that wrongly allows it loses nothing."""
    with pytest.raises(DENIED, match=match), conn.transaction(force_rollback=True):
        set_identity(conn, tenant, None)
        conn.execute(statement)


def tables(conn) -> list[str]:
    return [row["tablename"] for row in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")]


def test_the_apps_role_owns_no_table_and_cannot_create_one(app_conn):
    me = app_conn.execute("SELECT current_user AS me").fetchone()["me"]
    owners = {row["tableowner"] for row in app_conn.execute(
        "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema()")}
    assert owners, "no tables: run python -m app.migrate up"
    assert me not in owners, (
        f"DATABASE_URL connects as {me}, the owner of the tables: run the app as a role of its own and "
        "the migrations as the owner (MIGRATION_DATABASE_URL); see the README, 'Database roles'")
    assert_refused(app_conn, "CREATE TABLE least_privilege_probe (id integer)")


def test_the_apps_role_cannot_turn_row_level_security_off_or_drop_a_table(app_conn, subtests):
    names = tables(app_conn)
    assert {entity.table for entity in SCHEMA.entities} <= set(names)
    for table in names:
        for statement in (f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
                          f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
                          f'DROP TABLE "{table}"'):
            with subtests.test(statement=statement):
                assert_refused(app_conn, statement, match="must be owner")


AUDIT_CHANGES = ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log", "TRUNCATE audit_log")


def test_the_apps_role_can_only_add_to_the_audit_log(app_conn, rows, tenant, subtests):
    rows.create(SCHEMA.entities[0], tenant)  # an audit row the statements below would touch
    for statement in AUDIT_CHANGES:
        with subtests.test(statement=statement):
            assert_refused(app_conn, statement, tenant)


def test_the_audit_log_refuses_updates_and_deletes_even_to_its_owner(settings, rows, tenant, subtests):
    owner_url = os.environ.get("MIGRATION_DATABASE_URL")
    assert owner_url, "set MIGRATION_DATABASE_URL to the role the migrations run as (see the README, 'Database roles')"
    rows.create(SCHEMA.entities[0], tenant)
    with connect(owner_url, settings.database_schema, autocommit=True) as owner:
        with owner.transaction(force_rollback=True):
            set_identity(owner, tenant, None)
            assert owner.execute("SELECT count(*) AS n FROM audit_log").fetchone()["n"] > 0
        for statement in AUDIT_CHANGES:
            with subtests.test(statement=statement):
                assert_refused(owner, statement, tenant, match="append-only")


def test_the_app_still_writes_its_audit_trail(app_conn, rows, tenant):
    row = rows.create(SCHEMA.entities[0], tenant)
    with app_conn.transaction():
        set_identity(app_conn, tenant, None)
        actions = [r["action"] for r in app_conn.execute("SELECT action FROM audit_log WHERE row_id = %s", (row["id"],))]
    assert actions == ["INSERT"]
