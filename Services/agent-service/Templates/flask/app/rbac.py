"""Role-based access control from the roles and permissions in ``app/schema.json``.

A permission grants a role actions (create, read, update, delete) on an entity with a row scope:

* ``all`` - every row of the caller's tenant;
* ``own`` - only rows whose owner column equals the caller's ``sub``. Reads, lists, updates and
  deletes of other users' rows answer 404 (their existence is not revealed); a create always
  sets the owner to the caller. Where the owner is a path (``appointment.patient``), the rows
  are those under a parent row the caller owns, and a create or update that names a parent the
  caller does not own answers 403. The owner is the entity's ``owner_field`` unless the role's
  permission names an ``owner_path`` of its own (a tenant owns tenancies through ``tenant_party``
  while landlords own them through ``property.landlord``).

An action that no permission grants answers 403 PERMISSION_DENIED. Listing needs ``read``.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.auth import User
from app.errors import ApiError
from app.schema import Entity, load_schema


@dataclass(frozen=True)
class Owner:
    """The rows a caller with scope ``own`` may touch: those ``path`` gives to ``sub``."""

    sub: str
    path: tuple[str, ...]


def authorize(user: User, entity: Entity, action: str) -> str:
    """The scope (``"all"`` or ``"own"``) of the caller for an action, or 403."""
    scope = load_schema().scope(user.role, entity.name, action)
    if scope is None:
        raise ApiError.forbidden(f"role {user.role!r} may not {action} {entity.plural}")
    return scope


def owner_path(user: User, entity: Entity, scope: str) -> tuple[str, ...]:
    """The owner path the caller's rows follow: the role's own with scope ``own``, else the
    entity's owner path."""
    return load_schema().owner_path(user.role, entity) if scope == "own" else entity.owner_path


def owner_filter(user: User, entity: Entity, scope: str) -> Owner | None:
    """The owner rows must have for this scope (None = any row of the tenant)."""
    path = owner_path(user, entity, scope)
    return Owner(user.sub, path) if scope == "own" and path else None
