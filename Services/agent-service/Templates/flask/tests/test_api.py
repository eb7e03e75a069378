"""Cross-cutting API behaviour: health, readiness, authentication (401), unknown roles (403), JSON errors,
pagination parameters and the per-tenant rate limit (429)."""

import dataclasses
import shutil
import time
import uuid

import jwt
import pytest

from app import create_app, migrations
from app.ratelimit import FixedWindowLimiter
from support import SCHEMA, assert_error, roles_allowed

ENTITY = SCHEMA.entities[0]
BASE = f"/api/{ENTITY.plural}"
READER = (roles_allowed(ENTITY, "read") or list(SCHEMA.roles) or ["nobody"])[0]


def test_health_and_readiness_need_no_token(client):
    assert client.get("/health").get_json()["status"] == "ok"
    assert client.get("/ready").get_json() == {"status": "ok"}


def test_readiness_names_the_migrations_not_applied(client, monkeypatch, tmp_path):
    for path in migrations.MIGRATIONS_DIR.glob("*.sql"):
        shutil.copy(path, tmp_path)
    for direction in ("up", "down"):
        (tmp_path / f"9998_add_later.{direction}.sql").write_text("SELECT 1;", encoding="utf-8")
        (tmp_path / f"9999_add_last.{direction}.sql").write_text("SELECT 1;", encoding="utf-8")
    monkeypatch.setattr(migrations, "MIGRATIONS_DIR", tmp_path)
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.get_json() == {"status": "not_ready", "missing_migrations": ["9998_add_later", "9999_add_last"]}


def test_requests_without_a_valid_token_are_401(client, settings, subtests):
    now = int(time.time())
    good = {"sub": "u", "tid": str(uuid.uuid4()), "role": READER, "iat": now, "exp": now + 60}
    cases = {
        "no header": None,
        "not bearer": "Basic dTpw",
        "garbage": "Bearer not-a-jwt",
        "wrong key": "Bearer " + jwt.encode(good, "x" * 32 + "-wrong-key", algorithm="HS256"),
        "expired": "Bearer " + jwt.encode({**good, "exp": now - 3600}, settings.jwt_secret, algorithm="HS256"),
        "alg none": "Bearer " + jwt.encode(good, None, algorithm="none"),
        "no exp": "Bearer " + jwt.encode({k: v for k, v in good.items() if k != "exp"}, settings.jwt_secret, algorithm="HS256"),
        "tid not a uuid": "Bearer " + jwt.encode({**good, "tid": "acme"}, settings.jwt_secret, algorithm="HS256"),
        "no role": "Bearer " + jwt.encode({k: v for k, v in good.items() if k != "role"}, settings.jwt_secret, algorithm="HS256"),
    }
    for name, header in cases.items():
        with subtests.test(case=name):
            response = client.get(BASE, headers={"Authorization": header} if header else {})
            assert_error(response, 401, "UNAUTHENTICATED", None)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_role_the_spec_does_not_define_is_403(caller):
    assert_error(caller("not-a-role-of-this-app").get(BASE), 403, "PERMISSION_DENIED", None)


def test_unknown_routes_and_methods_answer_json(caller):
    me = caller(READER)
    assert_error(me.get("/api/no-such-resource"), 404, "NOT_FOUND", None)
    response = me.client.put(BASE, headers=me.headers, json={})
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "INVALID_ARGUMENT"


def test_pagination_parameters_are_validated(caller, subtests):
    if not roles_allowed(ENTITY, "read"):
        pytest.skip(f"no role may read {ENTITY.plural}")
    me = caller(READER)
    for query, field in [({"page_size": 0}, "page_size"), ({"page_size": 201}, "page_size"),
                         ({"page_size": "ten"}, "page_size"), ({"page_token": "garbage!"}, "page_token")]:
        with subtests.test(query=query):
            assert_error(me.get(BASE, query_string=query), 400, "INVALID_ARGUMENT", field)


def test_the_rate_limit_is_per_tenant(settings, caller):
    limited = create_app(dataclasses.replace(settings, rate_limit_per_minute=2))
    limited.extensions["rate_limiter"] = FixedWindowLimiter(2, clock=lambda: 30.0)  # mid-window, no rollover
    try:
        client = limited.test_client()
        me, other = caller(READER), caller(READER, tenant=str(uuid.uuid4()))
        answers = [client.get(BASE, headers=me.headers) for _ in range(3)]
        assert answers[0].headers["RateLimit-Limit"] == "2"
        assert answers[1].headers["RateLimit-Remaining"] == "0"
        assert_error(answers[2], 429, "RESOURCE_EXHAUSTED", None)
        assert answers[2].headers["Retry-After"] == "30"
        assert client.get(BASE, headers=other.headers).status_code != 429
    finally:
        limited.extensions["db_pool"].close()


def test_a_stale_write_is_412_and_a_current_one_goes_through(caller, rows, tenant):
    editable = [(e, r) for e in SCHEMA.entities for r in roles_allowed(e, "update")
                if r in roles_allowed(e, "read") and r in roles_allowed(e, "delete")
                and any(f.type != "reference" and not f.is_owner for f in e.fields)]
    if not editable:
        pytest.skip("no role may read, update and delete the same entity with a field of its own")
    entity, role = editable[0]
    editor = caller(role)
    url = f"/api/{entity.plural}/{rows.create(entity, tenant, owner=editor)['id']}"
    read = editor.get(url)
    tag = read.headers["ETag"]
    assert tag.startswith('"') and editor.get(url, headers={"If-None-Match": tag}).status_code == 304
    changed = editor.patch(url, json={}, headers={"If-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] == tag  # nothing changed, same version
    body = {k: v for k, v in rows.payload(entity).items() if entity.by_column(k) and entity.by_column(k).type != "reference"}
    updated = editor.patch(url, json=dict(list(body.items())[:1]), headers={"If-Match": tag})
    assert updated.status_code == 200, updated.get_json()
    fresh = updated.headers["ETag"]
    assert fresh != tag and editor.get(url).headers["ETag"] == fresh
    assert_error(editor.patch(url, json=dict(list(body.items())[:1]), headers={"If-Match": tag}), 412, "FAILED_PRECONDITION", "If-Match")
    assert_error(editor.delete(url, headers={"If-Match": tag}), 412, "FAILED_PRECONDITION", "If-Match")
    assert editor.get(url).status_code == 200
    assert editor.delete(url, headers={"If-Match": fresh}).status_code == 204
    assert_error(editor.patch(url, json={}, headers={"If-Match": "*"}), 404, "NOT_FOUND", None)
