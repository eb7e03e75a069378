"""Bearer JWT authentication: tokens of the built-in issuer or of an OpenID Connect provider.

Every token carries a user id (``sub``), a tenant (a UUID) and a role (one of the roles in
``app/schema.json``), and must not have expired (``exp``; ``iat``/``nbf`` are checked when
present). Which key checks it follows from the header's ``alg``, each pinned to its own keys:

* ``HS256``: the built-in issuer (``app/issuer.py``), key ``JWT_SECRET``, claims ``sub``, ``tid``,
  ``role``; accepted only while the built-in issuer is enabled (not in production);
* ``RS256`` / ``ES256``: the OpenID Connect provider (``app/oidc.py``), keys from its JWKS.

Anything else (``alg: none``, an algorithm with no configured keys) is refused, so an HS256 token
can never be checked with a provider's public key, nor the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass

import jwt
from flask import current_app, g, request

from app.errors import ApiError
from app.validation import UUID

BUILTIN_ALGORITHM = "HS256"
LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class User:
    sub: str
    tenant_id: str
    role: str


def user_from_claims(sub, tenant_id, role) -> User:
    """The caller named by a verified token's claims (401 naming the claim that is malformed)."""
    if not isinstance(sub, str) or not sub or len(sub) > 255:
        raise ApiError.unauthenticated("the token's sub claim is invalid")
    if not isinstance(tenant_id, str) or not UUID.match(tenant_id):
        raise ApiError.unauthenticated("the token's tenant claim must be a UUID")
    if not isinstance(role, str) or not role:
        raise ApiError.unauthenticated("the token's role claim is invalid")
    return User(sub=sub, tenant_id=tenant_id.lower(), role=role)


def verify_builtin_token(token: str, secret: str) -> User:
    """Checks a token of the built-in issuer (HS256, ``JWT_SECRET``)."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[BUILTIN_ALGORITHM], leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "sub", "tid", "role"]},
        )
    except jwt.ExpiredSignatureError:
        raise ApiError.unauthenticated("the token has expired") from None
    except jwt.InvalidTokenError:
        raise ApiError.unauthenticated("the token is invalid") from None
    return user_from_claims(claims.get("sub"), claims.get("tid"), claims.get("role"))


class TokenVerifier:
    """Sends each token to the verifier of its algorithm: the built-in issuer's secret (None when
    the issuer is disabled) or the OIDC provider's verifier (None when none is configured)."""

    def __init__(self, builtin_secret: str | None, oidc=None):
        self.builtin_secret, self.oidc = builtin_secret, oidc

    def verify(self, token: str) -> User:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise ApiError.unauthenticated("the token is invalid") from None
        algorithm = header.get("alg")
        if algorithm == BUILTIN_ALGORITHM and self.builtin_secret:
            return verify_builtin_token(token, self.builtin_secret)
        if self.oidc is not None and algorithm in self.oidc.ALGORITHMS:
            return self.oidc.verify(token, header)
        raise ApiError.unauthenticated(f"tokens signed with {algorithm!s:.20} are not accepted here")


def authenticate() -> User:
    """Verifies the request's bearer token and stores the caller in ``g.user``."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError.unauthenticated("a bearer token is required")
    g.user = current_app.extensions["token_verifier"].verify(token.strip())
    return g.user


def current_user() -> User:
    user = g.get("user")
    if user is None:  # pragma: no cover - every /api route authenticates first
        raise ApiError.unauthenticated("a bearer token is required")
    return user
