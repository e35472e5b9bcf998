"""Conversation history, the hybrid way: the session is authoritative while it lives, the store is the fallback.

Every turn saves the messages the store has not confirmed yet (explicit message ids make a retry idempotent); a
failed save leaves the messages in the session, marked unsaved, and the next save retries them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from chstore import ConversationStore, Message, ThreadSummary
from chstore.model import default_title, utcnow
from core.errors import ChmError

log = logging.getLogger("chmonitor.assistant")

GROUPS = ("Today", "Yesterday", "Previous 7 days", "Older")


@dataclass
class ChatState:
    """One conversation as the session holds it."""

    thread_id: str
    messages: list[Message] = field(default_factory=list)
    saved: set[str] = field(default_factory=set)
    created: bool = False
    title: str = ""
    error: str = ""
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def unsaved(self) -> list[Message]:
        """Messages the store has not confirmed yet, in order."""
        return [m for m in self.messages if m.id not in self.saved]

    def add(self, messages: list[Message]) -> None:
        """Append messages to the session history (ignoring ones it already has)."""
        known = {m.id for m in self.messages}
        self.messages.extend(m for m in messages if m.id not in known)
        self.title = self.title or default_title(self.messages)
        self.updated_at = utcnow()

    def summary(self) -> ThreadSummary:
        """This conversation as a thread-list line."""
        created = self.messages[0].created_at if self.messages else self.updated_at
        return ThreadSummary(self.thread_id, self.title or "New chat", created, self.updated_at, len(self.messages))


def save(store: ConversationStore | None, user: str, state: ChatState) -> bool:
    """Write the unsaved messages of `state` to the store; True when nothing is left unsaved (or there is no store)."""
    if store is None:
        return True
    pending = state.unsaved
    if not pending and state.created:
        return True
    try:
        if not state.created:
            store.create_thread(user, thread_id=state.thread_id)
            state.created = True
        if pending:
            store.append(user, state.thread_id, pending)
    except ChmError as exc:
        state.error = str(exc)
        log.warning("could not save thread %s: %s", state.thread_id, exc)
        return False
    state.saved.update(m.id for m in pending)
    state.error = ""
    return True


def load(store: ConversationStore | None, user: str, thread_id: str) -> ChatState | None:
    """The thread from the store as a ChatState (all messages saved), or None when missing or another user's."""
    if store is None:
        return None
    thread = store.get_thread(user, thread_id)
    if thread is None:
        return None
    return ChatState(thread.id, list(thread.messages), {m.id for m in thread.messages}, True, thread.title,
                     updated_at=thread.updated_at)


def group_threads(threads: list[ThreadSummary], now: datetime | None = None) -> dict[str, list[ThreadSummary]]:
    """Threads grouped Today / Yesterday / Previous 7 days / Older by last update (UTC days), newest first."""
    now = now or datetime.now(UTC)
    today = now.date()
    groups: dict[str, list[ThreadSummary]] = {name: [] for name in GROUPS}
    for summary in sorted(threads, key=lambda s: s.updated_at, reverse=True):
        updated = summary.updated_at if summary.updated_at.tzinfo else summary.updated_at.replace(tzinfo=UTC)
        day = updated.astimezone(UTC).date()
        if day >= today:
            groups["Today"].append(summary)
        elif day == today - timedelta(days=1):
            groups["Yesterday"].append(summary)
        elif day >= today - timedelta(days=7):
            groups["Previous 7 days"].append(summary)
        else:
            groups["Older"].append(summary)
    return {name: items for name, items in groups.items() if items}
