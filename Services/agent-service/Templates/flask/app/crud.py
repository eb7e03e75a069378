"""The shared resource factory: one validated CRUD + list blueprint per entity.

``make_blueprint("contact")`` serves, under ``/api/contacts``:

* ``GET    /``      list (``read``), newest first, ``?page_size=1..200`` (default 50) and
  ``?page_token=`` (the ``next_page_token`` of the previous page; ``null`` on the last page);
* ``POST   /``      create (``create``) -> 201 and the row;
* ``GET    /<id>``  read (``read``);
* ``PATCH  /<id>``  partial update (``update``) -> 200 and the row;
* ``DELETE /<id>``  delete (``delete``) -> 204.

Each entity module in ``app/resources/`` calls it and may pass :class:`Hooks` to add behaviour.
The :class:`Repository` is usable without a request (the seeder and the tests use it).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

import psycopg
from flask import Blueprint, current_app, jsonify, request
from psycopg import errors, sql

from app.auth import User, current_user
from app.crypto import PIICipher
from app.db import get_db
from app.errors import ApiError
from app.rbac import authorize, owner_filter
from app.schema import Entity, load_schema
from app.validation import UUID, from_text, to_json, to_text, validate_payload

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Hooks:
    """Entity-specific behaviour; override what you need in the entity's module."""

    def before_create(self, values: dict[str, Any], user: User) -> dict[str, Any]:
        """Validated column values about to be inserted (owner already set)."""
        return values

    def before_update(self, row_id: str, values: dict[str, Any], user: User) -> dict[str, Any]:
        """Validated column values about to be written by a PATCH."""
        return values

    def after_read(self, item: dict[str, Any], user: User) -> dict[str, Any]:
        """The JSON object of a row, before it is returned (reads, lists, creates, updates)."""
        return item


class Repository:
    """SQL for one entity's table. PII columns are encrypted here and decrypted on read.

    Every statement filters on ``tenant_id`` explicitly; row-level security enforces the same
    predicate again in the database.
    """

    def __init__(self, entity: Entity, cipher: PIICipher):
        self.entity, self.cipher = entity, cipher
        self.table = sql.Identifier(entity.table)
        columns = ["id"]
        if entity.owner_is_implicit:
            columns.append(entity.owner_column)
        columns += [f.column for f in entity.fields] + ["created_at", "updated_at"]
        self.columns = columns
        self.returning = sql.SQL(", ").join(map(sql.Identifier, columns))

    # -- encoding -------------------------------------------------------------------------------
    def encode(self, values: dict[str, Any]) -> dict[str, Any]:
        encoded = {}
        for column, value in values.items():
            field = self.entity.by_column(column)
            if field is not None and field.pii:
                text = None if value is None else to_text(field, value)
                value = None if text is None else self.cipher.encrypt(text)
                if field.unique:  # blind index carrying the unique constraint (see app.crypto)
                    encoded[f"{column}_hash"] = None if text is None else self.cipher.blind_index(text)
            encoded[column] = value
        return encoded

    def decode(self, row: dict[str, Any]) -> dict[str, Any]:
        item = {}
        for column in self.columns:
            field = self.entity.by_column(column)
            value = row[column]
            if field is not None and field.pii and value is not None:
                item[column] = from_text(field, self.cipher.decrypt(value))
            else:
                item[column] = to_json(field, value)
        return item

    # -- statements -----------------------------------------------------------------------------
    def _where(self, tenant_id: str, row_id: str | None = None, owner: str | None = None):
        clauses, params = [sql.SQL("tenant_id = %s")], [tenant_id]
        if row_id is not None:
            clauses.append(sql.SQL("id = %s"))
            params.append(row_id)
        if owner is not None:
            clause, owner_params = owner_predicate(self.entity, self.entity.owner_path, tenant_id, owner)
            clauses.append(clause)
            params += owner_params
        return sql.SQL(" AND ").join(clauses), params

    def insert(self, conn: psycopg.Connection, tenant_id: str, values: dict[str, Any]) -> dict[str, Any]:
        values = {"tenant_id": tenant_id, **self.encode(values)}
        query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING {}").format(
            self.table,
            sql.SQL(", ").join(map(sql.Identifier, values)),
            sql.SQL(", ").join(sql.Placeholder() * len(values)),
            self.returning,
        )
        with _translate_errors(self.entity, "write"):
            return self.decode(conn.execute(query, list(values.values())).fetchone())

    def get(self, conn, tenant_id: str, row_id: str, owner: str | None = None) -> dict[str, Any] | None:
        where, params = self._where(tenant_id, row_id, owner)
        query = sql.SQL("SELECT {} FROM {} WHERE {}").format(self.returning, self.table, where)
        row = conn.execute(query, params).fetchone()
        return self.decode(row) if row else None

    def list(self, conn, tenant_id: str, limit: int, after: tuple[datetime, str] | None = None,
             owner: str | None = None) -> list[dict[str, Any]]:
        """Rows newest first (created_at DESC, id ASC: the order of the (tenant_id, created_at
        DESC, id) index); ``after`` is the (created_at, id) of the last row already seen."""
        where, params = self._where(tenant_id, owner=owner)
        if after is not None:
            where = sql.SQL("{} AND (created_at < %s OR (created_at = %s AND id > %s))").format(where)
            params += [after[0], after[0], after[1]]
        query = sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY created_at DESC, id ASC LIMIT %s").format(
            self.returning, self.table, where)
        return [self.decode(row) for row in conn.execute(query, params + [limit]).fetchall()]

    def update(self, conn, tenant_id: str, row_id: str, values: dict[str, Any],
               owner: str | None = None) -> dict[str, Any] | None:
        where, params = self._where(tenant_id, row_id, owner)
        values = self.encode(values)
        assignments = [sql.SQL("{} = %s").format(sql.Identifier(c)) for c in values]
        assignments.append(sql.SQL("updated_at = now()"))
        query = sql.SQL("UPDATE {} SET {} WHERE {} RETURNING {}").format(
            self.table, sql.SQL(", ").join(assignments), where, self.returning)
        with _translate_errors(self.entity, "write"):
            row = conn.execute(query, list(values.values()) + params).fetchone()
        return self.decode(row) if row else None

    def delete(self, conn, tenant_id: str, row_id: str, owner: str | None = None) -> bool:
        where, params = self._where(tenant_id, row_id, owner)
        with _translate_errors(self.entity, "delete"):
            return conn.execute(sql.SQL("DELETE FROM {} WHERE {}").format(self.table, where), params).rowcount > 0

    def check_references(self, conn, tenant_id: str, values: dict[str, Any]) -> None:
        """A reference must name a row of the caller's tenant (foreign keys alone ignore RLS)."""
        schema = load_schema()
        for field in self.entity.reference_fields:
            target = values.get(field.column)
            if target is None:
                continue
            table = sql.Identifier(schema.entity(field.references).table)
            found = conn.execute(sql.SQL("SELECT 1 FROM {} WHERE id = %s AND tenant_id = %s").format(table),
                                 (target, tenant_id)).fetchone()
            if not found:
                raise ApiError.invalid(f"{field.column} does not name an existing {field.references}", field.column)

    def check_owned_parent(self, conn, tenant_id: str, values: dict[str, Any], user: User, creating: bool) -> None:
        """With scope ``own`` on an entity owned through a parent (an owner path), the parent a
        create names (or an update moves the row to) must be one the caller owns: 403 naming the
        reference otherwise. Run after :meth:`check_references`."""
        field = self.entity.owner_parent
        if field is None or (not creating and field.column not in values):
            return
        parent = load_schema().entity(field.references)
        target = values.get(field.column)
        owned = False
        if target is not None:
            clause, params = owner_predicate(parent, self.entity.owner_path[1:], tenant_id, user.sub)
            query = sql.SQL("SELECT 1 FROM {} WHERE tenant_id = %s AND id = %s AND {}").format(
                sql.Identifier(parent.table), clause)
            owned = conn.execute(query, [tenant_id, target, *params]).fetchone() is not None
        if not owned:
            article = "an" if parent.name[0] in "aeiou" else "a"
            raise ApiError.forbidden(
                f"role {user.role!r} may only create or move {self.entity.plural} under {article} {parent.name} it owns",
                field.column)


def owner_predicate(entity: Entity, path: tuple[str, ...], tenant_id: str, owner: str):
    """The condition (and its parameters) that a row of ``entity`` is owned by ``owner`` (a
    ``sub``) along ``path``: the owner column equals it, or, for a path, the reference names a row
    of the parent's table (in the same tenant) that the rest of the path gives to ``owner``::

        appointment_id IN (SELECT id FROM appointments WHERE tenant_id = %s AND patient_id::text = %s)

    Only identifiers from the schema and bound parameters go into the SQL."""
    field = entity.field(path[0])
    column = sql.Identifier(field.column if field is not None else path[0])
    if len(path) == 1:
        return sql.SQL("{}::text = %s").format(column), [owner]
    parent = load_schema().entity(field.references)
    inner, params = owner_predicate(parent, path[1:], tenant_id, owner)
    clause = sql.SQL("{} IN (SELECT id FROM {} WHERE tenant_id = %s AND {})").format(
        column, sql.Identifier(parent.table), inner)
    return clause, [tenant_id, *params]


class _translate_errors:
    """Maps constraint violations to 400/409 errors that name the field."""

    def __init__(self, entity: Entity, operation: str):
        self.entity, self.operation = entity, operation

    def __enter__(self):
        return self

    def __exit__(self, kind, error, _tb):
        if not isinstance(error, psycopg.Error):
            return False
        column = self._column(error)
        if isinstance(error, errors.UniqueViolation):
            raise ApiError.conflict(f"a {self.entity.name} with this {column or 'value'} already exists", column) from None
        if isinstance(error, errors.ForeignKeyViolation):
            if self.operation == "delete":
                raise ApiError.conflict(f"this {self.entity.name} is still referenced by other rows",
                                        code="FAILED_PRECONDITION") from None
            raise ApiError.invalid(f"{column or 'a reference'} does not name an existing row", column) from None
        if isinstance(error, (errors.CheckViolation, errors.NotNullViolation)):
            raise ApiError.invalid(f"{column or 'a field'} is invalid", column) from None
        return False

    def _column(self, error: psycopg.Error) -> str | None:
        diag = error.diag
        if diag.column_name:
            return diag.column_name
        name = diag.constraint_name or ""
        prefix = f"{self.entity.table}_"
        for suffix in ("_unique", "_fkey", "_check", "_key"):
            if name.startswith(prefix) and name.endswith(suffix):
                candidate = name[len(prefix):-len(suffix)]
                field = self.entity.by_column(candidate) or self.entity.field(candidate)
                return field.column if field else candidate
        return None


def encode_page_token(item: dict[str, Any]) -> str:
    raw = json.dumps([item["created_at"], item["id"]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str) -> tuple[datetime, str]:
    try:
        created_at, row_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not UUID.match(row_id):
            raise ValueError
        return datetime.fromisoformat(created_at.replace("Z", "+00:00")), row_id
    except (ValueError, TypeError, AttributeError, binascii.Error, UnicodeDecodeError):
        raise ApiError.invalid("page_token is not a token this API returned", "page_token") from None


def _page_size() -> int:
    raw = request.args.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ApiError.invalid(f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}", "page_size")
    return int(raw)


def _body() -> Any:
    body = request.get_json(force=True, silent=True)
    if body is None:
        raise ApiError.invalid("the body must be a JSON object")
    return body


def _owner_value(entity: Entity, values: dict[str, Any], user: User, scope: str, creating: bool) -> None:
    """Sets or checks the owner column: own-scope callers can only own rows themselves. (Rows
    owned through a parent have no owner column: see :meth:`Repository.check_owned_parent`.)"""
    column = entity.owner_column
    if column is None:
        return
    given = values.get(column)
    if scope == "own" and column in values and given != user.sub:
        raise ApiError.forbidden(f"role {user.role!r} may only own its {entity.plural} itself", column)
    if creating and given is None:
        owner = entity.field(entity.owner_field)
        if owner is not None and owner.type == "reference" and not UUID.match(user.sub):
            raise ApiError.invalid(f"{column} is required (the caller's sub is not a {owner.references} id)", column)
        values[column] = user.sub


def make_blueprint(entity_name: str, hooks: Hooks | None = None) -> Blueprint:
    """The blueprint serving one entity's CRUD and list endpoints."""
    entity = load_schema().entity(entity_name)
    hooks = hooks or Hooks()
    blueprint = Blueprint(entity.plural, __name__, url_prefix=f"/{entity.plural}")

    def repository() -> Repository:
        return Repository(entity, current_app.extensions["pii_cipher"])

    def row_or_404(row_id: str) -> str:
        if not UUID.match(row_id):
            raise ApiError.not_found(f"{entity.name} not found")
        return row_id.lower()

    @blueprint.get("")
    def list_rows():
        user = current_user()
        owner = owner_filter(user, entity, authorize(user, entity, "read"))
        page_size = _page_size()
        token = request.args.get("page_token")
        after = decode_page_token(token) if token else None
        rows = repository().list(get_db(), user.tenant_id, page_size + 1, after, owner)
        more = len(rows) > page_size
        rows = rows[:page_size]
        return jsonify({
            "items": [hooks.after_read(row, user) for row in rows],
            "next_page_token": encode_page_token(rows[-1]) if more else None,
        })

    @blueprint.post("")
    def create_row():
        user = current_user()
        scope = authorize(user, entity, "create")
        values = validate_payload(entity, _body(), partial=False)
        _owner_value(entity, values, user, scope, creating=True)
        values = hooks.before_create(values, user)
        repo, conn = repository(), get_db()
        repo.check_references(conn, user.tenant_id, values)
        if scope == "own":
            repo.check_owned_parent(conn, user.tenant_id, values, user, creating=True)
        item = hooks.after_read(repo.insert(conn, user.tenant_id, values), user)
        return jsonify(item), 201, {"Location": f"{request.path}/{item['id']}"}

    @blueprint.get("/<row_id>")
    def read_row(row_id: str):
        user = current_user()
        owner = owner_filter(user, entity, authorize(user, entity, "read"))
        item = repository().get(get_db(), user.tenant_id, row_or_404(row_id), owner)
        if item is None:
            raise ApiError.not_found(f"{entity.name} not found")
        return jsonify(hooks.after_read(item, user))

    @blueprint.patch("/<row_id>")
    def update_row(row_id: str):
        user = current_user()
        scope = authorize(user, entity, "update")
        row_id = row_or_404(row_id)
        values = validate_payload(entity, _body(), partial=True)
        _owner_value(entity, values, user, scope, creating=False)
        values = hooks.before_update(row_id, values, user)
        repo, conn = repository(), get_db()
        owner = owner_filter(user, entity, scope)
        if not values:
            item = repo.get(conn, user.tenant_id, row_id, owner)
        else:
            repo.check_references(conn, user.tenant_id, values)
            if scope == "own":
                repo.check_owned_parent(conn, user.tenant_id, values, user, creating=False)
            item = repo.update(conn, user.tenant_id, row_id, values, owner)
        if item is None:
            raise ApiError.not_found(f"{entity.name} not found")
        return jsonify(hooks.after_read(item, user))

    @blueprint.delete("/<row_id>")
    def delete_row(row_id: str):
        user = current_user()
        owner = owner_filter(user, entity, authorize(user, entity, "delete"))
        if not repository().delete(get_db(), user.tenant_id, row_or_404(row_id), owner):
            raise ApiError.not_found(f"{entity.name} not found")
        return "", 204

    return blueprint
