"""The shared resource factory: one validated CRUD + list blueprint per entity.

``make_blueprint("contact")`` serves, under ``/api/contacts``:

* ``GET    /``      list (``read``): filters, sorting, ``total`` on request and pages, see
  ``app/listing.py`` (newest first by default);
* ``POST   /``      create (``create``) -> 201 and the row;
* ``GET    /<id>``  read (``read``);
* ``PATCH  /<id>``  partial update (``update``) -> 200 and the row;
* ``DELETE /<id>``  delete (``delete``) -> 204.

Every row answered alone carries an ``ETag`` (its version: it changes with every update). A
``PATCH`` or ``DELETE`` with ``If-Match`` goes through only while the row still has that version
(412 otherwise: someone changed it since it was read); a ``GET`` with ``If-None-Match`` of the
current version answers 304.

Each entity module in ``app/resources/`` calls it and may pass :class:`Hooks` to add behaviour.
The :class:`Repository` is usable without a request (the seeder and the tests use it).
"""

from __future__ import annotations

import hashlib
from typing import Any

import psycopg
from flask import Blueprint, current_app, jsonify, request
from psycopg import errors, sql

from app.auth import User, current_user
from app.crypto import PIICipher
from app.db import get_db
from app.errors import ApiError
from app.listing import ListQuery, page
from app.rbac import Owner, authorize, owner_filter, owner_path
from app.schema import Entity, load_schema
from app.validation import UUID, from_text, to_json, to_text, validate_payload


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
    def _where(self, tenant_id: str, row_id: str | None = None, owner: Owner | None = None):
        clauses, params = [sql.SQL("tenant_id = %s")], [tenant_id]
        if row_id is not None:
            clauses.append(sql.SQL("id = %s"))
            params.append(row_id)
        if owner is not None:
            clause, owner_params = owner_predicate(self.entity, owner.path, tenant_id, owner.sub)
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

    def get(self, conn, tenant_id: str, row_id: str, owner: Owner | None = None,
            lock: bool = False) -> dict[str, Any] | None:
        """The row, or None; ``lock`` holds it (FOR UPDATE) until the transaction ends."""
        where, params = self._where(tenant_id, row_id, owner)
        query = sql.SQL("SELECT {} FROM {} WHERE {}{}").format(
            self.returning, self.table, where, sql.SQL(" FOR UPDATE" if lock else ""))
        row = conn.execute(query, params).fetchone()
        return self.decode(row) if row else None

    def list(self, conn, tenant_id: str, query: ListQuery, owner: Owner | None = None,
             where: tuple[sql.Composable, list[Any]] | None = None) -> list[dict[str, Any]]:
        """One page of rows (``page_size + 1`` at most, to tell whether more follow) matching the
        query's filters and the extra ``where`` (a nested list's parent), in the query's order."""
        scope, params = self._list_where(tenant_id, query, owner, where)
        keyset, keyset_params = query.keyset()
        statement = sql.SQL("SELECT {} FROM {} WHERE {} AND {} ORDER BY {} LIMIT %s").format(
            self.returning, self.table, scope, keyset, query.order_by())
        rows = conn.execute(statement, params + keyset_params + [query.page_size + 1]).fetchall()
        return [self.decode(row) for row in rows]

    def count(self, conn, tenant_id: str, query: ListQuery, owner: Owner | None = None,
              where: tuple[sql.Composable, list[Any]] | None = None) -> int:
        """How many rows match the query's filters (and ``where``) in the caller's scope."""
        scope, params = self._list_where(tenant_id, query, owner, where)
        statement = sql.SQL("SELECT count(*) AS n FROM {} WHERE {}").format(self.table, scope)
        return conn.execute(statement, params).fetchone()["n"]

    def _list_where(self, tenant_id: str, query: ListQuery, owner: Owner | None,
                    where: tuple[sql.Composable, list[Any]] | None):
        clause, params = self._where(tenant_id, owner=owner)
        filters, filter_params = query.where()
        extra, extra_params = where or (sql.SQL("TRUE"), [])
        return sql.SQL("{} AND {} AND {}").format(clause, filters, extra), params + filter_params + extra_params

    def update(self, conn, tenant_id: str, row_id: str, values: dict[str, Any],
               owner: Owner | None = None) -> dict[str, Any] | None:
        where, params = self._where(tenant_id, row_id, owner)
        values = self.encode(values)
        assignments = [sql.SQL("{} = %s").format(sql.Identifier(c)) for c in values]
        assignments.append(sql.SQL("updated_at = now()"))
        query = sql.SQL("UPDATE {} SET {} WHERE {} RETURNING {}").format(
            self.table, sql.SQL(", ").join(assignments), where, self.returning)
        with _translate_errors(self.entity, "write"):
            row = conn.execute(query, list(values.values()) + params).fetchone()
        return self.decode(row) if row else None

    def delete(self, conn, tenant_id: str, row_id: str, owner: Owner | None = None) -> bool:
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
        """With scope ``own`` on an entity owned through a parent (the caller's owner path goes
        through a reference), the parent a create names (or an update moves the row to) must be
        one the caller owns: 403 naming the reference otherwise. Run after
        :meth:`check_references`."""
        path = owner_path(user, self.entity, "own")
        field = self.entity.parent_of(path)
        if field is None or (not creating and field.column not in values):
            return
        parent = load_schema().entity(field.references)
        target = values.get(field.column)
        owned = False
        if target is not None:
            clause, params = owner_predicate(parent, path[1:], tenant_id, user.sub)
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


def entity_tag(item: dict[str, Any]) -> str:
    """The version of a row as an (unquoted, strong) entity tag: it changes with every update."""
    return hashlib.sha256(f"{item['id']}|{item['updated_at']}".encode()).hexdigest()[:32]


def _with_tag(item: dict[str, Any], status: int = 200):
    response = jsonify(item)
    response.status_code = status
    response.set_etag(entity_tag(item))
    return response


def _body() -> Any:
    body = request.get_json(force=True, silent=True)
    if body is None:
        raise ApiError.invalid("the body must be a JSON object")
    return body


def _owner_value(entity: Entity, values: dict[str, Any], user: User, scope: str, creating: bool) -> None:
    """Sets or checks owner columns. With scope ``own``, the column of the caller's owner path
    (when the entity holds it) may only name the caller, and a create fills it with the caller's
    ``sub``. A create also fills the entity's owner column from the ``sub`` when it is empty,
    except a reference another path than the caller's decides (a tenant creating a tenancy does
    not become its landlord). (Rows owned through a parent: see
    :meth:`Repository.check_owned_parent`.)"""
    path = owner_path(user, entity, scope)
    own_column = entity.column_of(path) if scope == "own" else None
    if own_column is not None and own_column in values and values[own_column] != user.sub:
        raise ApiError.forbidden(f"role {user.role!r} may only own its {entity.plural} itself", own_column)
    if not creating:
        return
    filled = [own_column] if own_column is not None else []
    default = entity.owner_column
    if default is not None and default != own_column:
        field = entity.by_column(default)
        if path == entity.owner_path or field is None or field.type != "reference":
            filled.append(default)
    for column in filled:
        if values.get(column) is not None:
            continue
        field = entity.by_column(column)
        if field is not None and field.type == "reference" and not UUID.match(user.sub):
            raise ApiError.invalid(f"{column} is required (the caller's sub is not a {field.references} id)", column)
        values[column] = user.sub


_HOOKS: dict[str, Hooks] = {}


def hooks_for(entity: Entity) -> Hooks:
    """The hooks the entity's blueprint was made with (plain :class:`Hooks` before that)."""
    return _HOOKS.get(entity.name) or Hooks()


def list_response(entity: Entity, where: tuple[sql.Composable, list[Any]] | None = None,
                  fixed: tuple[str, ...] = ()):
    """A page of the entity's rows the caller may read, by the request's list parameters
    (``app/listing.py``); ``where`` narrows it (a nested list: the rows of one parent, whose
    column is ``fixed``, so not a filter)."""
    user = current_user()
    owner = owner_filter(user, entity, authorize(user, entity, "read"))
    query = ListQuery.parse(entity, request.args, fixed)
    repo, conn = Repository(entity, current_app.extensions["pii_cipher"]), get_db()
    rows = repo.list(conn, user.tenant_id, query, owner, where)
    total = repo.count(conn, user.tenant_id, query, owner, where) if query.include_total else None
    body = page(query, rows, total)
    body["items"] = [hooks_for(entity).after_read(row, user) for row in body["items"]]
    return jsonify(body)


def make_blueprint(entity_name: str, hooks: Hooks | None = None) -> Blueprint:
    """The blueprint serving one entity's CRUD and list endpoints."""
    entity = load_schema().entity(entity_name)
    hooks = _HOOKS[entity.name] = hooks or Hooks()
    blueprint = Blueprint(entity.plural, __name__, url_prefix=f"/{entity.plural}")

    def repository() -> Repository:
        return Repository(entity, current_app.extensions["pii_cipher"])

    def row_or_404(row_id: str) -> str:
        if not UUID.match(row_id):
            raise ApiError.not_found(f"{entity.name} not found")
        return row_id.lower()

    def check_version(repo: Repository, conn, user: User, row_id: str, owner: Owner | None) -> None:
        """With ``If-Match``: the row, now locked, must still have one of the tags (``*``: exist)."""
        if not request.if_match:
            return
        current = repo.get(conn, user.tenant_id, row_id, owner, lock=True)
        if current is None:
            raise ApiError.not_found(f"{entity.name} not found")
        if not request.if_match.contains(entity_tag(current)):
            raise ApiError.precondition_failed(
                f"the {entity.name} changed since it was read (If-Match does not match its ETag): read it again")

    @blueprint.get("")
    def list_rows():
        return list_response(entity)

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
        response = _with_tag(item, 201)
        response.headers["Location"] = f"{request.path}/{item['id']}"
        return response

    @blueprint.get("/<row_id>")
    def read_row(row_id: str):
        user = current_user()
        owner = owner_filter(user, entity, authorize(user, entity, "read"))
        item = repository().get(get_db(), user.tenant_id, row_or_404(row_id), owner)
        if item is None:
            raise ApiError.not_found(f"{entity.name} not found")
        return _with_tag(hooks.after_read(item, user)).make_conditional(request)

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
        check_version(repo, conn, user, row_id, owner)
        if not values:
            item = repo.get(conn, user.tenant_id, row_id, owner)
        else:
            repo.check_references(conn, user.tenant_id, values)
            if scope == "own":
                repo.check_owned_parent(conn, user.tenant_id, values, user, creating=False)
            item = repo.update(conn, user.tenant_id, row_id, values, owner)
        if item is None:
            raise ApiError.not_found(f"{entity.name} not found")
        return _with_tag(hooks.after_read(item, user))

    @blueprint.delete("/<row_id>")
    def delete_row(row_id: str):
        user = current_user()
        owner = owner_filter(user, entity, authorize(user, entity, "delete"))
        repo, conn, row_id = repository(), get_db(), row_or_404(row_id)
        check_version(repo, conn, user, row_id, owner)
        if not repo.delete(conn, user.tenant_id, row_id, owner):
            raise ApiError.not_found(f"{entity.name} not found")
        return "", 204

    return blueprint
