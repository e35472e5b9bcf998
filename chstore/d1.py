"""The Cloudflare D1 conversation store, over D1's HTTP query API (stdlib only).

Each call is `POST {CLOUDFLARE_API_BASE}/accounts/{account}/d1/database/{database}/query` with `{"sql", "params"}`;
the schema is the Postgres one in SQLite dialect (`sql/d1/`, applied by `python -m chstore d1 migrate`). The query
API runs one statement per request, so every write is a single statement that is safe on its own: an append inserts
its messages only while the thread is live (one INSERT … SELECT … WHERE EXISTS), a delete turns the thread into a
tombstone and then removes its messages, so no racing append brings it back. Strings go through the same lossless
NUL escape as the Postgres store. Search folds ASCII case only (SQLite's `lower`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from chstore.errors import NotFoundError, StorageError
from chstore.model import (
    Message,
    Thread,
    ThreadSummary,
    check_limit,
    check_messages,
    check_new_thread,
    check_thread,
    check_title,
    check_user,
    default_title,
    from_ms,
    parse_cursor,
    to_ms,
    utcnow,
)
from chstore.postgres import escape_json, escape_text, unescape_json, unescape_text
from core import sqlfiles
from core.errors import ValidationError

DEFAULT_API_BASE = "https://api.cloudflare.com/client/v4"
SCHEMA_FILES = ("create_threads", "create_messages", "create_threads_index", "create_messages_index")
_CURSOR_START = 253402300799000  # 9999-12-31T23:59:59Z in milliseconds


class D1Client:
    """A minimal client of D1's HTTP query endpoint; failures become StorageError with D1's own messages."""

    def __init__(self, account_id: str, database_id: str, api_token: str, *, api_base: str = DEFAULT_API_BASE,
                 timeout: float = 30.0) -> None:
        for name, value in (("CLOUDFLARE_ACCOUNT_ID", account_id), ("CONVERSATIONS_D1_DATABASE_ID", database_id)):
            if not value or "/" in value or "?" in value:
                raise ValidationError(f"{name} is missing or not a plain identifier")
        quote = urllib.parse.quote
        self.url = f"{api_base.rstrip('/')}/accounts/{quote(account_id)}/d1/database/{quote(database_id)}/query"
        self._token = api_token
        self.timeout = timeout

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Run one statement; returns its rows as dicts. Parameters are sent as strings, as the API documents."""
        body = json.dumps({"sql": sql, "params": [str(p) for p in params or []]}, ensure_ascii=False)
        request = urllib.request.Request(
            self.url, data=body.encode("utf-8"), method="POST",
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                envelope = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise StorageError(f"D1 query failed (HTTP {exc.code}): {self._errors(exc)}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise StorageError(f"D1 API unreachable at {self.url.split('/accounts/')[0]}: {exc}") from exc
        except ValueError as exc:
            raise StorageError(f"D1 answered with something that is not JSON: {exc}") from exc
        results = envelope.get("result") or []
        if not envelope.get("success") or not results or not results[0].get("success", True):
            raise StorageError(f"D1 query failed: {self._messages(envelope)}")
        return results[0].get("results") or []

    @staticmethod
    def _messages(envelope: dict[str, Any]) -> str:
        errors = envelope.get("errors") or []
        return "; ".join(f"{e.get('code', '')} {e.get('message', '')}".strip() for e in errors) or "unknown error"

    def _errors(self, exc: urllib.error.HTTPError) -> str:
        try:
            return self._messages(json.loads(exc.read()))
        except ValueError:
            return exc.reason or "no details"


class D1Store:
    """Conversation store on Cloudflare D1 through its HTTP API."""

    kind = "d1"

    def __init__(self, client: D1Client) -> None:
        self.client = client

    def _q(self, name: str, *params: Any) -> list[dict[str, Any]]:
        return self.client.query(sqlfiles.load(f"d1/{name}"), list(params))

    def migrate(self) -> list[str]:
        """Apply the schema (idempotent); returns the names of the statements run."""
        for name in SCHEMA_FILES:
            self._q(name)
        return list(SCHEMA_FILES)

    def create_thread(
        self, user_id: str, title: str | None = None, metadata: dict[str, Any] | None = None,
        thread_id: str | None = None,
    ) -> str:
        """Create an empty thread and return its id; an existing id is kept, a deleted one is refused."""
        tid, _ = check_new_thread(user_id, title, metadata, thread_id)
        user, key = escape_text(user_id), escape_text(tid)
        meta = json.dumps(escape_json(metadata or {}), ensure_ascii=False, sort_keys=True)
        if not self._q("insert_thread", user, key, escape_text(title or ""), meta, to_ms(utcnow())):
            state = self._q("thread_state", user, key)
            if state and state[0]["deleted"]:
                raise ValidationError(f"thread {tid} was deleted and cannot be recreated")
        return tid

    def append(self, user_id: str, thread_id: str, messages: list[Message]) -> int:
        """Store the new messages (idempotent by message id) and bump the thread; returns how many were new."""
        check_user(user_id)
        check_thread(thread_id)
        messages = check_messages(messages)
        user, key = escape_text(user_id), escape_text(thread_id)
        batch = json.dumps([
            {"message_type": "user" if m.role == "user" else "agent", "role": m.role, "name": escape_text(m.name),
             "content": escape_text(m.content), "checksum": escape_text(m.id), "created_at": to_ms(m.created_at),
             "data": json.dumps(escape_json(m.metadata), ensure_ascii=False, sort_keys=True)}
            for m in messages
        ], ensure_ascii=False)
        inserted = {unescape_text(row["checksum"]) for row in self._q("insert_messages", user, key, batch)} if messages else set()
        fresh = [m for m in messages if m.id in inserted]
        if not self._q("touch_thread", user, key, to_ms(utcnow()), escape_text(default_title(fresh))):
            raise NotFoundError(f"thread {thread_id} not found (or deleted)")
        return len(inserted)

    def get_thread(self, user_id: str, thread_id: str) -> Thread | None:
        """The thread with its messages in order, or None when missing, deleted or another user's."""
        check_user(user_id)
        check_thread(thread_id)
        user, key = escape_text(user_id), escape_text(thread_id)
        head = self._q("get_thread", user, key)
        if not head:
            return None
        rows = self._q("get_messages", user, key)
        return Thread(
            thread_id, unescape_text(head[0]["title"]), from_ms(head[0]["created_at"]), from_ms(head[0]["updated_at"]),
            [
                Message(role=r["role"], content=unescape_text(r["content"]), id=unescape_text(r["checksum"]),
                        name=unescape_text(r["name"]), created_at=from_ms(r["created_at"]),
                        metadata=unescape_json(json.loads(r["data"])))
                for r in rows
            ],
            unescape_json(json.loads(head[0]["metadata"])), user_id,
        )

    def _summaries(self, rows: list[dict[str, Any]], user_id: str) -> list[ThreadSummary]:
        return [
            ThreadSummary(unescape_text(r["id"]), unescape_text(r["title"]), from_ms(r["created_at"]),
                          from_ms(r["updated_at"]), int(r["message_count"]), user_id)
            for r in rows
        ]

    def list_threads(self, user_id: str, limit: int = 50, before: str | ThreadSummary | None = None) -> list[ThreadSummary]:
        """The user's threads, most recently updated first, after the keyset cursor `before`."""
        check_user(user_id)
        check_limit(limit)
        cursor = parse_cursor(before)
        before_ms, before_id = (to_ms(cursor[0]), cursor[1]) if cursor else (_CURSOR_START, "")
        rows = self._q("list_threads", escape_text(user_id), before_ms, escape_text(before_id), limit)
        return self._summaries(rows, user_id)

    def search_threads(self, user_id: str, text: str, limit: int = 50) -> list[ThreadSummary]:
        """Threads whose title or message content contains `text` (ASCII case-insensitive)."""
        check_user(user_id)
        check_limit(limit)
        if not isinstance(text, str) or not text.strip():
            raise ValidationError("search text must be a non-empty string")
        return self._summaries(self._q("search_threads", escape_text(user_id), escape_text(text), limit), user_id)

    def rename_thread(self, user_id: str, thread_id: str, title: str) -> None:
        """Change a thread's title; NotFoundError when missing."""
        check_user(user_id)
        check_thread(thread_id)
        check_title(title)
        if not self._q("rename_thread", escape_text(user_id), escape_text(thread_id), escape_text(title)):
            raise NotFoundError(f"thread {thread_id} not found")

    def delete_thread(self, user_id: str, thread_id: str) -> bool:
        """Delete a thread (a tombstone stays, its messages go); False when there was nothing to delete."""
        check_user(user_id)
        check_thread(thread_id)
        user = escape_text(user_id)
        deleted = self._q("delete_thread", user, escape_text(thread_id), to_ms(utcnow()))
        self._q("delete_messages", user)
        return bool(deleted)

    def delete_all(self, user_id: str) -> int:
        """Delete every thread of the user; returns how many."""
        check_user(user_id)
        user = escape_text(user_id)
        deleted = self._q("delete_all", user, to_ms(utcnow()))
        self._q("delete_messages", user)
        return len(deleted)

    def list_users(self) -> list[str]:
        """Every user id with at least one live thread."""
        return [unescape_text(row["user_id"]) for row in self._q("list_users")]

    def close(self) -> None:
        """Nothing to release (one HTTP request per call)."""
