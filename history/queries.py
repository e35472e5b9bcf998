"""The Conversations page's data: scope, filters, keyset pages and facets, in SQL on the ClickHouse store.

A non-ClickHouse store (memory, postgres, d1) has no SQL for the filters: `ThreadBrowser` then falls back to the
store API (`list_threads` / `search_threads`) and reports `filters_supported = False` so the page can say so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from chstore import ConversationStore, ThreadSummary
from chstore.model import EPOCH
from core import sqlfiles
from core.errors import ChmError, UnavailableError, ValidationError

FAR_FUTURE = datetime(2299, 12, 31, tzinfo=UTC)
CURSOR_START = (FAR_FUTURE, "", "")
"""Keyset start: sorts above every real (updated_at, user_id, thread_id)."""


ALL_USERS = "*"
"""The admin's "every user" choice."""


@dataclass(frozen=True)
class Scope:
    """Whose conversations are read: one user, or every user (admins only; checked by `scope_for`)."""

    user_id: str
    all_users: bool = False

    def params(self) -> dict[str, Any]:
        """The `{user_id:String}` / `{all_users:Bool}` parameters of every history query."""
        return {"user_id": self.user_id, "all_users": self.all_users}


def scope_for(viewer: str, admin: bool, choice: str | None = None) -> Scope:
    """The scope a viewer may use: admins may pick any user or `ALL_USERS`; everyone else only themself."""
    if not admin or not choice or choice == viewer:
        return Scope(viewer)
    if choice == ALL_USERS:
        return Scope(viewer, all_users=True)
    return Scope(choice)


@dataclass(frozen=True)
class Filters:
    """The Conversations page filters; empty values mean "any"."""

    start: datetime = EPOCH
    end: datetime = FAR_FUTURE
    text: str = ""
    tool: str = ""
    has_errors: bool = False
    model: str = ""

    @property
    def sql_only(self) -> bool:
        """True when a filter other than text is set (those need the ClickHouse store)."""
        return bool(self.tool or self.has_errors or self.model or self.start != EPOCH or self.end != FAR_FUTURE)

    def params(self) -> dict[str, Any]:
        """The filter parameters of `history/threads_page`."""
        return {"start": _naive(self.start), "end": _naive(self.end), "text": self.text.strip(), "tool": self.tool,
                "has_errors": self.has_errors, "model": self.model}


@dataclass(frozen=True)
class Row:
    """One line of the Conversations list (the owner is part of the identity: admins see many users)."""

    user_id: str
    thread_id: str
    title: str
    created_at: datetime
    updated_at: datetime
    message_count: int


@dataclass
class Page:
    """One keyset page: its rows, the cursor of the next page (None at the end) and the match counts."""

    rows: list[Row]
    next_cursor: str | None
    matching: int | None = None
    matching_messages: int | None = None
    notes: list[str] = field(default_factory=list)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def encode_cursor(row: Row) -> str:
    """The keyset cursor after `row` (JSON: user ids may contain any character)."""
    return json.dumps([_utc(row.updated_at).isoformat(), row.user_id, row.thread_id])


def decode_cursor(cursor: str | None) -> tuple[datetime, str, str]:
    """(updated_at, user_id, thread_id) of a cursor; the start of the list when None."""
    if not cursor:
        return CURSOR_START
    try:
        stamp, user, thread = json.loads(cursor)
        return _utc(datetime.fromisoformat(stamp)), str(user), str(thread)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"invalid page cursor {cursor!r}") from exc


def query(store: ConversationStore, name: str, params: dict[str, Any]) -> pd.DataFrame:
    """Run `sql/history/<name>.sql` on the store's own connection; a store never written to reads as empty."""
    where = store.clickhouse_table()
    if where is None:
        raise ValidationError(f"history/{name} needs the ClickHouse conversation store, not {store.kind}")
    try:
        return where.conn.query_df(sqlfiles.load(f"history/{name}"), {**where.params, **params}, readonly=True,
                                   settings=dict(where.settings))
    except UnavailableError as exc:
        if exc.name in ("UNKNOWN_TABLE", "UNKNOWN_DATABASE"):
            return pd.DataFrame()
        raise


class ThreadBrowser:
    """Lists, filters and pages through conversations of a scope, in SQL on ClickHouse, else via the store API."""

    def __init__(self, store: ConversationStore) -> None:
        self.store = store
        self.filters_supported = store.clickhouse_table() is not None

    def page(self, scope: Scope, filters: Filters, limit: int = 50, cursor: str | None = None) -> Page:
        """One page of matching conversations, newest first, after `cursor`."""
        if not self.filters_supported:
            return self._fallback_page(scope, filters, limit, cursor)
        before_ts, before_user, before_id = decode_cursor(cursor)
        frame = query(self.store, "threads_page", {
            **scope.params(), **filters.params(), "limit": limit, "before_ts": _naive(before_ts),
            "before_user": before_user, "before_id": before_id,
        })
        if frame.empty:
            return Page([], None, 0 if cursor is None else None, 0 if cursor is None else None)
        rows = [
            Row(str(r.user_id), str(r.thread_id), str(r.title), _utc(r.created_at.to_pydatetime()),
                _utc(r.updated_at.to_pydatetime()), int(r.message_count))
            for r in frame.itertuples(index=False)
        ]
        next_cursor = encode_cursor(rows[-1]) if len(rows) == limit else None
        return Page(rows, next_cursor, int(frame["matching"].iloc[0]), int(frame["matching_messages"].iloc[0]))

    def _fallback_page(self, scope: Scope, filters: Filters, limit: int, cursor: str | None) -> Page:
        notes = []
        if filters.sql_only:
            notes.append(f"The date, tool, error and model filters need the ClickHouse store; this one is "
                         f"{self.store.kind}, so they are not applied.")
        if scope.all_users:
            notes.append(f"Listing every user at once needs the ClickHouse store; showing {scope.user_id} only.")
        text = filters.text.strip()
        if text:
            if cursor:
                return Page([], None, notes=notes)
            found = self.store.search_threads(scope.user_id, text, limit=1000)
            rows = [_row(scope.user_id, s) for s in found[:limit]]
            return Page(rows, None, len(found), sum(s.message_count for s in found), notes)
        before = None
        if cursor:
            stamp, _, thread = decode_cursor(cursor)
            before = ThreadSummary(thread, "", stamp, stamp, 0)
        summaries = self.store.list_threads(scope.user_id, limit=limit, before=before)
        rows = [_row(scope.user_id, s) for s in summaries]
        return Page(rows, encode_cursor(rows[-1]) if len(rows) == limit else None, notes=notes)

    def iter_rows(self, scope: Scope, filters: Filters, page_size: int = 200) -> Iterator[Row]:
        """Every matching conversation, page by page (keyset), never all in memory."""
        cursor = None
        while True:
            page = self.page(scope, filters, limit=page_size, cursor=cursor)
            yield from page.rows
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def facets(self, scope: Scope) -> dict[str, list[str]]:
        """The tools and models that occur in the scope's conversations (for the filter choices)."""
        if not self.filters_supported:
            return {"tools": [], "models": []}
        frame = query(self.store, "facets", scope.params())
        if frame.empty:
            return {"tools": [], "models": []}
        return {"tools": list(frame["tools"].iloc[0]), "models": list(frame["models"].iloc[0])}

    def users(self) -> list[str]:
        """Every user with conversations (for the admin's user switch)."""
        try:
            return self.store.list_users()
        except ChmError:
            return []


def _row(user: str, summary: ThreadSummary) -> Row:
    return Row(user, summary.id, summary.title, _utc(summary.created_at), _utc(summary.updated_at),
               summary.message_count)


ANALYTICS = ("activity_per_day", "tool_usage", "tokens_by_model", "unanswered")
"""The History analytics page's queries (`sql/history/<name>.sql`), each scoped and windowed."""


def analytics(store: ConversationStore, name: str, scope: Scope, start: datetime, end: datetime,
              limit: int = 50) -> pd.DataFrame:
    """One analytics query's result for the scope and the window [start, end)."""
    if name not in ANALYTICS:
        raise ValidationError(f"unknown analytics query {name!r}")
    params: dict[str, Any] = {**scope.params(), "start": _naive(start), "end": _naive(end)}
    if "limit" in sqlfiles.placeholders(sqlfiles.load(f"history/{name}")):
        params["limit"] = limit
    return query(store, name, params)
