"""Request validation per field type, and the JSON form of stored values.

JSON keys are the column names: a reference field ``company`` is sent and returned as
``company_id`` (a UUID). Accepted input per field type (and what is returned):

* string    - a string of at most 255 characters (required: not blank)
* text      - a string
* int       - a 32-bit integer
* decimal   - a number or numeric string, at most 12 integer and 6 fraction digits
              (returned as a string, e.g. "1.500000")
* money     - the same with at most 2 fraction digits (returned as a string, e.g. "1000.00")
* bool      - true or false
* date      - "YYYY-MM-DD"
* datetime  - RFC 3339 with an offset, e.g. "2026-01-02T09:00:00Z" (returned in UTC, "...Z")
* enum      - one of the declared values
* email     - a string with one "@" and no spaces, at most 320 characters
* phone     - digits, spaces and + ( ) . -, 3 to 32 characters
* reference - the UUID of a row of the referenced entity in the caller's tenant

Required fields must be present and not null on create (``null`` clears an optional field).
Unknown and read-only keys (id, tenant_id, created_at, updated_at) are rejected. Every error is
400 INVALID_ARGUMENT and names the offending field; error messages never echo the value.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.errors import ApiError
from app.schema import Entity, Field

READ_ONLY = ("id", "tenant_id", "created_at", "updated_at")
INT_RANGE = (-(2**31), 2**31 - 1)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{1,30}[0-9)]$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$")
NUMBER_LIMITS = {"money": (12, 2), "decimal": (12, 6)}  # integer digits, fraction digits
OWNER_MAX_LENGTH = 255


def validate_payload(entity: Entity, payload: Any, *, partial: bool) -> dict[str, Any]:
    """Checks a create (``partial=False``) or PATCH body; returns ``{column: python value}``.

    The owner column may appear in the result; whether the caller may set it is decided by the
    resource (see ``app.crud``).
    """
    if not isinstance(payload, dict):
        raise ApiError.invalid("the body must be a JSON object")
    values: dict[str, Any] = {}
    for key, value in payload.items():
        if key in READ_ONLY:
            raise ApiError.invalid(f"{key} is read-only", key)
        if entity.owner_is_implicit and key == entity.owner_column:
            values[key] = _owner(value, key)
            continue
        field = entity.by_column(key)
        if field is None:
            hint = ""
            if entity.field(key) is not None:
                hint = f" (send {entity.field(key).column}, the id of the {entity.field(key).references})"
            raise ApiError.invalid(f"unknown field {key}{hint}", key)
        values[key] = coerce(field, value)
    if not partial:
        for field in entity.fields:
            if field.required_on_create and values.get(field.column) is None:
                raise ApiError.invalid(f"{field.column} is required", field.column)
    return values


def coerce(field: Field, value: Any) -> Any:
    """The Python value of one JSON value of a field (400 naming the field when invalid)."""
    name = field.column
    if value is None:
        if field.required:
            raise ApiError.invalid(f"{name} is required and cannot be null", name)
        return None
    kind = field.type
    if kind in ("string", "text", "email", "phone", "enum"):
        if not isinstance(value, str):
            raise ApiError.invalid(f"{name} must be a string", name)
        if "\x00" in value:
            raise ApiError.invalid(f"{name} must not contain NUL characters", name)
        if kind == "string":
            if len(value) > 255:
                raise ApiError.invalid(f"{name} must be at most 255 characters", name)
            if field.required and not value.strip():
                raise ApiError.invalid(f"{name} must not be empty", name)
        elif kind == "email" and (len(value) > 320 or not EMAIL.match(value)):
            raise ApiError.invalid(f"{name} must be an e-mail address", name)
        elif kind == "phone" and not PHONE.match(value):
            raise ApiError.invalid(f"{name} must be a phone number (digits, spaces, + ( ) . -)", name)
        elif kind == "enum" and value not in field.values:
            raise ApiError.invalid(f"{name} must be one of: {', '.join(field.values)}", name)
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ApiError.invalid(f"{name} must be an integer", name)
        if not INT_RANGE[0] <= value <= INT_RANGE[1]:
            raise ApiError.invalid(f"{name} is out of range", name)
        return value
    if kind in NUMBER_LIMITS:
        return _number(field, value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise ApiError.invalid(f"{name} must be true or false", name)
        return value
    if kind == "date":
        try:
            if not isinstance(value, str) or not DATE.match(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            raise ApiError.invalid(f"{name} must be a date (YYYY-MM-DD)", name) from None
    if kind == "datetime":
        try:
            if not isinstance(value, str) or not DATETIME.match(value):
                raise ValueError
            return datetime.fromisoformat(value.replace("z", "Z").replace("t", "T")).astimezone(UTC)
        except ValueError:
            raise ApiError.invalid(f"{name} must be an RFC 3339 date-time with an offset", name) from None
    if kind == "reference":
        if not isinstance(value, str) or not UUID.match(value):
            raise ApiError.invalid(f"{name} must be a UUID (the id of a {field.references} row)", name)
        return value.lower()
    raise ApiError.invalid(f"{name} has an unsupported type", name)  # pragma: no cover


def _number(field: Field, value: Any) -> Decimal:
    name = field.column
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ApiError.invalid(f"{name} must be a number", name)
    if isinstance(value, float) and not math.isfinite(value):
        raise ApiError.invalid(f"{name} must be a finite number", name)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ApiError.invalid(f"{name} must be a number", name) from None
    if not number.is_finite():
        raise ApiError.invalid(f"{name} must be a finite number", name)
    whole, places = NUMBER_LIMITS[field.type]
    if abs(number) >= Decimal(10) ** whole:
        raise ApiError.invalid(f"{name} must be less than 10^{whole}", name)
    if number.as_tuple().exponent < -places and number != number.quantize(Decimal(1).scaleb(-places)):
        raise ApiError.invalid(f"{name} has more than {places} decimal places", name)
    return number


def _owner(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value or len(value) > OWNER_MAX_LENGTH or "\x00" in value:
        raise ApiError.invalid(f"{name} must be a user id (1 to {OWNER_MAX_LENGTH} characters)", name)
    return value


def to_json(field: Field | None, value: Any) -> Any:
    """The JSON form of a value read from the database (``field`` None: owner/system columns)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        if field is not None and field.type == "money":
            value = value.quantize(Decimal("0.01"))
        return str(value)
    if not isinstance(value, (str, int, float, bool)):
        return str(value)  # UUID
    return value


def to_text(field: Field, value: Any) -> str:
    """The text a PII value is encrypted from."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return to_json(field, value)
    return str(value)


def from_text(field: Field, text: str) -> Any:
    """The JSON value of a decrypted PII text (inverse of :func:`to_text`)."""
    if field.type == "int":
        return int(text)
    if field.type == "bool":
        return text == "true"
    if field.type == "money":
        return str(Decimal(text).quantize(Decimal("0.01")))
    return text
