"""Tokens of an OpenID Connect provider: RS256 or ES256 signatures checked against the keys the
provider publishes at ``OIDC_JWKS_URL``, with its issuer (``OIDC_ISSUER``) and this API as the
audience (``OIDC_AUDIENCE``).

The key set is cached for ``jwks_ttl_seconds``. A token whose ``kid`` is not in the cache makes
the cache fetch the key set again (the provider rotated its keys), but at most once every
``MIN_REFETCH_SECONDS``, so tokens with made-up ``kid`` values cannot turn the API into a
flood of requests to the provider. When a refresh fails the keys already known stay in use.

The tenant and the role come from the claims named by ``OIDC_TENANT_CLAIM`` (default ``tid``) and
``OIDC_ROLE_CLAIM`` (default ``role``); a role claim that is a list picks its first role of this
app.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable

import jwt

from app.auth import LEEWAY_SECONDS, User, user_from_claims
from app.config import OIDCSettings
from app.errors import ApiError
from app.schema import load_schema

MIN_REFETCH_SECONDS = 30
FETCH_TIMEOUT_SECONDS = 5
MAX_JWKS_BYTES = 1024 * 1024
log = logging.getLogger("app.oidc")


def fetch_jwks(url: str) -> dict:
    """GETs a JSON Web Key Set."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 (configured URL)
        return json.loads(response.read(MAX_JWKS_BYTES + 1)[:MAX_JWKS_BYTES])


class JWKSCache:
    """The provider's signing keys by ``kid``, refreshed after ``ttl_seconds`` and on an unknown
    ``kid`` (rate-limited); thread-safe."""

    def __init__(self, url: str, ttl_seconds: int, fetch: Callable[[str], dict] = fetch_jwks,
                 clock: Callable[[], float] = time.monotonic, min_refetch_seconds: float = MIN_REFETCH_SECONDS):
        self.url, self.ttl_seconds, self.min_refetch_seconds = url, ttl_seconds, min_refetch_seconds
        self._fetch, self._clock = fetch, clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def key(self, kid: str) -> jwt.PyJWK:
        """The key with this ``kid``; 401 when the provider does not publish it."""
        with self._lock:
            now = self._clock()
            if self._fetched_at is None or now - self._fetched_at >= self.ttl_seconds:
                self._refresh(now)
            elif kid not in self._keys and now - self._fetched_at >= self.min_refetch_seconds:
                self._refresh(now)
            key = self._keys.get(kid)
        if key is None:
            raise ApiError.unauthenticated("the token's signing key (kid) is not one of the provider's keys")
        return key

    def _refresh(self, now: float) -> None:
        self._fetched_at = now  # failures count too: a broken provider is not retried per request
        try:
            document = self._fetch(self.url)
        except (OSError, ValueError) as error:
            log.warning("fetching the JWKS failed: %s", error.__class__.__name__)
            if not self._keys:
                raise ApiError(503, "UNAVAILABLE", "the identity provider's keys cannot be fetched; retry later",
                               headers={"Retry-After": "5"}) from None
            return
        keys = {}
        for entry in document.get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(entry, dict) or not entry.get("kid") or entry.get("use", "sig") != "sig":
                continue
            try:
                keys[entry["kid"]] = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                log.warning("skipping JWKS key %s: unsupported", str(entry["kid"])[:64])
        self._keys = keys


class OIDCVerifier:
    """Verifies RS256/ES256 tokens of the configured provider."""

    ALGORITHMS = ("RS256", "ES256")

    def __init__(self, settings: OIDCSettings, keys: JWKSCache):
        self.settings, self.keys = settings, keys

    def verify(self, token: str, header: dict) -> User:
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise ApiError.unauthenticated("the token has no key id (kid)")
        key = self.keys.key(kid)
        if key.algorithm_name != header.get("alg"):
            raise ApiError.unauthenticated("the token's algorithm does not match its signing key")
        try:
            claims = jwt.decode(
                token, key.key, algorithms=[key.algorithm_name], audience=self.settings.audience,
                issuer=self.settings.issuer, leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise ApiError.unauthenticated("the token has expired") from None
        except jwt.InvalidIssuerError:
            raise ApiError.unauthenticated("the token was not issued by the configured issuer") from None
        except jwt.InvalidAudienceError:
            raise ApiError.unauthenticated("the token is not meant for this API (audience)") from None
        except jwt.PyJWTError:
            raise ApiError.unauthenticated("the token is invalid") from None
        return user_from_claims(claims["sub"], claims.get(self.settings.tenant_claim), self._role(claims))

    def _role(self, claims: dict):
        role = claims.get(self.settings.role_claim)
        if isinstance(role, list):
            return next((r for r in role if isinstance(r, str) and r in load_schema().roles), None)
        return role
