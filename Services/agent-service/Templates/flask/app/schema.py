"""The application's formal spec (``app/schema.json``), loaded into small read-only objects.

Everything generic in this package (validation, RBAC, PII handling, the CRUD resource factory)
reads the spec from here, so the spec file is the single source of truth for entities, fields,
roles and permissions. The migrations in ``migrations/`` were generated from the same spec.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("schema.json")

ACTIONS = ("create", "read", "update", "delete")
FIELD_TYPES = (
    "string", "text", "int", "decimal", "bool", "date", "datetime",
    "enum", "email", "phone", "money", "reference",
)


@dataclass(frozen=True)
class Field:
    """One field of an entity, as the API and the table see it."""

    name: str
    type: str
    required: bool = False
    unique: bool = False
    pii: bool = False
    values: tuple[str, ...] = ()
    references: str | None = None
    is_owner: bool = False

    @property
    def column(self) -> str:
        """The column (and JSON key): ``<name>_id`` for references, else the name."""
        return f"{self.name}_id" if self.type == "reference" else self.name

    @property
    def required_on_create(self) -> bool:
        """Required in a create payload (the owner field defaults to the caller)."""
        return self.required and not self.is_owner


@dataclass(frozen=True)
class Entity:
    """One entity: a table named by its plural and a resource under ``/api/<plural>``.

    ``owner_field`` decides which rows a role with scope ``own`` may touch: a field of the entity
    (a string holding the owning user's id, the token's ``sub``, or a reference whose row's id is
    the ``sub``), or a dotted path such as ``appointment.patient``: the entity's reference
    ``appointment``, then that row's ``patient`` decides (a path may go through more references).
    A role's "own" permission may name an ``owner_path`` of its own instead (see
    :meth:`Schema.owner_path`).
    """

    name: str
    plural: str
    fields: tuple[Field, ...]
    owner_field: str | None = None

    @property
    def table(self) -> str:
        return self.plural

    @property
    def owned(self) -> bool:
        """True when rows are owned (by a column of their own or through a parent row)."""
        return bool(self.owner_field)

    @property
    def owner_path(self) -> tuple[str, ...]:
        """The owner field as field names: ``("owner",)``, ``("appointment", "patient")``; ``()``
        when rows are not owned."""
        return tuple(self.owner_field.split(".")) if self.owner_field else ()

    @property
    def owner_parent(self) -> Field | None:
        """The reference an owner path goes through (its first segment); None unless a path."""
        return self.parent_of(self.owner_path)

    @property
    def owner_column(self) -> str | None:
        """The column holding the owning user's id (``sub``), when the entity itself holds it
        (None when rows are not owned or are owned through a parent)."""
        return self.column_of(self.owner_path)

    def parent_of(self, path: tuple[str, ...]) -> Field | None:
        """The reference an owner path goes through (its first segment); None unless a path of
        more than one segment."""
        return self.field(path[0]) if len(path) > 1 else None

    def column_of(self, path: tuple[str, ...]) -> str | None:
        """The column of a one-segment owner path (a field's column, or the implicit owner
        column); None for a longer path or none."""
        if len(path) != 1:
            return None
        declared = self.field(path[0])
        return declared.column if declared else path[0]

    @property
    def owner_is_implicit(self) -> bool:
        """True when the owner column is not one of the declared fields (it is then a text column)."""
        return len(self.owner_path) == 1 and self.field(self.owner_field) is None

    @property
    def pii_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.pii)

    @property
    def reference_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.type == "reference")

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def by_column(self, column: str) -> Field | None:
        return next((f for f in self.fields if f.column == column), None)


@dataclass(frozen=True)
class Permission:
    actions: frozenset[str]
    scope: str  # "all" or "own"
    # With "own": the path deciding the role's own rows when not the entity's owner field.
    owner_path: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schema:
    title: str
    entities: tuple[Entity, ...]
    roles: dict[str, dict[str, list[Permission]]] = field(default_factory=dict)
    join_tables: tuple[dict, ...] = ()
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    def entity(self, name: str) -> Entity:
        for entity in self.entities:
            if entity.name == name or entity.plural == name:
                return entity
        raise KeyError(name)

    def scope(self, role: str, entity: str, action: str) -> str | None:
        """The row scope a role has for an action on an entity: "all", "own", or None (denied).

        When several permissions of a role grant the same action, the widest scope wins.
        """
        scopes = {p.scope for p in self.roles.get(role, {}).get(entity, []) if action in p.actions}
        if "all" in scopes:
            return "all"
        return "own" if "own" in scopes else None

    def owner_path(self, role: str, entity: Entity) -> tuple[str, ...]:
        """The path deciding which rows of ``entity`` are ``role``'s own: the ``owner_path`` of
        the role's "own" permission on it, else the entity's owner path (``()``: not owned).
        Landlords may own tenancies through ``("property", "landlord")`` while a tenant owns
        theirs through ``("tenant",)``."""
        for permission in self.roles.get(role, {}).get(entity.name, []):
            if permission.scope == "own" and permission.owner_path:
                return permission.owner_path
        return entity.owner_path


def parse_schema(data: dict) -> Schema:
    """Builds a :class:`Schema` from the spec's JSON and checks it is consistent."""
    entities = []
    for e in data["entities"]:
        owner = e.get("owner_field")
        fields = tuple(
            Field(
                name=f["name"],
                type=f["type"],
                required=bool(f.get("required")),
                unique=bool(f.get("unique")),
                pii=bool(f.get("pii")),
                values=tuple(f.get("values") or ()),
                references=f.get("references"),
                is_owner=f["name"] == owner,
            )
            for f in e.get("fields", [])
        )
        for f in fields:
            if f.type not in FIELD_TYPES:
                raise ValueError(f"{e['name']}.{f.name}: unknown field type {f.type!r}")
        entities.append(Entity(name=e["name"], plural=e["plural"], fields=fields, owner_field=owner))
    names = {e.name for e in entities}
    by_name = {e.name: e for e in entities}
    for e in entities:
        _check_owner_path(e, e.owner_path, by_name, f"{e.name}: owner_field {e.owner_field!r}")
    roles: dict[str, dict[str, list[Permission]]] = {}
    for role in data.get("roles", []):
        grants = roles.setdefault(role["name"], {})
        for p in role.get("permissions", []):
            if p["entity"] not in names:
                raise ValueError(f"role {role['name']}: unknown entity {p['entity']!r}")
            entity, scope = by_name[p["entity"]], p.get("scope", "all")
            path = tuple(p["owner_path"].split(".")) if p.get("owner_path") else ()
            where = f"role {role['name']} on {entity.name}"
            if path and scope != "own":
                raise ValueError(f"{where}: only scope 'own' takes an owner_path")
            if scope == "own" and not (path or entity.owned):
                raise ValueError(f"{where}: scope 'own' needs an owner_field or an owner_path")
            _check_owner_path(entity, path, by_name, f"{where}: owner_path {p.get('owner_path')!r}")
            owning = {q.owner_path or entity.owner_path for q in grants.get(entity.name, []) if q.scope == "own"}
            if scope == "own" and owning - {path or entity.owner_path}:
                raise ValueError(f"{where}: one role owns an entity's rows through one path")
            grants.setdefault(entity.name, []).append(Permission(frozenset(p.get("actions", [])), scope, path))
    joins = tuple(r for r in data.get("relations", []) if r.get("kind") == "many_to_many")
    return Schema(title=data.get("title", ""), entities=tuple(entities), roles=roles, join_tables=joins, raw=data)


def join_column(entity: str) -> str:
    """The column of a many-to-many join table holding the id of an ``entity`` row:
    ``<entity>_id``, but ``tenant_party_id`` for an entity named ``tenant``, whose plain column
    would be the tenancy column every table has."""
    return "tenant_party_id" if entity == "tenant" else f"{entity}_id"


def _check_owner_path(entity: Entity, path: tuple[str, ...], entities: dict[str, Entity], where: str) -> None:
    """Every segment of an owner path but the last is a reference; the last is a string or a
    reference field (or the implicit owner column) of the entity the path has reached."""
    current = entity
    for index, name in enumerate(path):
        field = current.field(name)
        if index < len(path) - 1:
            if field is None or field.type != "reference" or field.references not in entities:
                raise ValueError(f"{where}: {current.name}.{name} is not a reference field")
            current = entities[field.references]
        elif field is None:
            if not (current.owner_is_implicit and current.owner_field == name):
                raise ValueError(f"{where}: {current.name} has no field {name!r}")
        elif field.type not in ("string", "reference"):
            raise ValueError(f"{where}: {current.name}.{name} must be a string or a reference")


@lru_cache(maxsize=1)
def load_schema(path: str | None = None) -> Schema:
    """The spec of this application (cached)."""
    with open(path or SCHEMA_PATH, encoding="utf-8") as fh:
        return parse_schema(json.load(fh))
