"""PostgreSQL access: a small connection pool and one transaction per request.

Every request that touches the database runs in a single transaction that starts with

    SELECT set_config('app.tenant_id', <tid>, true), set_config('app.user_id', <sub>, true)

so the row-level-security policies (``tenant_id = NULLIF(current_setting('app.tenant_id', true),
'')::uuid``) and the audit triggers (``current_setting('app.user_id', true)``) see the caller.
``true`` makes both settings local to the transaction: a pooled connection never carries one
tenant's identity into the next request. The transaction commits when the response is a success
(status < 400) and rolls back otherwise.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from flask import Flask, current_app, g
from psycopg import sql
from psycopg.rows import dict_row


def connect(url: str, schema: str, autocommit: bool = False) -> psycopg.Connection:
    """A new connection whose ``search_path`` is the app's schema (DATABASE_SCHEMA)."""
    conn = psycopg.connect(url, autocommit=True, row_factory=dict_row, connect_timeout=10)
    conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
    conn.autocommit = autocommit
    return conn


def set_identity(conn: psycopg.Connection, tenant_id: str | None, user_id: str | None) -> None:
    """Sets the tenant and the acting user for the current transaction only."""
    conn.execute(
        "SELECT set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true)",
        (tenant_id or "", user_id or ""),
    )


class Pool:
    """A tiny thread-safe pool: idle connections are reused, broken ones are dropped."""

    def __init__(self, url: str, schema: str, max_idle: int = 5):
        self.url, self.schema = url, schema
        self._idle: queue.LifoQueue[psycopg.Connection] = queue.LifoQueue(maxsize=max_idle)
        self._closed = threading.Event()

    def get(self) -> psycopg.Connection:
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                return connect(self.url, self.schema)
            if not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
                return conn
            conn.close()

    def put(self, conn: psycopg.Connection) -> None:
        reusable = not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        if reusable and not self._closed.is_set():
            try:
                self._idle.put_nowait(conn)
                return
            except queue.Full:
                pass
        conn.close()

    def close(self) -> None:
        self._closed.set()
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


@contextmanager
def tenant_transaction(pool_or_conn, tenant_id: str, user_id: str | None) -> Iterator[psycopg.Connection]:
    """A transaction acting as ``user_id`` in ``tenant_id`` outside a request (seed, scripts, tests)."""
    if isinstance(pool_or_conn, Pool):
        conn = pool_or_conn.get()
        try:
            with conn.transaction():
                set_identity(conn, tenant_id, user_id)
                yield conn
        finally:
            pool_or_conn.put(conn)
    else:
        with pool_or_conn.transaction():
            set_identity(pool_or_conn, tenant_id, user_id)
            yield pool_or_conn


def get_db() -> psycopg.Connection:
    """The request's connection, in a transaction scoped to the caller (see ``app.auth``)."""
    if "db" not in g:
        user = g.get("user")
        conn = current_app.extensions["db_pool"].get()
        try:
            set_identity(conn, user.tenant_id if user else None, user.sub if user else None)
        except Exception:
            current_app.extensions["db_pool"].put(conn)
            raise
        g.db = conn
    return g.db


def init_app(app: Flask, pool: Pool) -> None:
    app.extensions["db_pool"] = pool

    @app.after_request
    def _finish_transaction(response):
        conn = g.pop("db", None)
        if conn is not None:
            try:
                if response.status_code < 400:
                    conn.commit()
                else:
                    conn.rollback()
            finally:
                pool.put(conn)
        return response

    @app.teardown_request
    def _release_on_error(_exc):
        conn = g.pop("db", None)  # still here only when the request failed before after_request
        if conn is not None:
            try:
                conn.rollback()
            finally:
                pool.put(conn)
