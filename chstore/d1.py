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
from datetime import datetime
from typing import Any

from chstore import BaseStore, Message, Thread, ThreadSummary
from chstore.errors import StorageError
from chstore.model import default_title, escape_json, escape_text, from_ms, to_ms, unescape_json, unescape_text, utcnow
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


class D1Store(BaseStore):
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

    def _create_thread(self, user_id: str, thread_id: str, title: str, metadata: dict[str, Any], *,
                       chosen: bool) -> bool:
        user, key = escape_text(user_id), escape_text(thread_id)
        meta = json.dumps(escape_json(metadata), ensure_ascii=False, sort_keys=True)
        if self._q("insert_thread", user, key, escape_text(title), meta, to_ms(utcnow())):
            return True
        state = self._q("thread_state", user, key)
        return not (state and state[0]["deleted"])

    def _append(self, user_id: str, thread_id: str, messages: list[Message]) -> int | None:
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
            return None
        return len(inserted)

    def _get_thread(self, user_id: str, thread_id: str) -> Thread | None:
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

    def _list_threads(self, user_id: str, limit: int, cursor: tuple[datetime, str] | None) -> list[ThreadSummary]:
        before_ms, before_id = (to_ms(cursor[0]), cursor[1]) if cursor else (_CURSOR_START, "")
        rows = self._q("list_threads", escape_text(user_id), before_ms, escape_text(before_id), limit)
        return self._summaries(rows, user_id)

    def _search_threads(self, user_id: str, text: str, limit: int) -> list[ThreadSummary]:
        return self._summaries(self._q("search_threads", escape_text(user_id), escape_text(text), limit), user_id)

    def _rename_thread(self, user_id: str, thread_id: str, title: str) -> bool:
        return bool(self._q("rename_thread", escape_text(user_id), escape_text(thread_id), escape_text(title)))

    def _delete_thread(self, user_id: str, thread_id: str) -> bool:
        user = escape_text(user_id)
        deleted = self._q("delete_thread", user, escape_text(thread_id), to_ms(utcnow()))
        self._q("delete_messages", user)
        return bool(deleted)

    def _delete_all(self, user_id: str) -> int:
        user = escape_text(user_id)
        deleted = self._q("delete_all", user, to_ms(utcnow()))
        self._q("delete_messages", user)
        return len(deleted)

    def _list_users(self) -> list[str]:
        return [unescape_text(row["user_id"]) for row in self._q("list_users")]
