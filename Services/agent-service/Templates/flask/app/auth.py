"""Bearer JWT authentication (HS256, key JWT_SECRET).

Claims: ``sub`` (the user id, any string), ``tid`` (the tenant, a UUID), ``role`` (one of the
roles in ``app/schema.json``) and ``exp`` (required). The algorithm is pinned to HS256, so
``alg: none`` or RS/HS confusion tokens are rejected. ``iat``/``nbf`` are checked when present.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import jwt
from flask import current_app, g, request

from app.errors import ApiError

ALGORITHM = "HS256"
LEEWAY_SECONDS = 30
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class User:
    sub: str
    tenant_id: str
    role: str


def issue_token(secret: str, sub: str, tenant_id: str, role: str, ttl_seconds: int = 3600) -> str:
    """Signs a token (for tests, scripts and local development)."""
    now = int(time.time())
    claims = {"sub": sub, "tid": tenant_id, "role": role, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(token: str, secret: str) -> User:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "sub", "tid", "role"]},
        )
    except jwt.ExpiredSignatureError:
        raise ApiError.unauthenticated("the token has expired") from None
    except jwt.InvalidTokenError:
        raise ApiError.unauthenticated("the token is invalid") from None
    sub, tid, role = claims.get("sub"), claims.get("tid"), claims.get("role")
    if not isinstance(sub, str) or not sub or len(sub) > 255:
        raise ApiError.unauthenticated("the token's sub claim is invalid")
    if not isinstance(tid, str) or not _UUID.match(tid):
        raise ApiError.unauthenticated("the token's tid claim must be a UUID")
    if not isinstance(role, str) or not role:
        raise ApiError.unauthenticated("the token's role claim is invalid")
    return User(sub=sub, tenant_id=tid.lower(), role=role)


def authenticate() -> User:
    """Verifies the request's bearer token and stores the caller in ``g.user``."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError.unauthenticated("a bearer token is required")
    g.user = verify_token(token.strip(), current_app.config["APP"].jwt_secret)
    return g.user


def current_user() -> User:
    user = g.get("user")
    if user is None:  # pragma: no cover - every /api route authenticates first
        raise ApiError.unauthenticated("a bearer token is required")
    return user
