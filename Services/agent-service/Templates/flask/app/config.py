"""Settings, read from the environment (see ``.env.example`` and the README).

``APP_ENV`` is ``development`` (the default) or ``production``. In development the built-in
issuer is on (``POST /auth/token`` signs HS256 tokens with ``JWT_SECRET``, which must be set) and
``.env`` is loaded by :func:`load_dotenv`. In production the built-in issuer is off, only tokens of
the OpenID Connect provider are accepted (``OIDC_ISSUER``, ``OIDC_AUDIENCE`` and an https
``OIDC_JWKS_URL`` are required) and ``.env`` is never read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import dotenv
from psycopg.conninfo import conninfo_to_dict

from app.passwords import cost_from_env

_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
APP_ENVS = ("development", "production")
DOTENV_PATH = Path(__file__).resolve().parent.parent / ".env"


class ConfigError(RuntimeError):
    """A missing or malformed setting; the message names every problem."""


def load_dotenv(path: Path = DOTENV_PATH) -> bool:
    """Loads ``.env`` into the environment (variables already set win), unless the environment
    says ``APP_ENV=production``. Returns True when a file was loaded."""
    if os.environ.get("APP_ENV", "").strip().lower() == "production":
        return False
    return dotenv.load_dotenv(path, override=False)


@dataclass(frozen=True)
class OIDCSettings:
    """The OpenID Connect provider whose tokens the API accepts (RS256 or ES256)."""

    issuer: str
    audience: str
    jwks_url: str
    tenant_claim: str = "tid"
    role_claim: str = "role"
    jwks_ttl_seconds: int = 600


@dataclass(frozen=True)
class MigrationSettings:
    """The connection migrations run on and the role the app runs as.

    With ``app_role`` set (MIGRATION_DATABASE_URL names another role than DATABASE_URL), the
    migrator owns every table and grants the app's role only what it needs (see ``app.migrate``).
    """

    url: str
    schema: str
    app_role: str | None


@dataclass(frozen=True)
class Config:
    database_url: str
    pii_encryption_key: str
    jwt_secret: str = ""
    database_schema: str = "public"
    rate_limit_per_minute: int = 600
    log_level: str = "INFO"
    app_env: str = "development"
    oidc: OIDCSettings | None = None

    @property
    def builtin_issuer_enabled(self) -> bool:
        """True outside production: ``POST /auth/token`` and HS256 tokens of ``JWT_SECRET``."""
        return self.app_env != "production"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> Config:
        """Reads DATABASE_URL, DATABASE_SCHEMA, JWT_SECRET, PII_ENCRYPTION_KEY,
        RATE_LIMIT_PER_MINUTE, LOG_LEVEL, APP_ENV and the OIDC_* settings, and checks
        PASSWORD_HASH_COST (read where passwords are hashed); keyword arguments override them."""
        env = os.environ if env is None else env
        values = {
            "database_url": env.get("DATABASE_URL", ""),
            "database_schema": env.get("DATABASE_SCHEMA", "") or "public",
            "jwt_secret": env.get("JWT_SECRET", ""),
            "pii_encryption_key": env.get("PII_ENCRYPTION_KEY", ""),
            "rate_limit_per_minute": env.get("RATE_LIMIT_PER_MINUTE", "") or "600",
            "log_level": (env.get("LOG_LEVEL", "") or "INFO").upper(),
            "app_env": (env.get("APP_ENV", "") or "development").strip().lower(),
        }
        problems = []
        values["oidc"] = _oidc_from_env(env, problems)
        values.update(overrides)
        for name in ("database_url", "pii_encryption_key"):
            if not values[name]:
                problems.append(f"{name.upper()} is not set")
        if values["app_env"] not in APP_ENVS:
            problems.append(f"APP_ENV must be one of {', '.join(APP_ENVS)}")
        elif values["app_env"] == "production":
            problems += _production_problems(values["oidc"])
        elif len(str(values["jwt_secret"]).encode()) < 32:
            problems.append("JWT_SECRET (the built-in issuer's key) must be set, at least 32 bytes")
        if not _SCHEMA_NAME.match(str(values["database_schema"])):
            problems.append("DATABASE_SCHEMA must be a plain identifier")
        try:
            values["rate_limit_per_minute"] = int(values["rate_limit_per_minute"])
            if values["rate_limit_per_minute"] < 0:
                raise ValueError
        except ValueError:
            problems.append("RATE_LIMIT_PER_MINUTE must be a whole number >= 0 (0 disables the limit)")
        try:
            cost_from_env(env)
        except ValueError as error:
            problems.append(str(error))
        if values["log_level"] not in _LOG_LEVELS:
            problems.append(f"LOG_LEVEL must be one of {', '.join(sorted(_LOG_LEVELS))}")
        if problems:
            raise ConfigError("; ".join(problems))
        return cls(**values)

    @classmethod
    def migration_from_env(cls, env: Mapping[str, str] | None = None) -> MigrationSettings:
        """Where migrations run: MIGRATION_DATABASE_URL (the role owning the tables; DATABASE_URL
        when unset) and DATABASE_SCHEMA; the app's role is the user of DATABASE_URL."""
        env = os.environ if env is None else env
        app_url, schema = cls.database_from_env(env)
        url = env.get("MIGRATION_DATABASE_URL", "").strip() or app_url
        app_role = conninfo_to_dict(app_url).get("user") if url != app_url else None
        if url != app_url and not app_role:
            raise ConfigError("DATABASE_URL must name its user (the app's role) when MIGRATION_DATABASE_URL is set")
        return MigrationSettings(url=url, schema=schema, app_role=app_role)

    @classmethod
    def database_from_env(cls, env: Mapping[str, str] | None = None) -> tuple[str, str]:
        """Only the database settings (for ``app.migrate``, which needs no other secret)."""
        env = os.environ if env is None else env
        url, schema = env.get("DATABASE_URL", ""), env.get("DATABASE_SCHEMA", "") or "public"
        if not url:
            raise ConfigError("DATABASE_URL is not set")
        if not _SCHEMA_NAME.match(schema):
            raise ConfigError("DATABASE_SCHEMA must be a plain identifier")
        return url, schema


def _oidc_from_env(env: Mapping[str, str], problems: list[str]) -> OIDCSettings | None:
    """OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL (all or none), OIDC_TENANT_CLAIM and
    OIDC_ROLE_CLAIM (defaults ``tid`` and ``role``)."""
    names = ("OIDC_ISSUER", "OIDC_AUDIENCE", "OIDC_JWKS_URL")
    issuer, audience, jwks_url = (env.get(name, "").strip() for name in names)
    if not (issuer or audience or jwks_url):
        return None
    if not (issuer and audience and jwks_url):
        problems.append(f"set all of {', '.join(names)} or none of them")
        return None
    if not jwks_url.startswith(("https://", "http://")):
        problems.append("OIDC_JWKS_URL must be an http(s) URL")
    return OIDCSettings(
        issuer=issuer, audience=audience, jwks_url=jwks_url,
        tenant_claim=env.get("OIDC_TENANT_CLAIM", "").strip() or "tid",
        role_claim=env.get("OIDC_ROLE_CLAIM", "").strip() or "role",
    )


def _production_problems(oidc: OIDCSettings | None) -> list[str]:
    if oidc is None:
        return ["APP_ENV=production accepts only OpenID Connect tokens: set OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL"]
    if not oidc.jwks_url.startswith("https://"):
        return ["OIDC_JWKS_URL must use https in production"]
    return []
