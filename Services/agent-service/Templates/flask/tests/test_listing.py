"""Lists: filters on non-PII columns (equality, ranges, references), unknown and PII parameters
refused naming them, sorting with pages that keep the order, and totals on request
(``app/listing.py``)."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from app.listing import RANGE_TYPES, UNSORTABLE_TYPES
from support import SCHEMA, assert_error, owner_path, roles_allowed

ORDERED = ("int", "decimal", "money", "date", "datetime")


def distinct_values(field, count: int) -> list:
    """``count`` different valid values of a field, in ascending order."""
    return {
        "int": lambda: [10 * (i + 1) for i in range(count)],
        "decimal": lambda: [f"{i + 1}.250" for i in range(count)],
        "money": lambda: [f"{100 * (i + 1)}.00" for i in range(count)],
        "date": lambda: [f"2026-02-{i + 1:02d}" for i in range(count)],
        "datetime": lambda: [f"2026-02-{i + 1:02d}T08:00:00Z" for i in range(count)],
        "bool": lambda: [False, True][:count],
        "enum": lambda: sorted(field.values)[:count],
        "string": lambda: [f"{field.name} {chr(97 + i)}" for i in range(count)],
        "text": lambda: [f"{field.name} {chr(97 + i)}" for i in range(count)],
        "email": lambda: [f"{chr(97 + i)}.office@example.com" for i in range(count)],
        "phone": lambda: [f"+1 555 0100 00{i:02d}" for i in range(count)],
    }[field.type]()


def candidates(types: tuple[str, ...], minimum: int = 2):
    """(entity, field, role) for non-PII fields of the types, of entities some role may read,
    whose field has at least ``minimum`` distinct values."""
    found = []
    for entity in SCHEMA.entities:
        readers = roles_allowed(entity, "read")
        for field in entity.fields:
            if readers and not field.pii and field.type in types and not owns(field, entity, readers[0]) and \
                    len(distinct_values(field, minimum)) >= minimum:
                found.append((entity, field, readers[0]))
    if not found:
        pytest.skip(f"no readable entity has a non-PII field of type {', '.join(types)}")
    return found


def owns(field, entity, role: str) -> bool:
    """Whether the field decides whose rows of the entity are whose: the owner field, or the
    first field of the role's owner path (the rows a test lists must stay the reader's)."""
    path = owner_path(role, entity)
    return field.is_owner or bool(path and field.name == path[0])


def listed(reader, entity, **query) -> dict:
    response = reader.get(f"/api/{entity.plural}", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def every_page(reader, entity, **query) -> list[dict]:
    items, token = [], None
    while True:
        body = listed(reader, entity, page_size=2, **query, **({"page_token": token} if token else {}))
        items += body["items"]
        token = body["next_page_token"]
        if token is None:
            return items


def test_unknown_repeated_and_pii_parameters_are_refused_naming_them(caller, subtests):
    for entity in SCHEMA.entities:
        readers = roles_allowed(entity, "read")
        if not readers:
            continue
        reader = caller(readers[0])
        base = f"/api/{entity.plural}"
        cases = {"no_such_column": "1", "page": "2", "sort": "no_such_column", "include_total": "yes"}
        cases.update({f.column: "x" for f in entity.pii_fields if f.type != "reference"})
        cases.update({f"{f.column}[gte]": "1" for f in entity.fields if f.type not in RANGE_TYPES and not f.pii})
        for name, value in cases.items():
            with subtests.test(entity=entity.name, parameter=name):
                assert_error(reader.get(base, query_string={name: value}), 400, "INVALID_ARGUMENT", name)
        with subtests.test(entity=entity.name, parameter="page_token for another sort"):
            token = base64.urlsafe_b64encode(json.dumps(["-created_at", "2026-01-01T00:00:00Z", str(uuid.uuid4())]).encode()).decode()
            assert listed(reader, entity, page_token=token)["items"] == []
            assert_error(reader.get(base, query_string={"sort": "created_at", "page_token": token}), 400,
                         "INVALID_ARGUMENT", "page_token")
    repeated = next(e for e in SCHEMA.entities if roles_allowed(e, "read"))
    response = caller(roles_allowed(repeated, "read")[0]).get(f"/api/{repeated.plural}?page_size=1&page_size=2")
    assert_error(response, 400, "INVALID_ARGUMENT", "page_size")


def test_an_equality_filter_returns_exactly_the_matching_rows_and_its_total(caller, rows, subtests):
    types = ("int", "decimal", "money", "date", "datetime", "bool", "enum", "string", "email", "phone")
    for entity, field, role in candidates(types):
        with subtests.test(entity=entity.name, field=field.column):
            tenant = str(uuid.uuid4())
            reader = caller(role, tenant=tenant)
            first, second = distinct_values(field, 2)
            copies = 1 if field.unique else 2
            wanted = {rows.create(entity, tenant, owner=reader, **{field.column: first})["id"] for _ in range(copies)}
            rows.create(entity, tenant, owner=reader, **{field.column: second})
            query = {field.column: str(first).lower() if field.type == "bool" else str(first)}
            body = listed(reader, entity, include_total="true", **query)
            assert {item["id"] for item in body["items"]} == wanted
            assert body["total"] == copies
            assert "total" not in listed(reader, entity, **query)


def test_a_reference_filter_returns_the_children_of_one_parent(caller, rows, subtests):
    pairs = [(entity, field, roles_allowed(entity, "read")) for entity in SCHEMA.entities
             for field in entity.reference_fields
             if roles_allowed(entity, "read") and not owns(field, entity, roles_allowed(entity, "read")[0])]
    if not pairs:
        pytest.skip("no readable entity has a reference")
    for entity, field, readers in pairs:
        with subtests.test(entity=entity.name, reference=field.column):
            tenant = str(uuid.uuid4())
            reader = caller(readers[0], tenant=tenant)
            parent = SCHEMA.entity(field.references)
            mine, other = rows.create(parent, tenant)["id"], rows.create(parent, tenant)["id"]
            wanted = {rows.create(entity, tenant, owner=reader, **{field.column: mine})["id"] for _ in range(1 if field.unique else 2)}
            rows.create(entity, tenant, owner=reader, **{field.column: other})
            assert {item["id"] for item in every_page(reader, entity, **{field.column: mine})} == wanted
            assert_error(reader.get(f"/api/{entity.plural}", query_string={field.column: "not-a-uuid"}), 400,
                         "INVALID_ARGUMENT", field.column)


def test_range_filters_are_inclusive(caller, rows, subtests):
    for entity, field, role in candidates(RANGE_TYPES, minimum=3):
        with subtests.test(entity=entity.name, field=field.column):
            tenant = str(uuid.uuid4())
            reader = caller(role, tenant=tenant)
            low, middle, high = distinct_values(field, 3)
            ids = [rows.create(entity, tenant, owner=reader, **{field.column: value})["id"] for value in (low, middle, high)]
            body = listed(reader, entity, **{f"{field.column}[gte]": str(middle), f"{field.column}[lte]": str(high)})
            assert {item["id"] for item in body["items"]} == set(ids[1:])


def test_sorting_orders_every_page_both_ways(caller, rows, subtests):
    # numbers and times: their order does not depend on the database's collation
    for entity, field, role in candidates(tuple(t for t in ORDERED if t not in UNSORTABLE_TYPES), minimum=5):
        with subtests.test(entity=entity.name, field=field.column):
            tenant = str(uuid.uuid4())
            reader = caller(role, tenant=tenant)
            values = distinct_values(field, 5)
            created = [rows.create(entity, tenant, owner=reader, **{field.column: value})["id"] for value in values]
            ascending = [item["id"] for item in every_page(reader, entity, sort=field.column)]
            descending = [item["id"] for item in every_page(reader, entity, sort=f"-{field.column}")]
            assert ascending == created
            assert descending == list(reversed(created))
