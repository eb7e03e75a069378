"""Sign-in at the built-in issuer (``POST /auth/token``), its switch-off in production, how
passwords are stored, and the seed accounts (one per role, owning seed rows)."""

import dataclasses
import json
import os
import secrets
import uuid

import jwt
import pytest

from app import create_app
from app.config import Config, ConfigError, OIDCSettings
from app.errors import ApiError
from app.issuer import TOKEN_TTL_SECONDS, issue_token
from app.passwords import MIN_COST, hash_password, verify_password
from app.ratelimit import FixedWindowLimiter
from app.seed import DEFAULT_USER_PASSWORD, SEED_TENANT_ID, USERS_FILE
from app.users import create_user
from support import SCHEMA, assert_error, roles_allowed

ROLE = next(iter(SCHEMA.roles), None)
ENTITY = SCHEMA.entities[0]
BASE = f"/api/{ENTITY.plural}"
OIDC = OIDCSettings(issuer="https://login.example.test/", audience="api://tests",
                    jwks_url="https://login.example.test/jwks")


@pytest.fixture
def account(rows, tenant) -> dict:
    """An account of the built-in issuer in this test's tenant, with its clear password."""
    if ROLE is None:
        pytest.skip("the spec defines no role")
    password = secrets.token_urlsafe(12)
    with rows.transaction(tenant, "test") as conn:
        user = create_user(conn, tenant, "ada", password, ROLE)
    return {**user, "password": password, "tenant_id": tenant}


def sign_in(client, account: dict, **changes):
    body = {"tenant_id": account["tenant_id"], "username": account["username"], "password": account["password"]}
    return client.post("/auth/token", json={**body, **changes})


def test_an_account_signs_in_and_its_token_reaches_the_api(client, settings, account):
    response = sign_in(client, account)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", TOKEN_TTL_SECONDS)
    claims = jwt.decode(body["access_token"], settings.jwt_secret, algorithms=["HS256"])
    assert (claims["sub"], claims["tid"], claims["role"]) == (account["id"], account["tenant_id"], ROLE)
    answer = client.get(BASE, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert answer.status_code == (200 if ROLE in roles_allowed(ENTITY, "read") else 403), answer.get_json()


def test_a_wrong_password_an_unknown_user_and_another_tenant_get_the_same_401(client, account, subtests):
    cases = {
        "wrong password": {"password": "not-" + account["password"]},
        "unknown user": {"username": "nobody"},
        "another tenant": {"tenant_id": str(uuid.uuid4())},
    }
    for name, change in cases.items():
        with subtests.test(case=name):
            error = assert_error(sign_in(client, account, **change), 401, "UNAUTHENTICATED", None)
            assert error["message"] == "unknown username or wrong password"


def test_token_requests_are_validated(client, account, subtests):
    for change, field in [({"tenant_id": "acme"}, "tenant_id"), ({"username": ""}, "username"),
                          ({"password": 12345}, "password"), ({"grant_type": "password"}, "grant_type")]:
        with subtests.test(field=field):
            assert_error(sign_in(client, account, **change), 400, "INVALID_ARGUMENT", field)
    assert_error(client.post("/auth/token", data="ada:secret", content_type="text/plain"), 400, "INVALID_ARGUMENT", None)


def test_passwords_are_stored_as_salted_scrypt_hashes(rows, account):
    with rows.transaction(account["tenant_id"], "test") as conn:
        stored = conn.execute("SELECT password_hash FROM auth_users WHERE id = %s", (account["id"],)).fetchone()["password_hash"]
    assert stored.startswith("scrypt$") and account["password"] not in stored
    assert verify_password(account["password"], stored)
    assert not verify_password("not-" + account["password"], stored)
    assert hash_password(account["password"]) != stored  # a new salt every time


def test_the_hash_cost_comes_from_the_environment_and_every_hash_keeps_its_own(monkeypatch):
    cheap = hash_password("correct horse")
    monkeypatch.setenv("PASSWORD_HASH_COST", str(MIN_COST + 1))
    dearer = hash_password("correct horse")
    assert cheap.split("$")[1] == str(2**MIN_COST) and dearer.split("$")[1] == str(2 ** (MIN_COST + 1))
    assert verify_password("correct horse", cheap) and verify_password("correct horse", dearer)
    for wrong in ("9", "18", "fifteen", "-1"):
        monkeypatch.setenv("PASSWORD_HASH_COST", wrong)
        with pytest.raises(ConfigError, match="PASSWORD_HASH_COST"):
            Config.from_env(database_url="postgresql://x", pii_encryption_key="k", jwt_secret="s" * 32)


def test_a_username_is_taken_once_per_tenant(rows, account):
    with pytest.raises(ApiError) as taken, rows.transaction(account["tenant_id"], "test") as conn:
        create_user(conn, account["tenant_id"], "ada", "another password", ROLE)
    assert taken.value.status == 409
    other = str(uuid.uuid4())
    with rows.transaction(other, "test") as conn:
        assert create_user(conn, other, "ada", "another password", ROLE)["username"] == "ada"


def test_sign_in_attempts_count_against_the_tenants_rate_limit(settings, account):
    limited = create_app(dataclasses.replace(settings, rate_limit_per_minute=2))
    limited.extensions["rate_limiter"] = FixedWindowLimiter(2, clock=lambda: 30.0)  # mid-window, no rollover
    try:
        client = limited.test_client()
        answers = [sign_in(client, account, password="guess") for _ in range(3)]
        assert [a.status_code for a in answers[:2]] == [401, 401]
        assert_error(answers[2], 429, "RESOURCE_EXHAUSTED", None)
        assert answers[2].headers["Retry-After"] == "30"
    finally:
        limited.extensions["db_pool"].close()


@pytest.fixture
def production_app(settings):
    app = create_app(dataclasses.replace(settings, app_env="production", oidc=OIDC))
    yield app
    app.extensions["db_pool"].close()


def test_production_disables_the_builtin_issuer_and_its_tokens(production_app, settings, account):
    client = production_app.test_client()
    error = assert_error(sign_in(client, account), 404, "NOT_FOUND", None)
    assert "disabled" in error["message"]
    token = issue_token(settings.jwt_secret, account["id"], account["tenant_id"], ROLE)
    assert_error(client.get(BASE, headers={"Authorization": f"Bearer {token}"}), 401, "UNAUTHENTICATED", None)


def test_production_settings_require_an_https_oidc_provider(settings):
    env = {"DATABASE_URL": settings.database_url, "PII_ENCRYPTION_KEY": settings.pii_encryption_key, "APP_ENV": "production"}
    oidc = {"OIDC_ISSUER": OIDC.issuer, "OIDC_AUDIENCE": OIDC.audience, "OIDC_JWKS_URL": OIDC.jwks_url}
    with pytest.raises(ConfigError, match="OIDC_ISSUER"):
        Config.from_env(env)
    with pytest.raises(ConfigError, match="https"):
        Config.from_env({**env, **oidc, "OIDC_JWKS_URL": "http://login.example.test/jwks"})
    with pytest.raises(ConfigError, match="all of"):
        Config.from_env({**env, "OIDC_ISSUER": OIDC.issuer})
    config = Config.from_env({**env, **oidc})
    assert not config.builtin_issuer_enabled and config.oidc == OIDC
    with pytest.raises(ConfigError, match="JWT_SECRET"):
        Config.from_env({**env, "APP_ENV": "development"})


def test_the_seed_accounts_sign_in_and_see_seed_rows(client, subtests):
    accounts = json.loads(USERS_FILE.read_text(encoding="utf-8"))
    assert sorted(a["role"] for a in accounts) == sorted(SCHEMA.roles), "one seed account per role"
    password = os.environ.get("SEED_USER_PASSWORD") or DEFAULT_USER_PASSWORD
    for account in accounts:
        with subtests.test(account=account["username"]):
            response = sign_in(client, {**account, "tenant_id": SEED_TENANT_ID, "password": password})
            if response.status_code == 401:
                pytest.skip("the seed accounts are missing: run python -m app.seed first")
            assert response.status_code == 200, response.get_json()
            headers = {"Authorization": f"Bearer {response.get_json()['access_token']}"}
            own_rows = []
            for entity in SCHEMA.entities:
                scope = SCHEMA.scope(account["role"], entity.name, "read")
                if scope is None:
                    continue
                items = client.get(f"/api/{entity.plural}", headers=headers).get_json()["items"]
                if scope == "all":
                    assert items, f"{account['role']} sees no {entity.plural} of the seed"
                else:
                    own_rows += items
            if any(SCHEMA.scope(account["role"], e.name, "read") == "own" for e in SCHEMA.entities):
                assert own_rows, f"{account['role']} owns none of the seed rows it may read"
