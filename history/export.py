"""Exports of conversations as JSON, JSONL or Markdown, produced as a stream of text chunks.

Threads are fetched a batch at a time (keyset pages underneath, `get_threads` for each batch), so an export of
10,000 conversations never holds them all in memory; `export_file` spools the stream to a temporary file for the download button.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator

from chstore import ConversationStore, Message, Thread
from chstore.model import thread_record
from history.queries import Row

FORMATS: dict[str, tuple[str, str]] = {
    "JSONL": ("application/x-ndjson", "jsonl"),
    "JSON": ("application/json", "json"),
    "Markdown": ("text/markdown", "md"),
}
"""Export format → (MIME type, file extension)."""


BATCH = 100
"""Conversations asked of `get_threads` at once (one round trip on a store that reads several at once)."""


def _batches(rows: Iterable[Row], size: int) -> Iterator[tuple[str, list[str]]]:
    """(user_id, thread ids) of consecutive rows of one user, at most `size` ids each."""
    user, ids = None, []
    for row in rows:
        if ids and (row.user_id != user or len(ids) == size):
            yield user, ids  # type: ignore[misc]
            ids = []
        user = row.user_id
        ids.append(row.thread_id)
    if ids:
        yield user, ids  # type: ignore[misc]


def threads_of(store: ConversationStore, rows: Iterable[Row], batch: int = BATCH) -> Iterator[Thread]:
    """The full threads of the listed rows in order, a batch at a time (`get_threads`: one read on a store that can
    read several at once); rows deleted meanwhile are skipped. Never more than one batch in memory."""
    for user, ids in _batches(rows, batch):
        yield from store.get_threads(user, ids)


def _fence(text: str, language: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}\n"


def _markdown_message(message: Message) -> str:
    stamp = message.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    meta = message.metadata
    if message.role != "tool":
        who = message.role + (f" ({message.name})" if message.name else "")
        model = f" · {meta['model']}" if meta.get("model") else ""
        return f"### {who} · {stamp}{model}\n\n{message.content}\n"
    parts = [f"### tool `{message.name}` · {stamp}\n"]
    facts = [f"{key}: {meta[key]}" for key in ("duration_ms", "rows", "error_name") if meta.get(key) not in (None, "")]
    if facts:
        parts.append("_" + " · ".join(facts) + "_\n")
    if meta.get("error"):
        parts.append(f"**Error:** {meta['error']}\n")
    if meta.get("arguments"):
        parts.append(_fence(json.dumps(meta["arguments"], ensure_ascii=False, indent=2), "json"))
    if meta.get("sql"):
        parts.append(_fence(str(meta["sql"]).strip(), "sql"))
    if message.content:
        parts.append(_fence(message.content, "json"))
    return "\n".join(parts)


def markdown(thread: Thread) -> str:
    """One conversation as Markdown: a heading, its facts, then every message (tool calls with SQL and result)."""
    head = (f"# {thread.title or 'Untitled conversation'}\n\n"
            f"_id {thread.id} · user {thread.user_id} · created {thread.created_at.isoformat()} · "
            f"updated {thread.updated_at.isoformat()} · {len(thread.messages)} messages_\n")
    return "\n".join([head, *(_markdown_message(m) for m in thread.messages)]) + "\n---\n\n"


def chunks(threads: Iterable[Thread], fmt: str) -> Iterator[str]:
    """The export of `threads` in `fmt` (a FORMATS key), one chunk per conversation."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "JSONL":
        for thread in threads:
            yield json.dumps(thread_record(thread), ensure_ascii=False) + "\n"
    elif fmt == "JSON":
        yield "["
        separator = "\n"
        for thread in threads:
            yield separator + json.dumps(thread_record(thread), ensure_ascii=False)
            separator = ",\n"
        yield "\n]\n"
    else:
        for thread in threads:
            yield markdown(thread)


def export_file(stream: Iterable[str]) -> io.BufferedReader:
    """Spool a chunk stream to a temporary file (removed once closed) and return it open for reading."""
    handle, path = tempfile.mkstemp(prefix="chm-export-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            for chunk in stream:
                out.write(chunk)
        reader = open(path, "rb")  # noqa: SIM115 - returned open; the caller reads and closes it
    finally:
        os.unlink(path)
    return reader


def deferred(make_stream: Callable[[], Iterable[str]]) -> Callable[[], io.BufferedReader]:
    """A callable for `st.download_button(data=...)`: the export runs only when the button is clicked."""
    return lambda: export_file(make_stream())


def file_name(stem: str, fmt: str) -> str:
    """A download file name: `stem` reduced to safe characters plus the format's extension."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-")[:80] or "conversations"
    return f"{safe}.{FORMATS[fmt][1]}"
