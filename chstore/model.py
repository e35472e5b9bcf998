"""The store's data types and the protocol every backend implements."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol, runtime_checkable

from core.errors import ValidationError

ROLES = ("user", "assistant", "tool", "system")
MAX_USER_ID = 256
MAX_THREAD_ID = 128


@dataclass(frozen=True)
class StoreLimits:
    """The largest message content, title and metadata (UTF-8 bytes; metadata as JSON) any store accepts."""

    message_bytes: int = 1 << 20
    title_bytes: int = 1 << 10
    metadata_bytes: int = 64 << 10


_limits = StoreLimits()


def set_limits(limits: StoreLimits) -> None:
    """Set the size limits every store's checks apply in this process (`open_store` sets them from the settings)."""
    global _limits
    _limits = limits


def current_limits() -> StoreLimits:
    """The size limits in force."""
    return _limits


def _check_size(what: str, text: str, limit: int, variable: str) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise ValidationError(f"{what} is {size:,} bytes; the store accepts at most {limit:,} ({variable})")


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_clock_lock = threading.Lock()
_last_ms = 0


def to_ms(value: datetime) -> int:
    """A datetime as integer milliseconds since the epoch (what the D1 and AgentState backends store), exactly."""
    return (value - EPOCH) // timedelta(milliseconds=1)


def from_ms(value: int) -> datetime:
    """Integer milliseconds since the epoch as an aware UTC datetime."""
    return EPOCH + timedelta(milliseconds=int(value))


def utcnow() -> datetime:
    """Now in UTC at millisecond precision (what every backend stores), strictly increasing within the process.

    Two calls never return the same instant, so two identical messages created one after the other get distinct
    ids, and a thread updated later always sorts above one updated earlier.
    """
    global _last_ms
    with _clock_lock:
        _last_ms = max(time.time_ns() // 1_000_000, _last_ms + 1)
        return datetime.fromtimestamp(_last_ms // 1000, tz=timezone.utc) + timedelta(milliseconds=_last_ms % 1000)


def _as_utc(value: datetime) -> datetime:
    value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def dump_metadata(metadata: Any) -> str:
    """Metadata as canonical JSON; anything that is not a JSON object raises ValidationError."""
    if metadata is None:
        return "{}"
    if not isinstance(metadata, dict):
        raise ValidationError(f"metadata must be a JSON object (dict), got {type(metadata).__name__}")
    try:
        return json.dumps(metadata, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"metadata is not JSON-serialisable: {exc}") from exc


@dataclass
class Message:
    """One message of a thread: a user question, an assistant answer, a tool result or a system note."""

    role: str
    content: str
    id: str = ""
    name: str = ""
    created_at: datetime = field(default_factory=utcnow)
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValidationError(f"unknown role {self.role!r}; expected one of {', '.join(ROLES)}")
        if not isinstance(self.content, str):
            raise ValidationError(f"content must be a string, got {type(self.content).__name__}")
        if not isinstance(self.name, str):
            raise ValidationError("name must be a string")
        if not isinstance(self.created_at, datetime):
            raise ValidationError("created_at must be a datetime")
        self.created_at = _as_utc(self.created_at)
        self.metadata = json.loads(dump_metadata(self.metadata))
        if not self.id:
            self.id = self.checksum()
        elif not isinstance(self.id, str) or len(self.id) > MAX_THREAD_ID:
            raise ValidationError("message id must be a string of at most 128 characters")

    def checksum(self) -> str:
        """A stable id from role, name, time and content: a retried append of the same message keeps its id."""
        digest = hashlib.sha256()
        for part in (self.role, self.name, self.created_at.isoformat(), self.content):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\x00")
        return digest.hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (used by exports and the CLI)."""
        return {
            "id": self.id,
            "role": self.role,
            "name": self.name,
            "content": self.content,
            "created_at": self.created_at.isoformat(),
            "metadata": self.metadata,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        """The inverse of `to_dict`."""
        created = data.get("created_at")
        return cls(
            role=data["role"],
            content=data.get("content", ""),
            id=data.get("id", ""),
            name=data.get("name", ""),
            created_at=datetime.fromisoformat(created) if isinstance(created, str) else (created or utcnow()),
            metadata=data.get("metadata") or {},
        )


@dataclass
class ThreadSummary:
    """One line of a thread list."""

    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    message_count: int
    user_id: str = ""

    @property
    def cursor(self) -> str:
        """Keyset cursor: pass as `before=` to get the threads after this one (older)."""
        return f"{self.updated_at.isoformat()}|{self.id}"


@dataclass
class Thread:
    """A whole thread with its messages in order."""

    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    messages: list[Message]
    metadata: dict[str, Any] = field(default_factory=dict)
    user_id: str = ""


def parse_cursor(before: str | ThreadSummary | None) -> tuple[datetime, str] | None:
    """Decode a keyset cursor (a ThreadSummary or its `.cursor`)."""
    if before is None:
        return None
    if isinstance(before, ThreadSummary):
        return _as_utc(before.updated_at), before.id
    try:
        stamp, _, thread_id = str(before).partition("|")
        return _as_utc(datetime.fromisoformat(stamp)), thread_id
    except ValueError as exc:
        raise ValidationError(f"invalid cursor {before!r}") from exc


def check_user(user_id: Any) -> str:
    """A user id is a non-empty string of at most 256 characters."""
    if not isinstance(user_id, str) or not user_id.strip():
        raise ValidationError("user id must be a non-empty string")
    if len(user_id) > MAX_USER_ID:
        raise ValidationError(f"user id longer than {MAX_USER_ID} characters")
    return user_id


def check_thread(thread_id: Any) -> str:
    """A thread id is a non-empty string of at most 128 characters."""
    if not isinstance(thread_id, str) or not thread_id or len(thread_id) > MAX_THREAD_ID:
        raise ValidationError("thread id must be a non-empty string of at most 128 characters")
    return thread_id


def check_title(title: Any) -> str:
    """A title is a string (empty: the first question names the thread) within the title size limit."""
    if not isinstance(title, str):
        raise ValidationError("title must be a string")
    _check_size("the title", title, _limits.title_bytes, "CHM_STORE_MAX_TITLE_BYTES")
    return title


def check_new_thread(user_id: Any, title: Any, metadata: Any, thread_id: Any) -> tuple[str, str]:
    """`create_thread`'s arguments checked: (the thread id, the given one or a new UUID; the metadata as JSON)."""
    check_user(user_id)
    if title is not None:
        check_title(title)
    meta = dump_metadata(metadata)
    _check_size("the thread's metadata", meta, _limits.metadata_bytes, "CHM_STORE_MAX_METADATA_BYTES")
    return (check_thread(thread_id) if thread_id else str(uuid.uuid4())), meta


def check_messages(messages: Any) -> list[Message]:
    """The messages of an append: a list of Message, each within the content and metadata size limits."""
    if not isinstance(messages, (list, tuple)) or not all(isinstance(m, Message) for m in messages):
        raise ValidationError("messages must be a list of chstore.Message")
    for message in messages:
        _check_size(f"message {message.id}'s content", message.content, _limits.message_bytes,
                    "CHM_STORE_MAX_MESSAGE_BYTES")
        _check_size(f"message {message.id}'s metadata", dump_metadata(message.metadata), _limits.metadata_bytes,
                    "CHM_STORE_MAX_METADATA_BYTES")
    return list(messages)


def check_limit(limit: Any) -> int:
    """A page size between 1 and 1000."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
        raise ValidationError("limit must be an integer between 1 and 1000")
    return limit


def default_title(messages: list[Message]) -> str:
    """The first user question, shortened, as a thread title."""
    for message in messages:
        if message.role == "user" and message.content.strip():
            text = " ".join(message.content.split())
            return text if len(text) <= 80 else text[:79] + "…"
    return ""


@runtime_checkable
class ConversationStore(Protocol):
    """What every conversation store offers; all calls are scoped to `user_id`."""

    kind: str

    def create_thread(
        self, user_id: str, title: str | None = None, metadata: dict[str, Any] | None = None,
        thread_id: str | None = None,
    ) -> str:
        """Create an empty thread and return its id."""

    def append(self, user_id: str, thread_id: str, messages: list[Message]) -> int:
        """Store new messages (idempotent by message id); returns how many were new."""

    def get_thread(self, user_id: str, thread_id: str) -> Thread | None:
        """The thread with its messages in order, or None when missing, deleted or another user's."""

    def list_threads(self, user_id: str, limit: int = 50, before: str | ThreadSummary | None = None) -> list[ThreadSummary]:
        """The user's threads, most recently updated first, after the keyset cursor `before`."""

    def search_threads(self, user_id: str, text: str, limit: int = 50) -> list[ThreadSummary]:
        """Threads whose title or message content contains `text` (case-insensitive)."""

    def rename_thread(self, user_id: str, thread_id: str, title: str) -> None:
        """Change a thread's title; NotFoundError when missing."""

    def delete_thread(self, user_id: str, thread_id: str) -> bool:
        """Delete a thread; False when there was nothing to delete."""

    def delete_all(self, user_id: str) -> int:
        """Delete every thread of the user; returns how many."""

    def list_users(self) -> list[str]:
        """Every user id with at least one thread (for admins and the copy command)."""

    def close(self) -> None:
        """Release connections."""
