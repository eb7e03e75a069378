"""Routes along relations (``app/relations.py``): a nested list holds only the children of its
parent, and many-to-many rows link, list and unlink in both directions, within the tenant and the
caller's permissions."""

from __future__ import annotations

import uuid

import pytest

from app.relations import link_routes, nested_routes
from support import SCHEMA, assert_error, roles_allowed


def ids(response) -> set[str]:
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}


def test_a_nested_list_holds_only_the_children_of_its_parent(caller, rows, subtests):
    routes = [route for route in nested_routes(SCHEMA) if roles_allowed(route.child, "read")]
    if not routes:
        pytest.skip("no readable entity references another")
    for route in routes:
        with subtests.test(route=f"{route.parent.plural}/{{id}}/{route.child.plural}"):
            tenant = str(uuid.uuid4())
            reader = caller(roles_allowed(route.child, "read")[0], tenant=tenant)
            mine, other = rows.create(route.parent, tenant)["id"], rows.create(route.parent, tenant)["id"]
            wanted = {rows.create(route.child, tenant, owner=reader, **{route.field.column: mine})["id"]
                      for _ in range(1 if route.field.unique else 2)}
            rows.create(route.child, tenant, owner=reader, **{route.field.column: other})
            url = f"/api/{route.parent.plural}/{mine}/{route.child.plural}"
            response = reader.get(url, query_string={"include_total": "true"})
            assert ids(response) == wanted and response.get_json()["total"] == len(wanted)
            assert_error(reader.get(url, query_string={route.field.column: other}), 400, "INVALID_ARGUMENT", route.field.column)
            assert_error(reader.get(f"/api/{route.parent.plural}/{uuid.uuid4()}/{route.child.plural}"), 404, "NOT_FOUND", None)
            stranger = caller(roles_allowed(route.child, "read")[0], tenant=str(uuid.uuid4()))
            assert_error(stranger.get(url), 404, "NOT_FOUND", None)


def test_many_to_many_rows_link_list_and_unlink_both_ways(caller, rows, subtests):
    routes = link_routes(SCHEMA)
    if not routes:
        pytest.skip("the spec has no many-to-many relation")
    for route in routes:
        editors = [r for r in roles_allowed(route.left, "update") if r in roles_allowed(route.right, "read")]
        if not editors:
            continue
        with subtests.test(route=f"{route.left.plural}/{{id}}/{route.right.plural}"):
            tenant = str(uuid.uuid4())
            editor = caller(editors[0], tenant=tenant)
            left = rows.create(route.left, tenant, owner=editor)["id"]
            rights = [rows.create(route.right, tenant, owner=editor)["id"] for _ in range(2)]
            base = f"/api/{route.left.plural}/{left}/{route.right.plural}"
            assert ids(editor.get(base)) == set()
            for right in rights + rights[:1]:  # linking twice is harmless
                assert editor.put(f"{base}/{right}").status_code == 204
            assert ids(editor.get(base)) == set(rights)
            assert editor.delete(f"{base}/{rights[0]}").status_code == 204
            assert ids(editor.get(base)) == {rights[1]}
            assert_error(editor.delete(f"{base}/{rights[0]}"), 404, "NOT_FOUND", None)
            assert_error(editor.put(f"{base}/{uuid.uuid4()}"), 404, "NOT_FOUND", None)
            stranger = caller(editors[0], tenant=str(uuid.uuid4()))
            assert_error(stranger.put(f"{base}/{rights[0]}"), 404, "NOT_FOUND", None)
            outsiders = [r for r in SCHEMA.roles if r not in roles_allowed(route.left, "update")]
            if outsiders:
                assert_error(caller(outsiders[0], tenant=tenant).put(f"{base}/{rights[0]}"), 403, "PERMISSION_DENIED", None)
