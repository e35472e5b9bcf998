"""The AgentState conversation store, over AgentState's documented v2 REST API (stdlib only).

One of our threads is one AgentState conversation. The v2 API (`/v2/conversations…` under `AGENTSTATE_API_BASE`,
`Authorization: Bearer as_live_…`) does not fit this store's contract as is, so the store works around it on the
client side:

- **Per-user scoping.** v2 lists conversations of the whole project and filters only by tag (tags are attachable
  only through the deprecated v1 API). Each conversation's `external_id` is `chm:t:` + a SHA-256 of (user id,
  thread id), unique in the project, so a thread is found with `GET /v2/conversations/by-external-id/…` and another
  user's thread id simply does not resolve. Listing, searching, `delete_all` and `list_users` page through the
  project's conversations and keep those whose metadata names the user: cost grows with the project, not the user.
- **Our fields.** User id, thread id, the thread's metadata and our created/updated times live in the
  conversation's `metadata` (`{"chm": 1, "kind": "thread", …}`); the title lives in `title`. `updated` is bumped by a
  PATCH after each append (our clock is strictly increasing, the server's `updated_at` can tie within a millisecond).
- **Message ids.** The server assigns its own ids; ours, with our name, time and metadata, go in each message's
  `metadata`. An append reads the thread and skips ids already there; a retry racing with itself can still reach the
  server twice, so reads also drop repeated ids (first copy wins).
- **Empty content.** v2 requires at least one character: an empty message is sent as `"∅"` with `chm_empty` set in
  its metadata, and read back as `""`.
- **NUL bytes.** Content, titles and every metadata string go through the same lossless NUL escape as the Postgres
  store (AgentState keeps text in SQLite).
- **Deletes.** `DELETE` frees the external id, so a deleted thread could come back. A delete first creates a
  tombstone conversation (`external_id` `chm:x:` + the same hash, no messages), then deletes the thread's
  conversation; `create_thread` refuses an id with a tombstone (and re-checks after creating, undoing a creation that
  raced with a delete), and appends to a deleted thread find nothing and raise NotFoundError.
- **Search** is done here (v1's search is deprecated and sees the escaped text of the whole project): the user's
  threads are read and matched case-insensitively (`str.casefold`).

- **Paging.** v2's list cursor is a bare `updated_at`, so rows sharing the millisecond at a page boundary would be
  skipped; the store asks for the boundary millisecond again and drops rows already seen by id (only more than 100
  conversations updated in one millisecond could still hide one).
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from chstore import BaseStore, Message, Thread, ThreadSummary
from chstore.errors import StorageError
from chstore.model import default_title, escape_json, escape_text, from_ms, to_ms, unescape_json, unescape_text, utcnow
from core.errors import ValidationError

DEFAULT_API_BASE = "https://agentstate.app/api"
EMPTY_PLACEHOLDER = "∅"
_PAGE = 100  # the largest page v2's list endpoint serves


def external_id(kind: str, user_id: str, thread_id: str) -> str:
    """The project-unique external id of a thread (`t`) or of its tombstone (`x`)."""
    digest = hashlib.sha256()
    for part in (user_id, thread_id):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return f"chm:{kind}:{digest.hexdigest()}"


class AgentStateClient:
    """A minimal client of AgentState's v2 API; failures become StorageError with AgentState's own messages."""

    def __init__(self, api_key: str, *, api_base: str = DEFAULT_API_BASE, timeout: float = 30.0) -> None:
        if not api_key:
            raise ValidationError("AGENTSTATE_API_KEY is missing")
        self.base = api_base.rstrip("/")
        self._key = api_key
        self.timeout = timeout

    def call(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> tuple[int, Any]:
        """One request; returns (status, parsed JSON or None). 404 and 409 come back to the caller, the rest raise."""
        url = f"{self.base}/v2/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Authorization": f"Bearer {self._key}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 409):
                return exc.code, None
            raise StorageError(f"AgentState {method} {path.split('/')[0]} failed (HTTP {exc.code}): "
                               f"{self._error(exc)}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise StorageError(f"AgentState API unreachable at {self.base}: {exc}") from exc
        except ValueError as exc:
            raise StorageError(f"AgentState answered with something that is not JSON: {exc}") from exc

    @staticmethod
    def _error(exc: urllib.error.HTTPError) -> str:
        try:
            error = json.loads(exc.read()).get("error") or {}
            text = f"{error.get('code', '')} {error.get('message', '')}".strip() or "no details"
        except (ValueError, AttributeError):
            text = exc.reason or "no details"
        if exc.code == 401:
            text += " (check AGENTSTATE_API_KEY)"
        elif exc.code == 429:
            text += f" (retry after {exc.headers.get('Retry-After', '?')} s)"
        return text


class AgentStateStore(BaseStore):
    """Conversation store on AgentState (see the module docstring for how its API is mapped)."""

    kind = "agentstate"

    def __init__(self, client: AgentStateClient) -> None:
        self.client = client

    # --- conversations -------------------------------------------------------------------------------------------

    def _find(self, ext: str, messages: bool = False) -> dict[str, Any] | None:
        status, body = self.client.call(
            "GET", f"conversations/by-external-id/{urllib.parse.quote(ext, safe='')}",
        )
        if status == 404 or body is None:
            return None
        if messages:
            status, body = self.client.call("GET", f"conversations/{_q(body['id'])}", query={"include": "messages"})
            if status == 404:
                return None
        return body

    def _conversations(self) -> Iterator[dict[str, Any]]:
        """Every conversation of the project, newest first, deduplicated by id."""
        seen: set[str] = set()
        cursor: int | None = None
        inclusive = True
        while True:
            query: dict[str, Any] = {"limit": _PAGE, "order": "desc"}
            if cursor is not None:
                query["cursor"] = str(cursor + 1 if inclusive else cursor)
            _, body = self.client.call("GET", "conversations", query=query)
            new = 0
            for row in (body or {}).get("data") or []:
                if row["id"] not in seen:
                    seen.add(row["id"])
                    new += 1
                    yield row
            following = ((body or {}).get("pagination") or {}).get("next_cursor")
            if following is None:
                return
            # v2's cursor is "updated_at below this": asking for below next_cursor + 1 re-reads the rows that share
            # the boundary millisecond (dropped by id above) instead of skipping them; only a page made entirely of
            # rows already seen falls back to the strict cursor, so the walk always ends.
            inclusive = new > 0 or cursor != int(following)
            cursor = int(following)

    def _threads_of(self, user_id: str | None) -> list[dict[str, Any]]:
        user = None if user_id is None else escape_text(user_id)
        return [
            row for row in self._conversations()
            if _ours(row, "thread") and (user is None or row["metadata"].get("user") == user)
        ]

    @staticmethod
    def _summary(row: dict[str, Any], user_id: str) -> ThreadSummary:
        meta = row["metadata"]
        return ThreadSummary(
            unescape_text(meta["thread"]), unescape_text(row.get("title") or ""), from_ms(meta["created"]),
            from_ms(meta["updated"]), int(row.get("message_count") or 0), user_id,
        )

    # --- storage ------------------------------------------------------------------------------------------------

    def _create_thread(self, user_id: str, thread_id: str, title: str, metadata: dict[str, Any], *,
                       chosen: bool) -> bool:
        tombstone = external_id("x", user_id, thread_id)
        if self._find(tombstone) is not None:
            return False
        now = to_ms(utcnow())
        status, body = self.client.call("POST", "conversations", {
            "external_id": external_id("t", user_id, thread_id),
            "title": escape_text(title),
            "metadata": {"chm": 1, "kind": "thread", "user": escape_text(user_id), "thread": escape_text(thread_id),
                         "meta": escape_json(metadata), "created": now, "updated": now},
        })
        if status == 201 and body and self._find(tombstone) is not None:
            self.client.call("DELETE", f"conversations/{_q(body['id'])}")  # a delete raced with this creation
            return False
        return True

    def _append(self, user_id: str, thread_id: str, messages: list[Message]) -> int | None:
        conv = self._find(external_id("t", user_id, thread_id), messages=True)
        if conv is None or not _ours(conv, "thread"):
            return None
        seen = {_message_id(m) for m in conv.get("messages") or []}
        fresh: list[Message] = []
        for message in messages:
            if message.id not in seen:
                seen.add(message.id)
                fresh.append(message)
        if fresh:
            status, _ = self.client.call("POST", f"conversations/{_q(conv['id'])}/messages",
                                         {"messages": [_encode(m) for m in fresh]})
            if status == 404:
                return None
        patch: dict[str, Any] = {"metadata": {**conv["metadata"], "updated": to_ms(utcnow())}}
        if not conv.get("title") and default_title(fresh):
            patch["title"] = escape_text(default_title(fresh))
        status, _ = self.client.call("PATCH", f"conversations/{_q(conv['id'])}", patch)
        return None if status == 404 else len(fresh)

    def _get_thread(self, user_id: str, thread_id: str) -> Thread | None:
        conv = self._find(external_id("t", user_id, thread_id), messages=True)
        if conv is None or not _ours(conv, "thread"):
            return None
        meta = conv["metadata"]
        out: list[Message] = []
        seen: set[str] = set()
        for raw in conv.get("messages") or []:
            message = _decode(raw)
            if message is not None and message.id not in seen:
                seen.add(message.id)
                out.append(message)
        return Thread(thread_id, unescape_text(conv.get("title") or ""), from_ms(meta["created"]),
                      from_ms(meta["updated"]), out, unescape_json(meta.get("meta") or {}), user_id)

    def _list_threads(self, user_id: str, limit: int, cursor: tuple[datetime, str] | None) -> list[ThreadSummary]:
        rows = [self._summary(row, user_id) for row in self._threads_of(user_id)]
        rows.sort(key=lambda s: (s.updated_at, s.id), reverse=True)
        if cursor:
            rows = [s for s in rows if (s.updated_at, s.id) < cursor]
        return rows[:limit]

    def _search_threads(self, user_id: str, text: str, limit: int) -> list[ThreadSummary]:
        needle = text.casefold()
        found: list[ThreadSummary] = []
        for summary in self._list_threads(user_id, 1000, None):
            if needle in summary.title.casefold():
                found.append(summary)
            else:
                thread = self._get_thread(user_id, summary.id)
                if thread and any(needle in m.content.casefold() for m in thread.messages):
                    found.append(summary)
            if len(found) >= limit:
                break
        return found

    def _rename_thread(self, user_id: str, thread_id: str, title: str) -> bool:
        conv = self._find(external_id("t", user_id, thread_id))
        if conv is None or not _ours(conv, "thread"):
            return False
        status, _ = self.client.call("PATCH", f"conversations/{_q(conv['id'])}", {"title": escape_text(title)})
        return status != 404

    def _delete_thread(self, user_id: str, thread_id: str) -> bool:
        conv = self._find(external_id("t", user_id, thread_id))
        if conv is None or not _ours(conv, "thread"):
            return False
        return self._bury(user_id, thread_id, conv["id"])

    def _bury(self, user_id: str, thread_id: str, conversation_id: str) -> bool:
        """Create the thread's tombstone conversation, then delete its conversation; True when it was there."""
        status, _ = self.client.call("POST", "conversations", {
            "external_id": external_id("x", user_id, thread_id),
            "title": "deleted",
            "metadata": {"chm": 1, "kind": "tombstone", "user": escape_text(user_id), "thread": escape_text(thread_id),
                         "deleted": to_ms(utcnow())},
        })
        gone, _ = self.client.call("DELETE", f"conversations/{_q(conversation_id)}")
        return status == 201 and gone != 404

    def _delete_all(self, user_id: str) -> int:
        return sum(
            self._bury(user_id, unescape_text(row["metadata"]["thread"]), row["id"])
            for row in self._threads_of(user_id)
        )

    def _list_users(self) -> list[str]:
        return sorted({unescape_text(row["metadata"]["user"]) for row in self._threads_of(None)})


def _q(conversation_id: str) -> str:
    return urllib.parse.quote(str(conversation_id), safe="")


def _ours(row: dict[str, Any], kind: str) -> bool:
    meta = row.get("metadata")
    return isinstance(meta, dict) and meta.get("chm") == 1 and meta.get("kind") == kind


def _encode(message: Message) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "chm_id": escape_text(message.id), "chm_name": escape_text(message.name),
        "chm_at": to_ms(message.created_at), "chm_meta": escape_json(message.metadata),
    }
    content = escape_text(message.content)
    if not content:
        content, meta["chm_empty"] = EMPTY_PLACEHOLDER, True
    return {"role": message.role, "content": content, "metadata": meta}


def _message_id(raw: dict[str, Any]) -> str | None:
    meta = raw.get("metadata")
    return unescape_text(meta["chm_id"]) if isinstance(meta, dict) and "chm_id" in meta else None


def _decode(raw: dict[str, Any]) -> Message | None:
    """One of our messages back from AgentState; None for a message some other client wrote."""
    meta = raw.get("metadata")
    if not isinstance(meta, dict) or "chm_id" not in meta:
        return None
    return Message(
        role=raw["role"], content="" if meta.get("chm_empty") else unescape_text(raw["content"]),
        id=unescape_text(meta["chm_id"]), name=unescape_text(meta.get("chm_name", "")),
        created_at=from_ms(meta["chm_at"]), metadata=unescape_json(meta.get("chm_meta") or {}),
    )
