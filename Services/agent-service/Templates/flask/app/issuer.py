"""The built-in issuer, for development and tests: ``POST /auth/token`` exchanges the username
and password of an account (``app/users.py``) for an HS256 token signed with ``JWT_SECRET``.

Request: ``{"tenant_id": "<uuid>", "username": "...", "password": "..."}`` (JSON). Answer (200):
``{"access_token": "<jwt>", "token_type": "Bearer", "expires_in": 3600}``; 401 for an unknown
username or a wrong password (the same answer for both), 400 naming the field of a malformed
request (unknown fields included), 429 when the tenant's rate limit is spent. With
``APP_ENV=production`` the issuer is disabled: the route answers 404 and HS256 tokens are
refused; tokens then come from the OpenID Connect provider.
"""

from __future__ import annotations

import time

import jwt
from flask import Blueprint, current_app, jsonify, request

from app.auth import BUILTIN_ALGORITHM
from app.db import tenant_transaction
from app.errors import ApiError
from app.users import MAX_PASSWORD, MAX_USERNAME, check_credentials
from app.validation import UUID

TOKEN_TTL_SECONDS = 3600

blueprint = Blueprint("auth", __name__, url_prefix="/auth")


def issue_token(secret: str, sub: str, tenant_id: str, role: str, ttl_seconds: int = TOKEN_TTL_SECONDS) -> str:
    """Signs a token of the built-in issuer (also used by the tests)."""
    now = int(time.time())
    claims = {"sub": sub, "tid": tenant_id, "role": role, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm=BUILTIN_ALGORITHM)


@blueprint.post("/token")
def token():
    config = current_app.config["APP"]
    if not config.builtin_issuer_enabled:
        raise ApiError.not_found(
            "the built-in issuer is disabled (APP_ENV=production): get a token from the OpenID Connect provider")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError.invalid("the body must be a JSON object with tenant_id, username and password")
    unknown = sorted(set(body) - {"tenant_id", "username", "password"})
    if unknown:
        raise ApiError.invalid(f"unknown field {unknown[0]}", unknown[0])
    tenant_id, username, password = body.get("tenant_id"), body.get("username"), body.get("password")
    if not isinstance(tenant_id, str) or not UUID.match(tenant_id):
        raise ApiError.invalid("tenant_id must be a UUID", "tenant_id")
    if not isinstance(username, str) or not 0 < len(username) <= MAX_USERNAME:
        raise ApiError.invalid(f"username must be a string of 1 to {MAX_USERNAME} characters", "username")
    if not isinstance(password, str) or not 0 < len(password) <= MAX_PASSWORD:
        raise ApiError.invalid(f"password must be a string of 1 to {MAX_PASSWORD} characters", "password")
    tenant_id = tenant_id.lower()
    limiter = current_app.extensions["rate_limiter"]
    decision = limiter.hit(f"sign-in:{tenant_id}") if limiter.limit > 0 else None
    if decision is not None and not decision.allowed:
        raise ApiError(429, "RESOURCE_EXHAUSTED", "too many sign-in attempts for this tenant; retry later",
                       headers={"Retry-After": str(decision.reset_seconds), **decision.headers})
    with tenant_transaction(current_app.extensions["db_pool"], tenant_id, None) as conn:
        account = check_credentials(conn, username, password)
    if account is None:
        raise ApiError.unauthenticated("unknown username or wrong password")
    return jsonify({
        "access_token": issue_token(config.jwt_secret, account["id"], tenant_id, account["role"]),
        "token_type": "Bearer",
        "expires_in": TOKEN_TTL_SECONDS,
    })
