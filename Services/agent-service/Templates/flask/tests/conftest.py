"""Shared fixtures: the app, callers with signed tokens, a row factory and raw database access.

The tests need a migrated database: set DATABASE_URL and DATABASE_SCHEMA, run
``python -m app.migrate up`` (and ``python -m app.seed``) first. They never create or drop
schemas; every test works in a fresh random tenant, so tests do not see each other's rows (nor
the seed tenant's) and can run against a database that already holds data. New password hashes
use the cheapest cost ``PASSWORD_HASH_COST`` allows.

JWT_SECRET and PII_ENCRYPTION_KEY are taken from the environment (or ``.env``) when set,
otherwise a throwaway value is generated for the test session. The app under test runs with
``APP_ENV=development`` and no OpenID Connect provider; tests/test_oidc.py and tests/test_auth.py
make their own apps for those.
"""

from __future__ import annotations

import os
import secrets
import uuid
from contextlib import contextmanager

import pytest
from cryptography.fernet import Fernet

from app import create_app
from app.config import Config, load_dotenv
from app.crud import Repository
from app.db import connect, set_identity, tenant_transaction
from app.issuer import issue_token
from app.passwords import MIN_COST
from app.schema import Entity
from app.validation import UUID, validate_payload
from support import SCHEMA, owner_path, roles_allowed, sample_value, user_id


def pytest_configure(config):
    load_dotenv()
    # Many sign-ins: the cheapest scrypt cost the app accepts (hashes carry their own cost).
    os.environ["PASSWORD_HASH_COST"] = str(MIN_COST)
    if not os.environ.get("DATABASE_URL"):
        raise pytest.UsageError(
            "set DATABASE_URL (and DATABASE_SCHEMA) to a migrated database: python -m app.migrate up")


@pytest.fixture(scope="session")
def settings() -> Config:
    return Config.from_env(
        jwt_secret=os.environ.get("JWT_SECRET") or secrets.token_urlsafe(48),
        pii_encryption_key=os.environ.get("PII_ENCRYPTION_KEY") or Fernet.generate_key().decode(),
        rate_limit_per_minute=1_000_000,  # tests/test_api.py checks the limit on its own app
        app_env="development",
        oidc=None,
    )


@pytest.fixture(scope="session")
def app(settings):
    application = create_app(settings)
    yield application
    application.extensions["db_pool"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def tenant() -> str:
    """A fresh tenant per test."""
    return str(uuid.uuid4())


class Caller:
    """A test client acting as one user (sub) with one role in one tenant."""

    def __init__(self, client, secret: str, role: str, tenant: str, sub: str):
        self.client, self.role, self.tenant, self.sub = client, role, tenant, sub
        self.token = issue_token(secret, sub, tenant, role)
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def get(self, path, headers=None, **kwargs):
        return self.client.get(path, headers={**self.headers, **(headers or {})}, **kwargs)

    def post(self, path, headers=None, **kwargs):
        return self.client.post(path, headers={**self.headers, **(headers or {})}, **kwargs)

    def put(self, path, headers=None, **kwargs):
        return self.client.put(path, headers={**self.headers, **(headers or {})}, **kwargs)

    def patch(self, path, headers=None, **kwargs):
        return self.client.patch(path, headers={**self.headers, **(headers or {})}, **kwargs)

    def delete(self, path, headers=None, **kwargs):
        return self.client.delete(path, headers={**self.headers, **(headers or {})}, **kwargs)


@pytest.fixture
def caller(client, settings, tenant):
    """``caller(role, tenant=None, sub=None)``: defaults to this test's tenant and that tenant's
    default user (``user_id(tenant)``, who owns the rows ``rows`` makes unless told otherwise)."""

    def make(role: str, tenant: str | None = None, sub: str | None = None) -> Caller:
        tenant = tenant or tenant_default
        return Caller(client, settings.jwt_secret, role, tenant, sub or user_id(tenant))

    tenant_default = tenant
    return make


@pytest.fixture
def caller_for(caller):
    """``caller_for(entity, action, tenant=None, sub=None)``: a caller whose role may do the
    action (scope "all" preferred); skips the test when no role of the spec may."""

    def pick(entity: Entity, action: str, tenant: str | None = None, sub: str | None = None) -> Caller:
        allowed = roles_allowed(entity, action)
        if not allowed:
            pytest.skip(f"no role of the spec may {action} {entity.plural}")
        return caller(allowed[0], tenant=tenant, sub=sub)

    return pick


class RowFactory:
    """Builds payloads and inserts rows directly (through the same Repository the API uses).

    Rows of owned entities are owned by an ``owner``: a ``sub`` (by default the tenant's default
    user, ``user_id(tenant)``, who is also ``caller(role)``) along the entity's owner path, or a
    :class:`Caller`, whose role's owner path is followed (a role may own an entity's rows through
    a path of its own, see ``Schema.owner_path``). A row is owned through its owner column, or,
    where the path goes through a parent (``appointment.patient``), through a parent row made for
    that owner. Where the owner is a row (a reference), that row has the ``sub`` as its id and is
    created when missing.
    """

    def __init__(self, app, settings: Config):
        self.app, self.settings = app, settings
        self._users_in_progress: set[tuple[str, str]] = set()

    @property
    def cipher(self):
        return self.app.extensions["pii_cipher"]

    @staticmethod
    def ownership(entity: Entity, tenant: str, owner: str | Caller | None) -> tuple[str, tuple[str, ...]]:
        """The ``sub`` and the owner path of ``owner`` for rows of ``entity``."""
        if isinstance(owner, Caller):
            return owner.sub, owner_path(owner.role, entity)
        return owner or user_id(tenant), entity.owner_path

    def payload(self, entity: Entity, tenant: str | None = None, references: str = "required",
                owner: str | Caller | None = None) -> dict:
        """A valid create payload. With a tenant, reference fields get ids of rows created in that
        tenant: only required ones (``references="required"``) or all of them (``"all"``), and the
        row is set up to be owned by ``owner`` (see :meth:`with_references`)."""
        body = {f.column: sample_value(f) for f in entity.fields if f.type != "reference" and not f.is_owner}
        return self.with_references(entity, tenant, body, references, owner) if tenant else body

    def with_references(self, entity: Entity, tenant: str, body: dict, references: str = "required",
                        owner: str | Caller | None = None) -> dict:
        """Adds ids of rows created in the tenant. Where the owner path goes through a parent,
        the parent is made for the owner; where it is a column of the entity, the owner's value
        is set (the owner's row made to exist), except for the entity's own owner column, which
        the API fills from the caller's ``sub`` (its key is left out)."""
        body = dict(body)
        sub, path = self.ownership(entity, tenant, owner)
        first = entity.field(path[0]) if path else None
        if path and (len(path) > 1 or path != entity.owner_path):
            column = first.column if first is not None else path[0]
            body.setdefault(column, self.owner_value(entity, path, tenant, sub))
        elif path:
            self.owner_value(entity, path, tenant, sub)
        for field in entity.reference_fields:
            on_path = field.is_owner and path == entity.owner_path
            if field.column not in body and not on_path and (field.required or references == "all"):
                body[field.column] = self.create(SCHEMA.entity(field.references), tenant)["id"]
        return body

    def owner_value(self, entity: Entity, path: tuple[str, ...], tenant: str, owner: str):
        """The value of the column of ``path[0]`` that gives a row of ``entity`` to ``owner`` along
        ``path``: the ``sub`` itself, the id of the owner's row, or a parent row made for it."""
        field = entity.field(path[0])
        if len(path) > 1:
            parent = SCHEMA.entity(field.references)
            rest = path[1:]
            first = parent.field(rest[0])
            column = first.column if first is not None else rest[0]
            return self.create(parent, tenant, owner=owner, **{column: self.owner_value(parent, rest, tenant, owner)})["id"]
        if field is not None and field.type == "reference":
            return self.user_row(SCHEMA.entity(field.references), tenant, owner)["id"]
        return owner

    def owner_change(self, entity: Entity, tenant: str, owner: str, path: tuple[str, ...] | None = None) -> dict:
        """The PATCH body that would give a row of ``entity`` to ``owner`` (along ``path``,
        default the entity's owner path)."""
        path = path or entity.owner_path
        field = entity.field(path[0])
        return {field.column if field is not None else path[0]: self.owner_value(entity, path, tenant, owner)}

    def user_row(self, entity: Entity, tenant: str, sub: str) -> dict:
        """The row of ``entity`` whose id is ``sub``: the user who owns rows through references to
        it. Created when missing."""
        if not UUID.match(sub):
            raise ValueError(f"rows here are owned by {entity.plural}: a sub must be a {entity.name} id "
                             f"(use support.user_id), not {sub!r}")
        existing = self.get(entity, tenant, sub)
        if existing is not None:
            return existing
        if (entity.name, sub) in self._users_in_progress:
            raise ValueError(f"{entity.name} {sub} would have to exist before it is created (an ownership cycle)")
        self._users_in_progress.add((entity.name, sub))
        try:
            return self.create(entity, tenant, owner=sub, row_id=sub)
        finally:
            self._users_in_progress.discard((entity.name, sub))

    def create(self, entity: Entity, tenant: str, owner: str | Caller | None = None, row_id: str | None = None,
               **values) -> dict:
        """Inserts a row in a tenant (owned by ``owner``, see the class, when rows are owned; with
        id ``row_id`` when given); returns its JSON."""
        body = self.with_references(entity, tenant, {**self.payload(entity), **values}, owner=owner)
        column_values = validate_payload(entity, body, partial=False)
        if entity.owner_column and entity.owner_column not in column_values:
            # as the API does: a reference another path than the owner's decides is left empty
            sub, path = self.ownership(entity, tenant, owner)
            field = entity.field(entity.owner_field)
            if path == entity.owner_path or field is None or field.type != "reference":
                column_values[entity.owner_column] = self.owner_value(entity, entity.owner_path, tenant, sub)
        if row_id is not None:
            column_values["id"] = row_id
        with self.transaction(tenant, "test-factory") as conn:
            Repository(entity, self.cipher).check_references(conn, tenant, column_values)
            return Repository(entity, self.cipher).insert(conn, tenant, column_values)

    def update(self, entity: Entity, tenant: str, row_id: str, **values) -> dict | None:
        """Changes a row directly (no RBAC); returns its JSON."""
        column_values = validate_payload(entity, values, partial=True)
        with self.transaction(tenant, "test-factory") as conn:
            Repository(entity, self.cipher).check_references(conn, tenant, column_values)
            return Repository(entity, self.cipher).update(conn, tenant, row_id, column_values)

    def get(self, entity: Entity, tenant: str, row_id: str) -> dict | None:
        with self.transaction(tenant, "test-factory") as conn:
            return Repository(entity, self.cipher).get(conn, tenant, row_id)

    @contextmanager
    def transaction(self, tenant: str, user: str | None):
        """A transaction as ``user`` in ``tenant`` on a connection of the app's pool (reused:
        opening one per row would cost most of the suite's time)."""
        with tenant_transaction(self.app.extensions["db_pool"], tenant, user) as conn:
            yield conn


@pytest.fixture
def rows(app, settings) -> RowFactory:
    return RowFactory(app, settings)


@pytest.fixture
def raw_db(app):
    """``raw_db(tenant=None, user=None)``: a connection of the app's pool in a transaction that
    is rolled back at the end, with app.tenant_id/app.user_id set like the app does (None =
    unset)."""
    pool = app.extensions["db_pool"]

    @contextmanager
    def open_(tenant: str | None = None, user: str | None = None):
        conn = pool.get()
        try:
            with conn.transaction(force_rollback=True):
                set_identity(conn, tenant, user)
                yield conn
        finally:
            pool.put(conn)

    return open_


@pytest.fixture(scope="session")
def bypasses_rls(settings) -> bool:
    """True when the test connection's role is a superuser or has BYPASSRLS (RLS not testable)."""
    with connect(settings.database_url, settings.database_schema) as conn:
        row = conn.execute(
            "SELECT rolsuper OR rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user").fetchone()
        return bool(row["bypass"])
