"""Every role against every entity and operation, driven by the roles in app/schema.json.

An operation the spec grants succeeds (on a row the caller owns, so "own" scopes pass too); one it
does not grant answers 403 PERMISSION_DENIED. Roles with scope "own" never see, change or delete
other users' rows (404, so their existence is not revealed) and always own what they create.
Where an entity's owner is a path (``appointment.patient``), "own" rows are those under a parent
the caller owns: they follow the parent when it changes hands, and creating or moving a row under
another user's parent answers 403. Each role's own rows follow that role's owner path (its
permission's ``owner_path``, else the entity's owner field).
"""

import pytest

from support import SCHEMA, assert_error, owner_path, user_id

OPERATIONS = {"list": "read", "create": "create", "read": "read", "update": "update", "delete": "delete"}
SUCCESS = {"list": 200, "create": 201, "read": 200, "update": 200, "delete": 204}

MATRIX = [
    pytest.param(role, entity, operation, id=f"{role}-{entity.plural}-{operation}")
    for role in SCHEMA.roles
    for entity in SCHEMA.entities
    for operation in OPERATIONS
]
OWN_SCOPE = [
    pytest.param(role, entity, action, id=f"{role}-{entity.plural}-{action}")
    for role in SCHEMA.roles
    for entity in SCHEMA.entities
    for action in ("read", "update", "delete")
    if SCHEMA.scope(role, entity.name, action) == "own"
]
OWN_CREATE = [
    pytest.param(role, entity, id=f"{role}-{entity.plural}")
    for role in SCHEMA.roles
    for entity in SCHEMA.entities
    if SCHEMA.scope(role, entity.name, "create") == "own"
]
OWN_THROUGH_PARENT = [
    pytest.param(role, entity, id=f"{role}-{entity.plural}")
    for role in SCHEMA.roles
    for entity in SCHEMA.entities
    if entity.parent_of(owner_path(role, entity)) is not None and SCHEMA.scope(role, entity.name, "read") == "own"
]


def perform(me, rows, entity, operation, row=None):
    base = f"/api/{entity.plural}"
    if operation == "list":
        return me.get(base)
    if operation == "create":
        return me.post(base, json=rows.payload(entity, tenant=me.tenant, owner=me))
    row = row or rows.create(entity, me.tenant, owner=me)
    if operation == "read":
        return me.get(f"{base}/{row['id']}")
    if operation == "update":
        return me.patch(f"{base}/{row['id']}", json=rows.payload(entity))
    return me.delete(f"{base}/{row['id']}")


@pytest.mark.parametrize("role,entity,operation", MATRIX)
def test_role_may_do_exactly_what_the_spec_grants(role, entity, operation, caller, rows):
    me = caller(role)
    response = perform(me, rows, entity, operation)
    if SCHEMA.scope(role, entity.name, OPERATIONS[operation]) is None:
        assert_error(response, 403, "PERMISSION_DENIED", None)
    else:
        assert response.status_code == SUCCESS[operation], response.get_json()


if OWN_SCOPE:

    @pytest.mark.parametrize("role,entity,action", OWN_SCOPE)
    def test_own_scope_hides_other_users_rows(role, entity, action, caller, rows, tenant):
        me, other = caller(role, sub=user_id(tenant, "me")), caller(role, sub=user_id(tenant, "someone-else"))
        mine = rows.create(entity, me.tenant, owner=me)
        theirs = rows.create(entity, me.tenant, owner=other)
        base = f"/api/{entity.plural}"
        if action == "read":
            assert_error(me.get(f"{base}/{theirs['id']}"), 404, "NOT_FOUND", None)
            listed = [item["id"] for item in me.get(base, query_string={"page_size": 200}).get_json()["items"]]
            assert mine["id"] in listed and theirs["id"] not in listed
            assert me.get(f"{base}/{mine['id']}").status_code == 200
        elif action == "update":
            assert_error(me.patch(f"{base}/{theirs['id']}", json=rows.payload(entity)), 404, "NOT_FOUND", None)
            assert rows.get(entity, me.tenant, theirs["id"]) == theirs
            handover = rows.owner_change(entity, me.tenant, other.sub, path=owner_path(role, entity))
            assert_error(me.patch(f"{base}/{mine['id']}", json=handover), 403, "PERMISSION_DENIED", next(iter(handover)))
            assert rows.get(entity, me.tenant, mine["id"]) == mine
        else:
            assert_error(me.delete(f"{base}/{theirs['id']}"), 404, "NOT_FOUND", None)
            assert rows.get(entity, me.tenant, theirs["id"]) is not None


if OWN_CREATE:

    @pytest.mark.parametrize("role,entity", OWN_CREATE)
    def test_own_scope_creates_rows_owned_by_the_caller(role, entity, caller, rows, tenant):
        me, other = caller(role, sub=user_id(tenant, "me")), user_id(tenant, "someone-else")
        base, path = f"/api/{entity.plural}", owner_path(role, entity)
        payload = rows.payload(entity, tenant=me.tenant, owner=me)
        created = me.post(base, json=payload)
        assert created.status_code == 201, created.get_json()
        if entity.column_of(path):
            assert created.get_json()[entity.column_of(path)] == me.sub
        handover = rows.owner_change(entity, me.tenant, other, path=path)
        assert_error(me.post(base, json={**payload, **handover}), 403, "PERMISSION_DENIED", next(iter(handover)))
        if entity.parent_of(path) is not None:
            parent = entity.parent_of(path)
            orphan = {key: value for key, value in payload.items() if key != parent.column}
            status, code = (400, "INVALID_ARGUMENT") if parent.required else (403, "PERMISSION_DENIED")
            assert_error(me.post(base, json=orphan), status, code, parent.column)


if OWN_THROUGH_PARENT:

    @pytest.mark.parametrize("role,entity", OWN_THROUGH_PARENT)
    def test_own_scope_follows_the_parent_row(role, entity, caller, rows, tenant):
        """A row owned through its parent belongs to whoever owns the parent now: once the parent
        is handed to another user, the row is theirs and no longer the caller's."""
        me = caller(role, sub=user_id(tenant, "me"))
        other = caller(role, sub=user_id(tenant, "someone-else"))
        base, path = f"/api/{entity.plural}", owner_path(role, entity)
        mine = rows.create(entity, me.tenant, owner=me)
        assert me.get(f"{base}/{mine['id']}").status_code == 200
        assert_error(other.get(f"{base}/{mine['id']}"), 404, "NOT_FOUND", None)

        reference = entity.parent_of(path)
        parent = SCHEMA.entity(reference.references)
        handover = rows.owner_change(parent, me.tenant, other.sub, path=path[1:])
        assert rows.update(parent, me.tenant, mine[reference.column], **handover) is not None
        assert_error(me.get(f"{base}/{mine['id']}"), 404, "NOT_FOUND", None)
        listed = [item["id"] for item in me.get(base, query_string={"page_size": 200}).get_json()["items"]]
        assert mine["id"] not in listed
        assert other.get(f"{base}/{mine['id']}").status_code == 200
