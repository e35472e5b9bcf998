"""A local stand-in for Cloudflare D1's HTTP query endpoint, backed by sqlite3, for the tests.

It implements `POST /client/v4/accounts/{account_id}/d1/database/{database_id}/query` with a JSON body
`{"sql": "...", "params": ["..."]}` (params are strings, as the API documents), Bearer-token auth, one statement per
request, foreign keys on (as D1 enforces them), and D1's response envelope:
`{"result": [{"results": [...], "success": true, "meta": {...}}], "success": true, "errors": [], "messages": []}`;
failures answer `"success": false` with `errors: [{"code", "message"}]`. Each database id gets its own in-memory
database, created on first use.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chstore.d1 import D1Client, D1Store
from tests.standin import session_server

ACCOUNT = "0123456789abcdef0123456789abcdef"
TOKEN = "test-token-" + uuid.uuid4().hex
_PATH = re.compile(r"^/client/v4/accounts/([^/]+)/d1/database/([^/]+)/query$")


class D1Server(ThreadingHTTPServer):
    """The HTTP server and its databases (one sqlite3 connection and lock per database id)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.databases: dict[str, tuple[sqlite3.Connection, threading.Lock]] = {}
        self.lock = threading.Lock()
        self.requests = 0

    @property
    def base(self) -> str:
        """The API base URL to configure (`CLOUDFLARE_API_BASE`)."""
        return f"http://127.0.0.1:{self.server_address[1]}/client/v4"

    def database(self, database_id: str) -> tuple[sqlite3.Connection, threading.Lock]:
        with self.lock:
            if database_id not in self.databases:
                conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
                conn.execute("PRAGMA foreign_keys = ON")
                self.databases[database_id] = (conn, threading.Lock())
            return self.databases[database_id]

    def execute(self, database_id: str, sql: str, params: list[str]) -> dict[str, Any]:
        conn, lock = self.database(database_id)
        with lock:
            started = time.perf_counter()
            before = conn.total_changes
            cursor = conn.execute(sql, params)
            columns = [c[0] for c in cursor.description or []]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
            changes = conn.total_changes - before
            return {
                "results": rows,
                "success": True,
                "meta": {
                    "changed_db": changes > 0, "changes": changes, "duration": (time.perf_counter() - started) * 1000,
                    "last_row_id": cursor.lastrowid or 0, "rows_read": len(rows), "rows_written": changes,
                    "size_after": 0,
                },
            }


class _Handler(BaseHTTPRequestHandler):
    server: D1Server

    def log_message(self, *args: Any) -> None:
        """Quiet."""

    def _answer(self, status: int, result: list[dict[str, Any]], errors: list[dict[str, Any]]) -> None:
        body = json.dumps(
            {"result": result, "success": not errors, "errors": errors, "messages": []}, ensure_ascii=False
        ).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.requests += 1
        match = _PATH.match(self.path)
        if not match:
            self._answer(404, [], [{"code": 7003, "message": "Could not route to " + self.path}])
            return
        if self.headers.get("Authorization") != f"Bearer {TOKEN}" or match.group(1) != ACCOUNT:
            self._answer(403, [], [{"code": 10000, "message": "Authentication error"}])
            return
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            sql, params = body["sql"], body.get("params") or []
            if not isinstance(sql, str) or not all(isinstance(p, str) for p in params):
                raise ValueError("sql must be a string and params an array of strings")
        except (ValueError, KeyError, TypeError) as exc:
            self._answer(400, [], [{"code": 7400, "message": f"Invalid request body: {exc}"}])
            return
        try:
            result = self.server.execute(match.group(2), sql, params)
        except sqlite3.Error as exc:
            self._answer(400, [], [{"code": 7500, "message": f"{exc}: SQLITE_ERROR"}])
            return
        self._answer(200, [result], [])


def d1_server(request: pytest.FixtureRequest) -> D1Server:
    """The session's D1 stand-in, started on first use and shut down at the end of the session."""
    return session_server(request, D1Server)


def d1_client(request: pytest.FixtureRequest, database_id: str | None = None) -> D1Client:
    """A client of a fresh database on the stand-in."""
    server = d1_server(request)
    return D1Client(ACCOUNT, database_id or str(uuid.uuid4()), TOKEN, api_base=server.base)


def d1_store(request: pytest.FixtureRequest) -> D1Store:
    """A migrated D1Store on a fresh database of the stand-in."""
    store = D1Store(d1_client(request))
    store.migrate()
    return store
