"""A local stand-in for AgentState's documented v2 conversations API, in memory, for the tests.

It implements, under `/api/v2` (AgentState's base is `https://agentstate.app/api`), what its API reference documents:
`POST /conversations` (optional `external_id` unique per project → 409 CONFLICT, `title`, `metadata`, `messages`;
answers 201 without messages), `GET /conversations` (`limit` 1-100, `cursor` = an `updated_at` from `next_cursor`,
`order` desc|asc; answers `{"data", "pagination": {"limit", "next_cursor", "total"}}`),
`GET /conversations/by-external-id/:eid`, `GET /conversations/:id` (`?include=messages`),
`PATCH /conversations/:id` (`title`; `metadata` replaces the old one; bumps `updated_at`), `DELETE /conversations/:id`
(204), `POST /conversations/:id/messages` (at least one message, roles system|user|assistant|tool, content at least one
character; 204; bumps `message_count`, `token_count`, `updated_at`), `GET /conversations/:id/messages` (`limit` 1-500,
`after` = a `created_at`). Ids are 21-character nanoid-style strings assigned by the server, timestamps Unix ms, metadata
kept as serialized text and parsed on read, errors `{"error": {"code", "message"}}` with the documented codes. Every
request needs `Authorization: Bearer <key>`; each registered key is its own project.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chstore.agentstate import AgentStateClient, AgentStateStore
from tests.standin import session_server

ROLES = ("system", "user", "assistant", "tool")
_ALPHABET = string.ascii_letters + string.digits + "_-"
_BASE62 = string.ascii_letters + string.digits


def new_key() -> str:
    """A key in AgentState's documented format: `as_live_` and 40 base62 characters."""
    return "as_live_" + "".join(secrets.choice(_BASE62) for _ in range(40))


def _nanoid() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(21))


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class AgentStateServer(ThreadingHTTPServer):
    """The HTTP server and its projects (one per API key), guarded by one lock."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.projects: dict[str, dict[str, dict[str, Any]]] = {}  # key → conversation id → conversation
        self.requests = 0

    @property
    def base(self) -> str:
        """The API base URL to configure (`AGENTSTATE_API_BASE`)."""
        return f"http://127.0.0.1:{self.server_address[1]}/api"

    def add_project(self) -> str:
        """A new project; returns its API key."""
        key = new_key()
        with self.lock:
            self.projects[key] = {}
        return key


def _now() -> int:
    return time.time_ns() // 1_000_000


def _view(conv: dict[str, Any], messages: bool = False) -> dict[str, Any]:
    out = {k: conv[k] for k in ("id", "project_id", "external_id", "title", "message_count", "token_count",
                                "created_at", "updated_at")}
    out["metadata"] = json.loads(conv["metadata"]) if conv["metadata"] is not None else None
    if messages:
        out["messages"] = [_message_view(m) for m in conv["messages"]]
    return out


def _message_view(message: dict[str, Any]) -> dict[str, Any]:
    out = dict(message)
    out["metadata"] = json.loads(message["metadata"]) if message["metadata"] is not None else None
    return out


def _check_messages(raw: Any, required: bool) -> list[dict[str, Any]]:
    if raw is None and not required:
        return []
    if not isinstance(raw, list) or (required and not raw):
        raise ApiError(400, "BAD_REQUEST", "messages must be an array with at least 1 message")
    out = []
    for item in raw:
        if not isinstance(item, dict) or item.get("role") not in ROLES:
            raise ApiError(400, "BAD_REQUEST", "role must be one of system, user, assistant, tool")
        content = item.get("content")
        if not isinstance(content, str) or len(content) < 1:
            raise ApiError(400, "BAD_REQUEST", "content must be a string of at least 1 character")
        metadata = item.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise ApiError(400, "BAD_REQUEST", "metadata must be an object")
        tokens = item.get("token_count", 0)
        if not isinstance(tokens, int) or tokens < 0:
            raise ApiError(400, "BAD_REQUEST", "token_count must be a non-negative integer")
        out.append({"id": _nanoid(), "role": item["role"], "content": content,
                    "metadata": None if metadata is None else json.dumps(metadata), "token_count": tokens,
                    "created_at": _now()})
    return out


def _int(query: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(query.get(name, [str(default)])[0])
    except ValueError as exc:
        raise ApiError(400, "BAD_REQUEST", f"{name} must be an integer") from exc
    if not low <= value <= high:
        raise ApiError(400, "BAD_REQUEST", f"{name} must be between {low} and {high}")
    return value


class _Handler(BaseHTTPRequestHandler):
    server: AgentStateServer

    def log_message(self, *args: Any) -> None:
        """Quiet."""

    def _send(self, status: int, body: Any = None) -> None:
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("X-Request-Id", _nanoid())
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any]:
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        except ValueError as exc:
            raise ApiError(400, "BAD_REQUEST", f"Invalid JSON body: {exc}") from exc
        if not isinstance(body, dict):
            raise ApiError(400, "BAD_REQUEST", "body must be a JSON object")
        return body

    def _handle(self, method: str) -> None:
        self.server.requests += 1
        try:
            auth = self.headers.get("Authorization", "")
            key = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
            if key not in self.server.projects:
                raise ApiError(401, "UNAUTHORIZED", "Invalid API key")
            url = urllib.parse.urlsplit(self.path)
            parts = [urllib.parse.unquote(p) for p in url.path.split("/")]
            if parts[:4] != ["", "api", "v2", "conversations"]:
                raise ApiError(404, "NOT_FOUND", f"No route for {method} {url.path}")
            query = urllib.parse.parse_qs(url.query)
            body = self._body() if method in ("POST", "PATCH") else {}
            with self.server.lock:
                status, answer = self._route(method, key, parts[4:], query, body)
        except ApiError as exc:
            self._send(exc.status, {"error": {"code": exc.code, "message": exc.message}})
            return
        self._send(status, answer)

    def _route(self, method: str, key: str, rest: list[str], query: dict[str, list[str]],
               body: dict[str, Any]) -> tuple[int, Any]:
        project = self.server.projects[key]
        if not rest and method == "POST":
            return self._create(key, project, body)
        if not rest and method == "GET":
            return self._list(project, query)
        if len(rest) == 2 and rest[0] == "by-external-id" and method == "GET":
            for conv in project.values():
                if conv["external_id"] == rest[1]:
                    return 200, _view(conv)
            raise ApiError(404, "NOT_FOUND", "Conversation not found")
        conv = project.get(rest[0]) if rest else None
        if conv is None:
            raise ApiError(404, "NOT_FOUND", "Conversation not found")
        if len(rest) == 1 and method == "GET":
            include = ",".join(query.get("include", [])).split(",")
            return 200, _view(conv, messages="messages" in include)
        if len(rest) == 1 and method == "PATCH":
            if "title" in body:
                if body["title"] is not None and not isinstance(body["title"], str):
                    raise ApiError(400, "BAD_REQUEST", "title must be a string")
                conv["title"] = body["title"]
            if "metadata" in body:
                if body["metadata"] is not None and not isinstance(body["metadata"], dict):
                    raise ApiError(400, "BAD_REQUEST", "metadata must be an object")
                conv["metadata"] = None if body["metadata"] is None else json.dumps(body["metadata"])
            conv["updated_at"] = _now()
            return 200, _view(conv)
        if len(rest) == 1 and method == "DELETE":
            del project[conv["id"]]
            return 204, None
        if len(rest) == 2 and rest[1] == "messages" and method == "POST":
            messages = _check_messages(body.get("messages"), required=True)
            conv["messages"].extend(messages)
            conv["message_count"] += len(messages)
            conv["token_count"] += sum(m["token_count"] for m in messages)
            conv["updated_at"] = _now()
            return 204, None
        if len(rest) == 2 and rest[1] == "messages" and method == "GET":
            limit = _int(query, "limit", 100, 1, 500)
            after = _int(query, "after", -1, -1, 2**63) if "after" in query else -1
            rows = [m for m in conv["messages"] if m["created_at"] > after]
            page = rows[:limit]
            more = len(rows) > limit
            return 200, {"data": [_message_view(m) for m in page],
                         "pagination": {"limit": limit, "next_cursor": str(page[-1]["created_at"]) if more else None}}
        raise ApiError(404, "NOT_FOUND", f"No route for {method}")

    def _create(self, key: str, project: dict[str, dict[str, Any]], body: dict[str, Any]) -> tuple[int, Any]:
        ext, title, metadata = body.get("external_id"), body.get("title"), body.get("metadata")
        if ext is not None and not isinstance(ext, str):
            raise ApiError(400, "BAD_REQUEST", "external_id must be a string")
        if title is not None and not isinstance(title, str):
            raise ApiError(400, "BAD_REQUEST", "title must be a string")
        if metadata is not None and not isinstance(metadata, dict):
            raise ApiError(400, "BAD_REQUEST", "metadata must be an object")
        messages = _check_messages(body.get("messages"), required=False)
        if ext is not None and any(c["external_id"] == ext for c in project.values()):
            raise ApiError(409, "CONFLICT", "A conversation with this external_id already exists")
        now = _now()
        conv = {"id": _nanoid(), "project_id": "proj_" + key[8:16], "external_id": ext, "title": title,
                "metadata": None if metadata is None else json.dumps(metadata), "message_count": len(messages),
                "token_count": sum(m["token_count"] for m in messages), "created_at": now, "updated_at": now,
                "messages": messages}
        project[conv["id"]] = conv
        return 201, _view(conv)

    def _list(self, project: dict[str, dict[str, Any]], query: dict[str, list[str]]) -> tuple[int, Any]:
        limit = _int(query, "limit", 50, 1, 100)
        order = query.get("order", ["desc"])[0]
        if order not in ("asc", "desc"):
            raise ApiError(400, "BAD_REQUEST", "order must be asc or desc")
        rows = sorted(project.values(), key=lambda c: c["updated_at"], reverse=order == "desc")
        if "tag" in query:
            rows = []  # tags are attached only through v1, which this stand-in does not serve
        if "cursor" in query:
            try:
                cursor = int(query["cursor"][0])
            except ValueError as exc:
                raise ApiError(400, "INVALID_CURSOR", "Invalid cursor parameter") from exc
            rows = [c for c in rows if (c["updated_at"] < cursor if order == "desc" else c["updated_at"] > cursor)]
        page = rows[:limit]
        more = len(rows) > limit
        return 200, {"data": [_view(c) for c in page],
                     "pagination": {"limit": limit, "next_cursor": str(page[-1]["updated_at"]) if more else None,
                                    "total": len(project)}}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_PATCH(self) -> None:  # noqa: N802
        self._handle("PATCH")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")


def agentstate_server(request: pytest.FixtureRequest) -> AgentStateServer:
    """The session's AgentState stand-in, started on first use and shut down at the end of the session."""
    return session_server(request, AgentStateServer)


def agentstate_store(request: pytest.FixtureRequest) -> AgentStateStore:
    """An AgentStateStore on a fresh project of the stand-in."""
    server = agentstate_server(request)
    return AgentStateStore(AgentStateClient(server.add_project(), api_base=server.base))
