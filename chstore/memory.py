"""In-process conversation store for development and tests (refused in production)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Any

from chstore.errors import NotFoundError
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
    parse_cursor,
    utcnow,
)
from core.errors import ValidationError


@dataclass
class _Thread:
    summary: ThreadSummary
    metadata: dict[str, Any]
    messages: list[Message] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


class MemoryStore:
    """Threads in a dict guarded by a lock; lost when the process ends."""

    kind = "memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: dict[tuple[str, str], _Thread] = {}
        self._deleted: set[tuple[str, str]] = set()

    def create_thread(
        self, user_id: str, title: str | None = None, metadata: dict[str, Any] | None = None,
        thread_id: str | None = None,
    ) -> str:
        """Create an empty thread and return its id."""
        tid, _ = check_new_thread(user_id, title, metadata, thread_id)
        now = utcnow()
        with self._lock:
            key = (user_id, tid)
            if key in self._deleted:
                raise ValidationError(f"thread {tid} was deleted and cannot be recreated")
            if key not in self._threads:
                summary = ThreadSummary(tid, title or "", now, now, 0, user_id)
                self._threads[key] = _Thread(summary, dict(metadata or {}))
        return tid

    def append(self, user_id: str, thread_id: str, messages: list[Message]) -> int:
        """Store new messages (idempotent by message id); returns how many were new."""
        check_user(user_id)
        check_thread(thread_id)
        messages = check_messages(messages)
        with self._lock:
            thread = self._threads.get((user_id, thread_id))
            if thread is None:
                raise NotFoundError(f"thread {thread_id} not found")
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

    def get_thread(self, user_id: str, thread_id: str) -> Thread | None:
        """The thread with its messages in order, or None."""
        check_user(user_id)
        check_thread(thread_id)
        with self._lock:
            thread = self._threads.get((user_id, thread_id))
            if thread is None:
                return None
            s = thread.summary
            return Thread(
                s.id, s.title, s.created_at, s.updated_at,
                [replace(m, metadata=dict(m.metadata)) for m in thread.messages], dict(thread.metadata), user_id,
            )

    def _summaries(self, user_id: str) -> list[ThreadSummary]:
        rows = [replace(t.summary) for (uid, _), t in self._threads.items() if uid == user_id]
        return sorted(rows, key=lambda s: (s.updated_at, s.id), reverse=True)

    def list_threads(self, user_id: str, limit: int = 50, before: str | ThreadSummary | None = None) -> list[ThreadSummary]:
        """The user's threads, newest first, after the keyset cursor."""
        check_user(user_id)
        check_limit(limit)
        cursor = parse_cursor(before)
        with self._lock:
            rows = self._summaries(user_id)
        if cursor:
            rows = [s for s in rows if (s.updated_at, s.id) < cursor]
        return rows[:limit]

    def search_threads(self, user_id: str, text: str, limit: int = 50) -> list[ThreadSummary]:
        """Threads whose title or content contains `text`, case-insensitively."""
        check_user(user_id)
        check_limit(limit)
        needle = text.lower()
        with self._lock:
            found = [
                replace(t.summary)
                for (uid, _), t in self._threads.items()
                if uid == user_id
                and (needle in t.summary.title.lower() or any(needle in m.content.lower() for m in t.messages))
            ]
        return sorted(found, key=lambda s: (s.updated_at, s.id), reverse=True)[:limit]

    def rename_thread(self, user_id: str, thread_id: str, title: str) -> None:
        """Change a thread's title."""
        check_user(user_id)
        check_thread(thread_id)
        check_title(title)
        with self._lock:
            thread = self._threads.get((user_id, thread_id))
            if thread is None:
                raise NotFoundError(f"thread {thread_id} not found")
            thread.summary.title = title

    def delete_thread(self, user_id: str, thread_id: str) -> bool:
        """Delete a thread; False when there was none."""
        check_user(user_id)
        check_thread(thread_id)
        with self._lock:
            self._deleted.add((user_id, thread_id))
            return self._threads.pop((user_id, thread_id), None) is not None

    def delete_all(self, user_id: str) -> int:
        """Delete every thread of the user."""
        check_user(user_id)
        with self._lock:
            keys = [key for key in self._threads if key[0] == user_id]
            for key in keys:
                self._deleted.add(key)
                del self._threads[key]
            return len(keys)

    def list_users(self) -> list[str]:
        """Every user with a thread."""
        with self._lock:
            return sorted({uid for uid, _ in self._threads})

    def close(self) -> None:
        """Nothing to release."""
