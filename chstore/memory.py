"""In-process conversation store for development and tests (refused in production)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chstore import BaseStore, Message, Thread, ThreadSummary
from chstore.model import default_title, utcnow


@dataclass
class _Thread:
    summary: ThreadSummary
    metadata: dict[str, Any]
    messages: list[Message] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


class MemoryStore(BaseStore):
    """Threads in a dict guarded by a lock; lost when the process ends."""

    kind = "memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: dict[tuple[str, str], _Thread] = {}
        self._deleted: set[tuple[str, str]] = set()

    def _create_thread(self, user_id: str, thread_id: str, title: str, metadata: dict[str, Any], *,
                       chosen: bool) -> bool:
        now = utcnow()
        key = (user_id, thread_id)
        with self._lock:
            if key in self._deleted:
                return False
            if key not in self._threads:
                self._threads[key] = _Thread(ThreadSummary(thread_id, title, now, now, 0, user_id), metadata)
        return True

    def _append(self, user_id: str, thread_id: str, messages: list[Message]) -> int | None:
        with self._lock:
            thread = self._threads.get((user_id, thread_id))
            if thread is None:
                return None
            new = []
            for message in messages:
                if message.id not in thread.ids:
                    thread.ids.add(message.id)
                    new.append(replace(message, metadata=dict(message.metadata)))
            thread.messages.extend(new)
            summary = thread.summary
            summary.title = summary.title or default_title(thread.messages)
            summary.updated_at = max(utcnow(), summary.updated_at)
            summary.message_count = len(thread.messages)
            return len(new)

    def _get_thread(self, user_id: str, thread_id: str) -> Thread | None:
        with self._lock:
            thread = self._threads.get((user_id, thread_id))
            if thread is None:
                return None
            s = thread.summary
            return Thread(
                s.id, s.title, s.created_at, s.updated_at,
                [replace(m, metadata=dict(m.metadata)) for m in thread.messages], dict(thread.metadata), user_id,
            )

    def _newest_first(self, user_id: str, keep: Any = None) -> list[ThreadSummary]:
        with self._lock:
            rows = [replace(t.summary) for (uid, _), t in self._threads.items()
                    if uid == user_id and (keep is None or keep(t))]
        return sorted(rows, key=lambda s: (s.updated_at, s.id), reverse=True)

    def _list_threads(self, user_id: str, limit: int, cursor: tuple[datetime, str] | None) -> list[ThreadSummary]:
        rows = self._newest_first(user_id)
        if cursor:
            rows = [s for s in rows if (s.updated_at, s.id) < cursor]
        return rows[:limit]

    def _search_threads(self, user_id: str, text: str, limit: int) -> list[ThreadSummary]:
        needle = text.lower()

        def matches(thread: _Thread) -> bool:
            return needle in thread.summary.title.lower() or any(needle in m.content.lower() for m in thread.messages)

        return self._newest_first(user_id, matches)[:limit]

    def _rename_thread(self, user_id: str, thread_id: str, title: str) -> bool:
        with self._lock:
            thread = self._threads.get((user_id, thread_id))
            if thread is not None:
                thread.summary.title = title
            return thread is not None

    def _delete_thread(self, user_id: str, thread_id: str) -> bool:
        with self._lock:
            self._deleted.add((user_id, thread_id))
            return self._threads.pop((user_id, thread_id), None) is not None

    def _delete_all(self, user_id: str) -> int:
        with self._lock:
            keys = [key for key in self._threads if key[0] == user_id]
            for key in keys:
                self._deleted.add(key)
                del self._threads[key]
            return len(keys)

    def _list_users(self) -> list[str]:
        with self._lock:
            return sorted({uid for uid, _ in self._threads})
