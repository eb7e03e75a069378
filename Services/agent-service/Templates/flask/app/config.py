"""Settings, read from the environment (see ``.env.example`` and the README)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Mapping

_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


class ConfigError(RuntimeError):
    """A missing or malformed setting; the message names every problem."""


@dataclass(frozen=True)
class Config:
    database_url: str
    jwt_secret: str
    pii_encryption_key: str
    database_schema: str = "public"
    rate_limit_per_minute: int = 600
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Config":
        """Reads DATABASE_URL, DATABASE_SCHEMA, JWT_SECRET, PII_ENCRYPTION_KEY,
        RATE_LIMIT_PER_MINUTE and LOG_LEVEL; keyword arguments override them."""
        env = os.environ if env is None else env
        values = {
            "database_url": env.get("DATABASE_URL", ""),
            "database_schema": env.get("DATABASE_SCHEMA", "") or "public",
            "jwt_secret": env.get("JWT_SECRET", ""),
            "pii_encryption_key": env.get("PII_ENCRYPTION_KEY", ""),
            "rate_limit_per_minute": env.get("RATE_LIMIT_PER_MINUTE", "") or "600",
            "log_level": (env.get("LOG_LEVEL", "") or "INFO").upper(),
        }
        values.update(overrides)
        problems = []
        for name in ("database_url", "jwt_secret", "pii_encryption_key"):
            if not values[name]:
                problems.append(f"{name.upper()} is not set")
        if values["jwt_secret"] and len(str(values["jwt_secret"]).encode()) < 32:
            problems.append("JWT_SECRET must be at least 32 bytes")
        if not _SCHEMA_NAME.match(str(values["database_schema"])):
            problems.append("DATABASE_SCHEMA must be a plain identifier")
        try:
            values["rate_limit_per_minute"] = int(values["rate_limit_per_minute"])
            if values["rate_limit_per_minute"] < 0:
                raise ValueError
        except ValueError:
            problems.append("RATE_LIMIT_PER_MINUTE must be a whole number >= 0 (0 disables the limit)")
        if values["log_level"] not in _LOG_LEVELS:
            problems.append(f"LOG_LEVEL must be one of {', '.join(sorted(_LOG_LEVELS))}")
        if problems:
            raise ConfigError("; ".join(problems))
        return cls(**values)

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
