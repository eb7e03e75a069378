"""Cross-tenant isolation, checked twice: through the API (another tenant's ids answer 404 and
never appear in lists, references cannot point into another tenant) and in the database itself
(forced row-level security hides and protects other tenants' rows even from a raw query).

The same user id (sub) is used in both tenants: identity is per tenant. (Where the owner is a
row, a patient owning appointments, each tenant has its own: row ids are unique across tenants.)
"""

import uuid

import psycopg
import pytest

from app.schema import join_column
from support import SCHEMA, assert_error, owner_is_a_row, owner_path, roles_allowed, user_id

SUB = "same-user-in-both-tenants"
ACTIONS = {"list": "read", "read": "read", "update": "update", "delete": "delete"}

API_CASES = [
    pytest.param(entity, operation, id=f"{entity.plural}-{operation}")
    for entity in SCHEMA.entities
    for operation, action in ACTIONS.items()
    if roles_allowed(entity, action)
]
REFERENCE_CASES = [
    pytest.param(entity, field, id=f"{entity.plural}-{field.column}")
    for entity in SCHEMA.entities
    if roles_allowed(entity, "create")
    for field in entity.reference_fields
]
TABLES = (
    [pytest.param(("entity", entity), id=entity.table) for entity in SCHEMA.entities]
    + [pytest.param(("join", join), id=join["via"]) for join in SCHEMA.join_tables]
    + [pytest.param(("audit", None), id="audit_log")]
)


@pytest.mark.parametrize("entity,operation", API_CASES)
def test_another_tenant_gets_404_and_never_sees_the_rows(entity, operation, caller, rows):
    tenant_a, tenant_b = str(uuid.uuid4()), str(uuid.uuid4())
    role = roles_allowed(entity, ACTIONS[operation])[0]
    row_owned = owner_is_a_row(entity, owner_path(role, entity))
    sub_a, sub_b = (user_id(tenant_a, SUB), user_id(tenant_b, SUB)) if row_owned else (SUB, SUB)
    a, b = caller(role, tenant=tenant_a, sub=sub_a), caller(role, tenant=tenant_b, sub=sub_b)
    theirs = rows.create(entity, tenant_a, owner=a)
    ours = rows.create(entity, tenant_b, owner=b)
    base = f"/api/{entity.plural}"
    if operation == "list":
        response = b.get(base, query_string={"page_size": 200})
        assert response.status_code == 200
        listed = [item["id"] for item in response.get_json()["items"]]
        assert ours["id"] in listed and theirs["id"] not in listed
    elif operation == "read":
        assert_error(b.get(f"{base}/{theirs['id']}"), 404, "NOT_FOUND", None)
    elif operation == "update":
        assert_error(b.patch(f"{base}/{theirs['id']}", json=rows.payload(entity)), 404, "NOT_FOUND", None)
        assert rows.get(entity, tenant_a, theirs["id"]) == theirs
    else:
        assert_error(b.delete(f"{base}/{theirs['id']}"), 404, "NOT_FOUND", None)
        assert rows.get(entity, tenant_a, theirs["id"]) == theirs


@pytest.mark.parametrize("entity,field", REFERENCE_CASES)
def test_references_cannot_point_into_another_tenant(entity, field, caller, rows):
    tenant_a, tenant_b = str(uuid.uuid4()), str(uuid.uuid4())
    theirs = rows.create(SCHEMA.entity(field.references), tenant_a)
    b = caller(roles_allowed(entity, "create")[0], tenant=tenant_b)
    payload = {**rows.payload(entity, tenant=tenant_b, owner=b), field.column: theirs["id"]}
    own_column = entity.column_of(owner_path(b.role, entity))
    if field.column == own_column and SCHEMA.scope(b.role, entity.name, "create") == "own":
        # scope "own": the owner field may name no row but the caller's own
        assert_error(b.post(f"/api/{entity.plural}", json=payload), 403, "PERMISSION_DENIED", field.column)
    else:
        assert_error(b.post(f"/api/{entity.plural}", json=payload), 400, "INVALID_ARGUMENT", field.column)


def _make_row(kind, target, tenant, rows, conn_factory):
    """Creates a row of a table in a tenant; returns (table, id)."""
    if kind == "entity":
        return target.table, rows.create(target, tenant)["id"]
    if kind == "join":
        left = rows.create(SCHEMA.entity(target["from"]), tenant)["id"]
        right = rows.create(SCHEMA.entity(target["to"]), tenant)["id"]
        with rows.transaction(tenant, "test-factory") as conn:
            row = conn.execute(
                f'INSERT INTO "{target["via"]}" (tenant_id, "{join_column(target["from"])}", "{join_column(target["to"])}") '
                "VALUES (%s, %s, %s) RETURNING id",
                (tenant, left, right),
            ).fetchone()
        return target["via"], str(row["id"])
    entity = SCHEMA.entities[0]
    row_id = rows.create(entity, tenant)["id"]
    with conn_factory(tenant=tenant) as conn:
        audit = conn.execute("SELECT id FROM audit_log WHERE row_id = %s", (row_id,)).fetchone()
    return "audit_log", audit["id"]


@pytest.mark.parametrize("table", TABLES)
def test_row_level_security_isolates_tenants_in_the_database(table, rows, raw_db, bypasses_rls):
    if bypasses_rls:
        pytest.skip("the database role is a superuser or has BYPASSRLS; connect as the app's role")
    kind, target = table
    tenant_a, tenant_b = str(uuid.uuid4()), str(uuid.uuid4())
    name, theirs = _make_row(kind, target, tenant_a, rows, raw_db)
    _, ours = _make_row(kind, target, tenant_b, rows, raw_db)

    with raw_db(tenant=tenant_b) as conn:
        visible = [str(r["id"]) for r in conn.execute(f'SELECT id FROM "{name}"').fetchall()]
        assert str(ours) in visible and str(theirs) not in visible
    with raw_db(tenant=None) as conn:
        assert conn.execute(f'SELECT count(*) AS n FROM "{name}"').fetchone()["n"] == 0
    with raw_db(tenant=tenant_b) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'UPDATE "{name}" SET tenant_id = %s WHERE id = %s', (tenant_a, ours))
