"""Routes along the relations between entities, under ``/api``:

* **Nested lists** for references: ``GET /<parents>/<id>/<children>`` lists the children whose
  reference names that parent (``GET /companies/<id>/contacts``), with every list parameter of
  ``GET /<children>`` but that reference. The parent must exist in the caller's tenant (404).
  A child with two references to the same parent entity (``from_account``, ``to_account``) gets
  none, since the route could not say which; nor does a pair of entities that also has a
  many-to-many relation, whose routes below take that path.
* **Many-to-many**, for each join table in both directions (once for a relation of an entity with
  itself): ``GET /<lefts>/<id>/<rights>`` lists the linked rows, ``PUT /<lefts>/<id>/<rights>/<id>``
  links two rows (204, idempotent) and ``DELETE`` the same path unlinks them (204; 404 when they are
  not linked). Linking and unlinking need ``update`` on the left row and ``read`` on the right row,
  each in the caller's scope.

:func:`nested_routes` and :func:`link_routes` decide which routes exist; the System Designer's
``openapi.yaml`` lists the same (``tests/test_openapi.py`` checks).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app
from psycopg import sql

from app.auth import current_user
from app.crud import Repository, list_response
from app.db import get_db
from app.errors import ApiError
from app.rbac import Owner, authorize, owner_filter
from app.schema import Entity, Field, Schema, join_column, load_schema
from app.validation import UUID


@dataclass(frozen=True)
class NestedRoute:
    """``GET /<parent.plural>/<id>/<child.plural>``: children through ``field``."""

    parent: Entity
    child: Entity
    field: Field


@dataclass(frozen=True)
class LinkRoute:
    """The many-to-many routes from ``left`` to ``right`` through the join table ``via``."""

    left: Entity
    right: Entity
    via: str
    left_column: str
    right_column: str


def nested_routes(schema: Schema) -> list[NestedRoute]:
    """One nested list per reference, but for ambiguous and many-to-many pairs."""
    linked = {frozenset((join["from"], join["to"])) for join in schema.join_tables}
    routes = []
    for child in schema.entities:
        by_parent: dict[str, list[Field]] = {}
        for field in child.reference_fields:
            by_parent.setdefault(field.references, []).append(field)
        for parent, fields in by_parent.items():
            if len(fields) == 1 and frozenset((child.name, parent)) not in linked:
                routes.append(NestedRoute(schema.entity(parent), child, fields[0]))
    return routes


def link_routes(schema: Schema) -> list[LinkRoute]:
    """Both directions of each many-to-many relation (one for an entity with itself)."""
    routes = []
    for join in schema.join_tables:
        left, right = schema.entity(join["from"]), schema.entity(join["to"])
        forward = LinkRoute(left, right, join["via"], join_column(left.name), join_column(right.name))
        routes.append(forward)
        if left.name != right.name:
            routes.append(LinkRoute(right, left, join["via"], forward.right_column, forward.left_column))
    return routes


def _existing(entity: Entity, row_id: str, owner: Owner | None = None) -> str:
    """The row's id when it exists in the caller's tenant (and scope), else 404."""
    user = current_user()
    if not UUID.match(row_id) or Repository(entity, current_app.extensions["pii_cipher"]).get(
            get_db(), user.tenant_id, row_id.lower(), owner) is None:
        raise ApiError.not_found(f"{entity.name} not found")
    return row_id.lower()


def _scoped(entity: Entity, action: str) -> Owner | None:
    user = current_user()
    return owner_filter(user, entity, authorize(user, entity, action))


def make_relations_blueprint() -> Blueprint:
    """The blueprint of every nested and many-to-many route of the schema."""
    schema = load_schema()
    blueprint = Blueprint("relations", __name__)
    for route in nested_routes(schema):
        blueprint.add_url_rule(f"/{route.parent.plural}/<parent_id>/{route.child.plural}",
                               f"{route.child.plural}_of_{route.parent.name}", _nested_list(route), methods=["GET"])
    for route in link_routes(schema):
        base = f"/{route.left.plural}/<left_id>/{route.right.plural}"
        name = f"{route.right.plural}_linked_to_{route.left.name}"
        blueprint.add_url_rule(base, f"list_{name}", _linked_list(route), methods=["GET"])
        blueprint.add_url_rule(f"{base}/<right_id>", f"link_{name}", _link(route), methods=["PUT"])
        blueprint.add_url_rule(f"{base}/<right_id>", f"unlink_{name}", _unlink(route), methods=["DELETE"])
    return blueprint


def _nested_list(route: NestedRoute):
    def view(parent_id: str):
        authorize(current_user(), route.child, "read")
        parent = _existing(route.parent, parent_id)
        where = (sql.SQL("{} = %s").format(sql.Identifier(route.field.column)), [parent])
        return list_response(route.child, where, fixed=(route.field.column,))
    return view


def _linked_list(route: LinkRoute):
    def view(left_id: str):
        authorize(current_user(), route.right, "read")
        left = _existing(route.left, left_id)
        where = (sql.SQL("id IN (SELECT {} FROM {} WHERE tenant_id = %s AND {} = %s)").format(
            sql.Identifier(route.right_column), sql.Identifier(route.via), sql.Identifier(route.left_column)),
            [current_user().tenant_id, left])
        return list_response(route.right, where)
    return view


def _link(route: LinkRoute):
    def view(left_id: str, right_id: str):
        left = _existing(route.left, left_id, _scoped(route.left, "update"))
        right = _existing(route.right, right_id, _scoped(route.right, "read"))
        get_db().execute(
            sql.SQL("INSERT INTO {} (tenant_id, {}, {}) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING").format(
                sql.Identifier(route.via), sql.Identifier(route.left_column), sql.Identifier(route.right_column)),
            (current_user().tenant_id, left, right))
        return "", 204
    return view


def _unlink(route: LinkRoute):
    def view(left_id: str, right_id: str):
        left = _existing(route.left, left_id, _scoped(route.left, "update"))
        right = _existing(route.right, right_id, _scoped(route.right, "read"))
        removed = get_db().execute(
            sql.SQL("DELETE FROM {} WHERE tenant_id = %s AND {} = %s AND {} = %s").format(
                sql.Identifier(route.via), sql.Identifier(route.left_column), sql.Identifier(route.right_column)),
            (current_user().tenant_id, left, right)).rowcount
        if not removed:
            raise ApiError.not_found(f"{route.left.name} {left} is not linked to {route.right.name} {right}")
        return "", 204
    return view
