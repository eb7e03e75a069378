"""Application factory: ``create_app()`` wires config, logging, the database pool, PII
encryption, authentication (built-in issuer and OpenID Connect), rate limits, the per-entity
blueprints and JSON error handlers.

Run it with ``python -m app`` (development, ``make dev``) or ``gunicorn 'app:create_app()'``.
"""

from __future__ import annotations

import time
import uuid
from logging import getLogger

from flask import Blueprint, Flask, current_app, g, jsonify, request

from app import db, migrations
from app.auth import TokenVerifier, authenticate
from app.config import Config, load_dotenv
from app.crypto import PIICipher
from app.docs import blueprint as docs_blueprint
from app.errors import ApiError, register_error_handlers
from app.issuer import blueprint as issuer_blueprint
from app.logging import configure as configure_logging
from app.oidc import JWKSCache, OIDCVerifier
from app.ratelimit import FixedWindowLimiter
from app.relations import make_relations_blueprint
from app.schema import load_schema

# ``app.logging`` (JSON + redaction) shadows the stdlib name inside this package: use getLogger.
access_log = getLogger("app.access")


def create_app(config: Config | None = None) -> Flask:
    """The app for ``config`` (default: the environment, after loading ``.env`` outside
    production)."""
    if config is None:
        load_dotenv()
        config = Config.from_env()
    configure_logging(config.log_level)
    schema = load_schema()

    app = Flask(__name__, static_folder=None)  # app/static is served by app/docs.py only
    app.config["APP"] = config
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.json.sort_keys = False
    app.extensions["pii_cipher"] = PIICipher(config.pii_encryption_key)
    app.extensions["rate_limiter"] = FixedWindowLimiter(config.rate_limit_per_minute)
    app.extensions["token_verifier"] = _token_verifier(config)
    db.init_app(app, db.Pool(config.database_url, config.database_schema))
    register_error_handlers(app)
    app.register_blueprint(issuer_blueprint)
    app.register_blueprint(docs_blueprint)

    from app.resources import BLUEPRINTS

    api = Blueprint("api", __name__, url_prefix="/api")
    api.before_request(_authenticate_and_limit)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    api.register_blueprint(make_relations_blueprint())
    app.register_blueprint(api)

    @app.get("/health")
    def health():
        """Liveness: the process answers (no database call)."""
        return jsonify({"status": "ok", "app": schema.title})

    @app.get("/ready")
    def ready():
        """Readiness: the database answers and every migration the app ships is applied (503
        naming the missing ones otherwise)."""
        pending = migrations.missing(db.get_db())
        if pending:
            return jsonify({"status": "not_ready", "missing_migrations": pending}), 503
        return jsonify({"status": "ok"})

    @app.before_request
    def _start():
        g.started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex

    @app.after_request
    def _finish(response):
        decision = g.pop("rate_limit", None)
        if decision is not None:
            response.headers.update(decision.headers)
        response.headers["X-Request-Id"] = g.get("request_id", "")
        user = g.get("user")
        access_log.info(
            "%s %s -> %s", request.method, request.full_path.rstrip("?"), response.status_code,
            extra={
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
                "request_id": g.get("request_id"),
                "tenant_id": user.tenant_id if user else None,
                "user_id": user.sub if user else None,
            },
        )
        return response

    return app


def _token_verifier(config: Config) -> TokenVerifier:
    """HS256 tokens of the built-in issuer while it is enabled; RS256/ES256 tokens of the OpenID
    Connect provider when one is configured."""
    oidc = None
    if config.oidc is not None:
        keys = JWKSCache(config.oidc.jwks_url, config.oidc.jwks_ttl_seconds)
        oidc = OIDCVerifier(config.oidc, keys)
    return TokenVerifier(config.jwt_secret if config.builtin_issuer_enabled else None, oidc)


def _authenticate_and_limit():
    """Runs before every /api route: verified caller first, then the tenant's rate limit."""
    user = authenticate()
    limiter = current_app.extensions["rate_limiter"]
    if limiter.limit > 0:
        decision = limiter.hit(user.tenant_id)
        g.rate_limit = decision
        if not decision.allowed:
            raise ApiError(429, "RESOURCE_EXHAUSTED", "rate limit exceeded for this tenant",
                           headers={"Retry-After": str(decision.reset_seconds), **decision.headers})
