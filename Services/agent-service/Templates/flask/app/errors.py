"""JSON errors: every failure answers ``{"error": {"code", "message", "field"}}``.

Codes follow the gRPC canonical names (INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED,
NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, UNAVAILABLE, INTERNAL).
Bad input never produces a 500.
"""

from __future__ import annotations

import logging

import psycopg
from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger("app.errors")

_HTTP_CODES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "INVALID_ARGUMENT",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    413: "INVALID_ARGUMENT",
    415: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """An error answered to the client as JSON."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}

    @classmethod
    def invalid(cls, message: str, field: str | None = None) -> ApiError:
        return cls(400, "INVALID_ARGUMENT", message, field)

    @classmethod
    def unauthenticated(cls, message: str) -> ApiError:
        return cls(401, "UNAUTHENTICATED", message, headers={"WWW-Authenticate": 'Bearer realm="api"'})

    @classmethod
    def forbidden(cls, message: str, field: str | None = None) -> ApiError:
        return cls(403, "PERMISSION_DENIED", message, field)

    @classmethod
    def not_found(cls, message: str = "not found") -> ApiError:
        return cls(404, "NOT_FOUND", message)

    @classmethod
    def conflict(cls, message: str, field: str | None = None, code: str = "ALREADY_EXISTS") -> ApiError:
        return cls(409, code, message, field)

    @classmethod
    def precondition_failed(cls, message: str) -> ApiError:
        """412: the row changed since the caller read it (its ``If-Match`` no longer matches)."""
        return cls(412, "FAILED_PRECONDITION", message, "If-Match")


def error_response(status: int, code: str, message: str, field: str | None = None, headers: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "field": field}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(error: ApiError):
        return error_response(error.status, error.code, error.message, error.field, error.headers)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        return error_response(status, _HTTP_CODES.get(status, "INTERNAL"), error.description or error.name)

    @app.errorhandler(psycopg.OperationalError)
    def _database_unavailable(error: psycopg.OperationalError):
        log.warning("database unavailable: %s", error.__class__.__name__)
        return error_response(503, "UNAVAILABLE", "the database is unavailable; retry later", headers={"Retry-After": "5"})

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error")
        return error_response(500, "INTERNAL", "internal error")
