"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from decimal import Decimal

from app.schema import Entity, Field, load_schema

SCHEMA = load_schema()
DEFAULT_SUB = "test-user"
# A value of the wrong type (or shape) per field type; each must be rejected with 400.
BAD_VALUES = {
    "string": 12345, "text": 12345, "int": "twelve", "decimal": "a lot", "money": "a lot",
    "bool": "yes", "date": "2026-02-30", "datetime": "yesterday", "enum": "not-a-choice",
    "email": "not-an-email", "phone": "call me", "reference": "not-a-uuid",
}


def assert_error(response, status: int, code: str, field: str | None) -> dict:
    """Asserts a JSON error ``{"error": {"code", "message", "field"}}`` and returns it."""
    assert response.status_code == status, (response.status_code, response.get_json())
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == (code, field), error
    assert isinstance(error["message"], str) and error["message"]
    return error


def user_id(tenant: str, name: str = DEFAULT_SUB) -> str:
    """The ``sub`` of the test user ``name`` in a tenant: a UUID of its own per tenant and name,
    because a user who owns rows through a reference (a patient owning appointments) is the
    referenced row with that id, and row ids are unique across tenants. ``caller(role)`` acts as
    ``user_id(tenant)``, the tenant's default user, who also owns the rows the factory makes."""
    return str(uuid.uuid5(uuid.UUID(tenant), name))


def owner_path(role: str, entity: Entity) -> tuple[str, ...]:
    """The path that decides which rows of ``entity`` are ``role``'s own, read from
    ``app/schema.json`` itself (the app's own lookup is what the tests check): the ``owner_path``
    of the role's "own" permission on the entity, else the entity's owner path."""
    for role_spec in SCHEMA.raw.get("roles", []):
        if role_spec["name"] != role:
            continue
        for permission in role_spec.get("permissions", []):
            if permission["entity"] == entity.name and permission.get("scope") == "own" and permission.get("owner_path"):
                return tuple(permission["owner_path"].split("."))
    return entity.owner_path


def owner_is_a_row(entity: Entity, path: tuple[str, ...] | None = None) -> bool:
    """True when the owner of the entity's rows along ``path`` (default: its owner path) is a row
    whose id is the ``sub``: the path's last segment is a reference."""
    path = entity.owner_path if path is None else path
    if not path:
        return False
    current = entity
    for name in path[:-1]:
        current = SCHEMA.entity(current.field(name).references)
    last = current.field(path[-1])
    return last is not None and last.type == "reference"


def roles_allowed(entity: Entity, action: str) -> list[str]:
    """Roles granted an action on an entity, those with scope "all" first."""
    scopes = [(role, SCHEMA.scope(role, entity.name, action)) for role in SCHEMA.roles]
    return [r for r, s in scopes if s == "all"] + [r for r, s in scopes if s == "own"]


def sample_value(field: Field):
    """A valid, random-enough JSON value for a field (references excluded)."""
    n = secrets.token_hex(4)
    number = int(n, 16)
    return {
        "string": lambda: f"{field.name.replace('_', ' ').title()} {n}",
        "text": lambda: f"Some {field.name.replace('_', ' ')} text {n}",
        "int": lambda: number % 100_000,
        "decimal": lambda: f"{number % 1000}.125",
        "money": lambda: f"{number % 100_000}.50",
        "bool": lambda: True,
        "date": lambda: f"2026-01-{number % 28 + 1:02d}",
        "datetime": lambda: f"2026-01-{number % 28 + 1:02d}T09:30:00Z",
        "enum": lambda: field.values[number % len(field.values)] if field.values else "",
        "email": lambda: f"person.{n}@example.com",
        "phone": lambda: f"+1 555 01{number % 100:02d} {number % 10_000:04d}",
    }[field.type]()


def same_value(field: Field | None, expected, actual) -> bool:
    """Whether a returned JSON value is the one sent (numbers and times are normalised)."""
    if expected is None or actual is None or field is None:
        return expected == actual
    if field.type in ("money", "decimal"):
        return Decimal(str(expected)) == Decimal(str(actual))
    if field.type == "datetime":
        return datetime.fromisoformat(expected.replace("Z", "+00:00")) == datetime.fromisoformat(actual.replace("Z", "+00:00"))
    if field.type == "reference":
        return expected.lower() == actual.lower()
    return expected == actual


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
