"""The store's data types and the protocol every backend implements."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from chstore.errors import NotFoundError
from core.errors import ValidationError

if TYPE_CHECKING:
    from core.connection import Connection

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


_UNESCAPE = re.compile("\x01(.)", re.S)


def escape_text(value: str) -> str:
    """A NUL-free string that `unescape_text` turns back into `value` exactly (for stores whose text cannot hold NUL)."""
    return value.replace("\x01", "\x01\x01").replace("\x00", "\x01\x02")


def unescape_text(value: str) -> str:
    """The inverse of `escape_text`."""
    return _UNESCAPE.sub(lambda m: "\x01" if m.group(1) == "\x01" else "\x00", value)


def _map_strings(value: Any, change: Any) -> Any:
    """A JSON value with `change` applied to every string in it, keys too."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {change(k): _map_strings(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(v, change) for v in value]
    return value


def escape_json(value: Any) -> Any:
    """A JSON value with every string (keys too) escaped by `escape_text`."""
    return _map_strings(value, escape_text)


def unescape_json(value: Any) -> Any:
    """The inverse of `escape_json`."""
    return _map_strings(value, unescape_text)


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


def thread_record(thread: Thread) -> dict[str, Any]:
    """A thread as one JSON-ready record (the JSONL export format of the CLI and the History pages)."""
    return {
        "id": thread.id,
        "user_id": thread.user_id,
        "title": thread.title,
        "created_at": thread.created_at.isoformat(),
        "updated_at": thread.updated_at.isoformat(),
        "metadata": thread.metadata,
        "messages": [m.to_dict() for m in thread.messages],
    }


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
        if message.role not in ROLES or not isinstance(message.content, str):  # a Message is mutable after its checks
            raise ValidationError(f"message {message.id}: role must be one of {', '.join(ROLES)} and content a string")
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


def check_search_text(text: Any) -> str:
    """Search text is a non-empty string."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("search text must be a non-empty string")
    return text


@dataclass(frozen=True, eq=False)
class ClickHouseTable:
    """Where the ClickHouse store keeps the conversations, for code that reads that table in SQL (the History pages).

    `settings` are what the store's own statements carry (on the embedded engine: kept out of `query_log`).
    """

    conn: Connection
    database: str
    table: str
    settings: Mapping[str, Any]

    @property
    def params(self) -> dict[str, str]:
        """The `{db:Identifier}` and `{table:Identifier}` parameters of `sql/history/*.sql`."""
        return {"db": self.database, "table": self.table}


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

    def get_threads(self, user_id: str, thread_ids: list[str]) -> list[Thread]:
        """Several of the user's threads, in the order asked; missing or deleted ones are left out."""

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

    def clickhouse_table(self) -> ClickHouseTable | None:
        """Where the conversations sit when the store is a ClickHouse table (its SQL-only features need it); else
        None."""

    def close(self) -> None:
        """Release connections."""


class BaseStore(ABC):
    """The one layer every backend passes through: each public call's arguments are checked here, once, and the
    contract's errors raised here; a backend subclasses it and implements only the storage methods (`_` + the
    public name), which receive checked arguments.

    A storage method reports "no such live thread" by its return value (None or False), never by raising, so the
    errors and their messages are the same on every backend.
    """

    kind: str

    def create_thread(
        self, user_id: str, title: str | None = None, metadata: dict[str, Any] | None = None,
        thread_id: str | None = None,
    ) -> str:
        """Create an empty thread and return its id; an id the user has is kept, an id the user deleted is refused."""
        tid, meta = check_new_thread(user_id, title, metadata, thread_id)
        if not self._create_thread(user_id, tid, title or "", json.loads(meta), chosen=bool(thread_id)):
            raise ValidationError(f"thread {tid} was deleted and cannot be recreated")
        return tid

    def append(self, user_id: str, thread_id: str, messages: list[Message]) -> int:
        """Store new messages (idempotent by message id); returns how many were new."""
        check_user(user_id)
        check_thread(thread_id)
        added = self._append(user_id, thread_id, check_messages(messages))
        if added is None:
            raise NotFoundError(f"thread {thread_id} not found (or deleted)")
        return added

    def get_thread(self, user_id: str, thread_id: str) -> Thread | None:
        """The thread with its messages in order, or None when missing, deleted or another user's."""
        check_user(user_id)
        check_thread(thread_id)
        return self._get_thread(user_id, thread_id)

    def get_threads(self, user_id: str, thread_ids: list[str]) -> list[Thread]:
        """Several of the user's threads, in the order asked; missing or deleted ones are left out."""
        check_user(user_id)
        for tid in thread_ids:
            check_thread(tid)
        return self._get_threads(user_id, list(dict.fromkeys(thread_ids))) if thread_ids else []

    def list_threads(self, user_id: str, limit: int = 50, before: str | ThreadSummary | None = None) -> list[ThreadSummary]:
        """The user's threads, most recently updated first, after the keyset cursor `before`."""
        check_user(user_id)
        check_limit(limit)
        return self._list_threads(user_id, limit, parse_cursor(before))

    def search_threads(self, user_id: str, text: str, limit: int = 50) -> list[ThreadSummary]:
        """Threads whose title or message content contains `text` (case-insensitive)."""
        check_user(user_id)
        check_limit(limit)
        return self._search_threads(user_id, check_search_text(text), limit)

    def rename_thread(self, user_id: str, thread_id: str, title: str) -> None:
        """Change a thread's title; NotFoundError when missing."""
        check_user(user_id)
        check_thread(thread_id)
        if not self._rename_thread(user_id, thread_id, check_title(title)):
            raise NotFoundError(f"thread {thread_id} not found")

    def delete_thread(self, user_id: str, thread_id: str) -> bool:
        """Delete a thread; False when there was nothing to delete."""
        check_user(user_id)
        check_thread(thread_id)
        return self._delete_thread(user_id, thread_id)

    def delete_all(self, user_id: str) -> int:
        """Delete every thread of the user; returns how many."""
        return self._delete_all(check_user(user_id))

    def list_users(self) -> list[str]:
        """Every user id with at least one live thread."""
        return self._list_users()

    def clickhouse_table(self) -> ClickHouseTable | None:
        """None: only the ClickHouse store keeps conversations in a table the History pages can query."""
        return None

    def close(self) -> None:  # noqa: B027 - an optional hook: only a backend holding connections overrides it
        """Nothing to release unless the backend holds connections."""

    # --- storage: what a backend implements (arguments already checked) --------------------------------------------
    @abstractmethod
    def _create_thread(self, user_id: str, thread_id: str, title: str, metadata: dict[str, Any], *,
                       chosen: bool) -> bool:
        """Store a new empty thread unless the user has it; False when the id is one the user deleted. `chosen`:
        the caller gave the id (a fresh UUID cannot exist yet, so there is nothing to look up)."""

    @abstractmethod
    def _append(self, user_id: str, thread_id: str, messages: list[Message]) -> int | None:
        """Store the messages whose id the thread lacks and bump the thread (its title too, when empty); how many
        were new, or None when the user has no such live thread."""

    @abstractmethod
    def _get_thread(self, user_id: str, thread_id: str) -> Thread | None:
        """The live thread with its messages in append order, or None."""

    def _get_threads(self, user_id: str, thread_ids: list[str]) -> list[Thread]:
        """Several live threads (distinct ids) in the order given; one read each unless a backend batches them."""
        found = (self._get_thread(user_id, tid) for tid in thread_ids)
        return [thread for thread in found if thread is not None]

    @abstractmethod
    def _list_threads(self, user_id: str, limit: int, cursor: tuple[datetime, str] | None) -> list[ThreadSummary]:
        """Up to `limit` live threads, by (updated_at, id) descending, below `cursor` when given."""

    @abstractmethod
    def _search_threads(self, user_id: str, text: str, limit: int) -> list[ThreadSummary]:
        """Up to `limit` live threads whose title or message content contains `text`, case-insensitively."""

    @abstractmethod
    def _rename_thread(self, user_id: str, thread_id: str, title: str) -> bool:
        """Set the live thread's title; False when the user has no such live thread."""

    @abstractmethod
    def _delete_thread(self, user_id: str, thread_id: str) -> bool:
        """Delete the thread so that no later call brings it back; False when there was no live thread."""

    @abstractmethod
    def _delete_all(self, user_id: str) -> int:
        """Delete every live thread of the user as `_delete_thread` does; how many."""

    @abstractmethod
    def _list_users(self) -> list[str]:
        """Every user id with at least one live thread."""
