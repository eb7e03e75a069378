"""Tokens of an OpenID Connect provider, checked against keys these tests generate and publish
through an in-memory JWKS endpoint: RS256 and ES256, issuer, audience and expiry, key rotation
(an unknown ``kid`` fetches the key set again, at most once per interval), the cache's lifetime,
an unreachable provider, and fetching a key set over HTTP."""

import dataclasses
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from app import create_app
from app.config import OIDCSettings
from app.issuer import issue_token
from app.oidc import MIN_REFETCH_SECONDS, JWKSCache, fetch_jwks
from support import SCHEMA, assert_error, roles_allowed, user_id

OIDC = OIDCSettings(issuer="https://login.example.test/", audience="api://tests",
                    jwks_url="https://login.example.test/jwks")
ENTITY = SCHEMA.entities[0]
BASE = f"/api/{ENTITY.plural}"
READER = (roles_allowed(ENTITY, "read") or list(SCHEMA.roles) or ["nobody"])[0]
EXPECTED = 200 if roles_allowed(ENTITY, "read") else 403


class SigningKey:
    """A key pair of the provider: signs tokens, publishes its public half as a JWK."""

    def __init__(self, kid: str, algorithm: str):
        self.kid, self.algorithm = kid, algorithm
        if algorithm == "RS256":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            public = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            public = ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwk = {**public, "kid": kid, "use": "sig", "alg": algorithm}

    def token(self, tenant: str, kid: str | None = None, **claims) -> str:
        now = int(time.time())
        body = {"iss": OIDC.issuer, "aud": OIDC.audience, "sub": user_id(tenant), "tid": tenant,
                "role": READER, "iat": now, "exp": now + 300, **claims}
        return jwt.encode(body, self.private, algorithm=self.algorithm, headers={"kid": kid or self.kid})


# Generated once per session: RSA key generation is slow.
RSA_KEY, EC_KEY = SigningKey("rsa-1", "RS256"), SigningKey("ec-1", "ES256")
ROTATED_KEY = SigningKey("rsa-2", "RS256")
IMPOSTOR_KEY = SigningKey("rsa-1", "RS256")  # the published kid, another key


class Provider:
    """The provider's JWKS endpoint: the keys it publishes and how often it was asked."""

    def __init__(self, *keys: SigningKey):
        self.keys, self.fetches, self.down = list(keys), 0, False

    def fetch(self, url: str) -> dict:
        assert url == OIDC.jwks_url
        self.fetches += 1
        if self.down:
            raise OSError("connection refused")
        return {"keys": [key.jwk for key in self.keys]}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def provider() -> Provider:
    return Provider(RSA_KEY, EC_KEY)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def oidc_app(settings, provider, clock):
    """The app with the provider configured; its key cache asks ``provider`` and reads ``clock``."""
    app = create_app(dataclasses.replace(settings, oidc=OIDC))
    app.extensions["token_verifier"].oidc.keys = JWKSCache(
        OIDC.jwks_url, OIDC.jwks_ttl_seconds, fetch=provider.fetch, clock=clock)
    yield app
    app.extensions["db_pool"].close()


def call(app, token: str):
    return app.test_client().get(BASE, headers={"Authorization": f"Bearer {token}"})


def test_tokens_signed_with_the_providers_keys_are_accepted(oidc_app, tenant, subtests):
    for key in (RSA_KEY, EC_KEY):
        with subtests.test(algorithm=key.algorithm):
            response = call(oidc_app, key.token(tenant))
            assert response.status_code == EXPECTED, response.get_json()


def test_a_role_claim_may_be_a_list(oidc_app, tenant):
    assert call(oidc_app, RSA_KEY.token(tenant, role=["not-a-role-of-this-app", READER])).status_code == EXPECTED


def test_builtin_tokens_still_work_in_development_next_to_the_provider(oidc_app, settings, tenant):
    token = issue_token(settings.jwt_secret, user_id(tenant), tenant, READER)
    assert call(oidc_app, token).status_code == EXPECTED


def test_tokens_the_provider_did_not_issue_for_this_api_are_401(oidc_app, tenant, subtests):
    now = int(time.time())
    cases = {
        "wrong issuer": (RSA_KEY.token(tenant, iss="https://impostor.example.test/"), "issuer"),
        "wrong audience": (RSA_KEY.token(tenant, aud="api://another-api"), "audience"),
        "expired": (EC_KEY.token(tenant, exp=now - 3600, iat=now - 7200), "expired"),
        "signed by another key": (IMPOSTOR_KEY.token(tenant), "invalid"),
        "algorithm of another key type": (RSA_KEY.token(tenant, kid=EC_KEY.kid), "algorithm"),
        "no tenant": (RSA_KEY.token(tenant, tid=None), "tenant"),
    }
    for name, (token, reason) in cases.items():
        with subtests.test(case=name):
            error = assert_error(call(oidc_app, token), 401, "UNAUTHENTICATED", None)
            assert reason in error["message"], error


def test_an_unknown_kid_fetches_the_keys_again_when_the_provider_rotates(oidc_app, provider, clock, tenant):
    assert call(oidc_app, RSA_KEY.token(tenant)).status_code == EXPECTED
    provider.keys = [ROTATED_KEY, RSA_KEY]
    clock.now += MIN_REFETCH_SECONDS
    assert call(oidc_app, ROTATED_KEY.token(tenant)).status_code == EXPECTED
    assert provider.fetches == 2


def test_refetching_for_unknown_kids_is_rate_limited(oidc_app, provider, clock, tenant):
    assert call(oidc_app, RSA_KEY.token(tenant)).status_code == EXPECTED
    unknown = RSA_KEY.token(tenant, kid="never-published")
    error = assert_error(call(oidc_app, unknown), 401, "UNAUTHENTICATED", None)
    assert "kid" in error["message"]
    assert provider.fetches == 1, "no refetch within the interval"
    clock.now += MIN_REFETCH_SECONDS
    for _ in range(3):
        assert call(oidc_app, unknown).status_code == 401
    assert provider.fetches == 2, "one refetch per interval"


def test_the_keys_are_cached_for_their_lifetime(oidc_app, provider, clock, tenant):
    for _ in range(3):
        assert call(oidc_app, EC_KEY.token(tenant)).status_code == EXPECTED
    assert provider.fetches == 1
    clock.now += OIDC.jwks_ttl_seconds
    assert call(oidc_app, EC_KEY.token(tenant)).status_code == EXPECTED
    assert provider.fetches == 2


def test_an_unreachable_provider_is_503_until_keys_are_known(oidc_app, provider, clock, tenant):
    provider.down = True
    assert_error(call(oidc_app, RSA_KEY.token(tenant)), 503, "UNAVAILABLE", None)
    provider.down = False
    clock.now += MIN_REFETCH_SECONDS
    assert call(oidc_app, RSA_KEY.token(tenant)).status_code == EXPECTED
    provider.down = True
    clock.now += OIDC.jwks_ttl_seconds
    assert call(oidc_app, RSA_KEY.token(tenant)).status_code == EXPECTED, "known keys stay in use"


def test_a_key_set_is_fetched_over_http():
    document = json.dumps({"keys": [RSA_KEY.jwk]}).encode()

    class JWKSEndpoint(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(document)))
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), JWKSEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert fetch_jwks(f"http://127.0.0.1:{server.server_port}/jwks") == {"keys": [RSA_KEY.jwk]}
    finally:
        server.shutdown()
        server.server_close()
