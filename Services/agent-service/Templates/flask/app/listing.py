"""The query parameters of a list (``GET /api/<plural>`` and the nested lists): filters, sorting,
a total on request, and keyset pages.

* ``?<column>=<value>``: rows whose column equals the value, for every field that is not personal
  data (PII is stored encrypted, so the database cannot compare it) and for references by their
  ``<name>_id`` column. Numbers, money, dates and times also take ranges: ``<column>[gte]=`` and
  ``<column>[lte]=`` (inclusive). Values are checked like the same field in a request body.
* ``?sort=<column>`` (ascending) or ``?sort=-<column>`` (descending): ``created_at``,
  ``updated_at`` or a non-PII field other than long text and references; rows without a value
  come last; ties are broken by id. The default is ``-created_at``, newest first.
* ``?include_total=true``: the page also holds ``total``, the number of rows matching the filters
  in the caller's scope.
* ``?page_size=1..200`` (default 50) and ``?page_token=`` (the previous page's
  ``next_page_token``; a token only continues the sort it was made for).

Any other parameter is refused (400 naming it), so a misspelt filter never silently returns
everything.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from app.errors import ApiError
from app.schema import Entity, Field
from app.validation import UUID, coerce

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
CONTROLS = ("page_size", "page_token", "sort", "include_total")
RANGE_TYPES = ("int", "decimal", "money", "date", "datetime")
UNSORTABLE_TYPES = ("text", "reference")
SYSTEM_COLUMNS = ("created_at", "updated_at")
_RANGE = re.compile(r"^(?P<column>[a-z_][a-z0-9_]*)\[(?P<operator>gte|lte)\]$")
_OPERATORS = {"eq": "=", "gte": ">=", "lte": "<="}
_INTEGER = re.compile(r"^[+-]?[0-9]{1,10}$")


@dataclass(frozen=True)
class Condition:
    """One filter: ``column operator value``."""

    column: str
    operator: str
    value: Any


@dataclass(frozen=True)
class Sort:
    """The order of a list: one column, then id."""

    column: str
    descending: bool

    @property
    def text(self) -> str:
        return ("-" if self.descending else "") + self.column


NEWEST_FIRST = Sort("created_at", descending=True)


@dataclass(frozen=True)
class ListQuery:
    """A list request's filters, order, page and whether to count."""

    conditions: tuple[Condition, ...]
    sort: Sort
    page_size: int
    after: tuple[Any, str] | None
    include_total: bool

    @classmethod
    def parse(cls, entity: Entity, args: Mapping[str, str], fixed: tuple[str, ...] = ()) -> ListQuery:
        """Reads the parameters (``fixed``: columns the route already sets, e.g. the parent's
        reference of a nested list); 400 naming the first problem."""
        repeated = sorted(name for name in args if len(args.getlist(name)) > 1) if hasattr(args, "getlist") else []
        if repeated:
            raise ApiError.invalid(f"give {repeated[0]} once", repeated[0])
        unknown = [name for name in args if name not in CONTROLS and _filter_field(entity, name, fixed) is None]
        if unknown:
            raise ApiError.invalid(
                f"unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(sorted(unknown))} "
                f"(filters: {', '.join(filterable_columns(entity, fixed)) or 'none'})", sorted(unknown)[0])
        conditions = []
        for name, text in args.items():
            if name in CONTROLS:
                continue
            field, operator = _filter_field(entity, name, fixed)
            conditions.append(Condition(field.column, _OPERATORS[operator], _filter_value(field, name, text)))
        sort = _sort(entity, args.get("sort"))
        token = args.get("page_token")
        return cls(
            conditions=tuple(conditions),
            sort=sort,
            page_size=_page_size(args.get("page_size")),
            after=decode_page_token(token, sort) if token else None,
            include_total=_flag(args.get("include_total"), "include_total"),
        )

    def where(self) -> tuple[sql.Composable, list[Any]]:
        """The filters as SQL (``TRUE`` when none) and their parameters."""
        clauses = [sql.SQL("{} {} %s").format(sql.Identifier(c.column), sql.SQL(c.operator)) for c in self.conditions]
        return (sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("TRUE")), [c.value for c in self.conditions]

    def keyset(self) -> tuple[sql.Composable, list[Any]]:
        """The rows after the page token's row in this order (``TRUE`` on the first page)."""
        if self.after is None:
            return sql.SQL("TRUE"), []
        value, row_id = self.after
        column = sql.Identifier(self.sort.column)
        if value is None:
            return sql.SQL("({} IS NULL AND id > %s)").format(column), [row_id]
        beyond = sql.SQL("<" if self.sort.descending else ">")
        return (sql.SQL("({c} {beyond} %s OR ({c} = %s AND id > %s) OR {c} IS NULL)").format(c=column, beyond=beyond),
                [value, value, row_id])

    def order_by(self) -> sql.Composable:
        return sql.SQL("{} {} NULLS LAST, id ASC").format(
            sql.Identifier(self.sort.column), sql.SQL("DESC" if self.sort.descending else "ASC"))

    def next_page_token(self, last: dict[str, Any]) -> str:
        """The token continuing after ``last`` (a row as the API returns it)."""
        raw = json.dumps([self.sort.text, last.get(self.sort.column), last["id"]]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def filterable_columns(entity: Entity, fixed: tuple[str, ...] = ()) -> list[str]:
    """The query parameters that filter this entity's lists (without the range forms)."""
    return [f.column for f in entity.fields if not f.pii and f.column not in fixed]


def sortable_columns(entity: Entity) -> list[str]:
    return list(SYSTEM_COLUMNS) + [f.column for f in entity.fields if not f.pii and f.type not in UNSORTABLE_TYPES]


def decode_page_token(token: str, sort: Sort) -> tuple[Any, str]:
    """The (sort value, id) of the last row of the previous page; 400 for a token this API did
    not make for this sort."""
    try:
        made_for, value, row_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(row_id, str) or not UUID.match(row_id) or isinstance(value, (list, dict)):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ApiError.invalid("page_token is not a token this API returned", "page_token") from None
    if made_for != sort.text:
        raise ApiError.invalid(f"page_token continues sort={made_for}, not sort={sort.text}", "page_token")
    return value, row_id


def _filter_field(entity: Entity, name: str, fixed: tuple[str, ...]) -> tuple[Field, str] | None:
    match = _RANGE.match(name)
    column, operator = (match["column"], match["operator"]) if match else (name, "eq")
    field = entity.by_column(column)
    if field is None or field.pii or column in fixed:
        return None
    if operator != "eq" and field.type not in RANGE_TYPES:
        return None
    return field, operator


def _filter_value(field: Field, name: str, text: str) -> Any:
    """The value of a filter, checked like the field in a body (a query string has only text)."""
    value: Any = text
    if field.type == "int":
        if not _INTEGER.match(text):
            raise ApiError.invalid(f"{name} must be an integer", name)
        value = int(text)
    elif field.type == "bool":
        value = _flag(text, name)
    try:
        return coerce(Field(name=field.name, type=field.type, required=True, values=field.values,
                            references=field.references), value)
    except ApiError as error:
        raise ApiError.invalid(error.message.replace(field.column, name, 1), name) from None


def _sort(entity: Entity, text: str | None) -> Sort:
    if text is None:
        return NEWEST_FIRST
    column = text[1:] if text.startswith("-") else text
    if column not in sortable_columns(entity):
        raise ApiError.invalid(f"sort must be one of {', '.join(sortable_columns(entity))}, "
                               "optionally with a leading - for descending", "sort")
    return Sort(column, descending=text.startswith("-"))


def _page_size(text: str | None) -> int:
    if text is None:
        return DEFAULT_PAGE_SIZE
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise ApiError.invalid(f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}", "page_size")
    return int(text)


def _flag(text: str | None, name: str) -> bool:
    if text is None:
        return False
    if text not in ("true", "false"):
        raise ApiError.invalid(f"{name} must be true or false", name)
    return text == "true"


def page(query: ListQuery, rows: list[dict[str, Any]], total: int | None) -> dict[str, Any]:
    """The response body of a page, from up to ``page_size + 1`` rows."""
    more = len(rows) > query.page_size
    rows = rows[:query.page_size]
    body: dict[str, Any] = {"items": rows, "next_page_token": query.next_page_token(rows[-1]) if more else None}
    if total is not None:
        body["total"] = total
    return body

