"""`python -m chstore`: print the schema, inspect and delete threads, export or copy conversations, migrate D1."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import TextIO

from chstore import open_named_store, open_store
from chstore.model import ConversationStore, Thread, ThreadSummary, thread_record
from core.errors import ChmError, ValidationError
from core.settings import CoreSettings, load


def iter_threads(store: ConversationStore, users: list[str], page: int = 200) -> Iterator[Thread]:
    """Every thread of the users, a keyset page at a time (one `get_threads` read per page, never all in memory)."""
    for user in users:
        before = None
        while True:
            summaries = store.list_threads(user, limit=page, before=before)
            yield from store.get_threads(user, [summary.id for summary in summaries])
            if len(summaries) < page:
                break
            before = summaries[-1]


def export_jsonl(store: ConversationStore, users: list[str], out: TextIO) -> int:
    """Write one JSON line per thread; returns how many were written."""
    count = 0
    for thread in iter_threads(store, users):
        out.write(json.dumps(thread_record(thread), ensure_ascii=False) + "\n")
        count += 1
    return count


def _schema(_: argparse.Namespace) -> int:
    from chstore.clickhouse import render, schema_statements, split_table

    settings = load(CoreSettings)
    database, table = split_table(settings.conversation_table, settings.clickhouse.database)
    for sql, params in schema_statements(
        database, table, settings.clickhouse_store.cluster,
        settings.clickhouse_store.ttl_days,
    ):
        print(render(sql, params).strip().rstrip(";") + ";\n")
    return 0


def _users(store: ConversationStore, args: argparse.Namespace) -> list[str]:
    return store.list_users() if getattr(args, "all_users", False) else [args.user]


def _threads(args: argparse.Namespace) -> int:
    store = open_store()
    if args.action == "list":
        for user in _users(store, args):
            for s in store.list_threads(user, limit=args.limit):
                print(f"{s.id}\t{user}\t{s.updated_at:%Y-%m-%d %H:%M:%S}\t{s.message_count}\t{s.title}")
        return 0
    if not args.thread_id:
        print("a thread id is required", file=sys.stderr)
        return 2
    if args.action == "show":
        thread = store.get_thread(args.user, args.thread_id)
        if thread is None:
            print(f"thread {args.thread_id} not found for user {args.user}", file=sys.stderr)
            return 1
        print(json.dumps(thread_record(thread), ensure_ascii=False, indent=2))
        return 0
    deleted = store.delete_thread(args.user, args.thread_id)
    print("deleted" if deleted else "not found")
    return 0 if deleted else 1


def _export(args: argparse.Namespace) -> int:
    store = open_store()
    users = _users(store, args)
    if args.output == "-":
        count = export_jsonl(store, users, sys.stdout)
    else:
        with open(args.output, "w", encoding="utf-8") as out:
            count = export_jsonl(store, users, out)
    print(f"exported {count} conversations", file=sys.stderr)
    return 0


COPY_STORES = ("clickhouse", "postgres", "d1", "agentstate", "memory")
"""Stores `copy` can read from and write to, each configured from the same Settings."""


def progress_bar(done: int, total: int, out: TextIO, width: int = 30) -> None:
    """Redraw a one-line text progress bar (`[#####-----] 12/40 threads`) on `out`."""
    filled = width * done // total if total else width
    out.write(f"\r[{'#' * filled}{'-' * (width - filled)}] {done}/{total} threads")
    out.flush()


def copy_conversations(source: ConversationStore, target: ConversationStore, out: TextIO,
                       chunk: int = 500) -> dict[str, int]:
    """Copy every thread of every user, keeping thread and message ids, so running it again adds nothing."""
    users = source.list_users()
    total = sum(1 for _ in iter_summaries(source, users))
    counts = {"threads": 0, "messages": 0, "skipped": 0}
    progress_bar(0, total, out)
    for done, thread in enumerate(iter_threads(source, users), start=1):
        try:
            target.create_thread(thread.user_id, title=thread.title or None, metadata=thread.metadata,
                                 thread_id=thread.id)
        except ValidationError:
            counts["skipped"] += 1
        else:
            counts["threads"] += 1
            for start in range(0, len(thread.messages), chunk):
                counts["messages"] += target.append(thread.user_id, thread.id, thread.messages[start:start + chunk])
        progress_bar(done, total, out)
    out.write("\n")
    return counts


def iter_summaries(store: ConversationStore, users: list[str], page: int = 200) -> Iterator[ThreadSummary]:
    """Every thread summary of the users (keyset pages)."""
    for user in users:
        before = None
        while True:
            summaries = store.list_threads(user, limit=page, before=before)
            yield from summaries
            if len(summaries) < page:
                break
            before = summaries[-1]


def _copy(args: argparse.Namespace) -> int:
    if args.source == args.target:
        print("--from and --to name the same store", file=sys.stderr)
        return 2
    settings = load(CoreSettings)
    source = open_named_store(args.source, settings)
    target = open_named_store(args.target, settings)
    try:
        counts = copy_conversations(source, target, sys.stderr)
    finally:
        source.close()
        target.close()
    print(f"copied {counts['threads']} conversations ({counts['messages']} new messages) from {args.source} to "
          f"{args.target}; {counts['skipped']} skipped (deleted in {args.target})", file=sys.stderr)
    return 0


def _d1(args: argparse.Namespace) -> int:
    store = open_named_store("d1", load(CoreSettings))
    for name in store.migrate():  # type: ignore[attr-defined]
        print(f"applied sql/d1/{name}.sql")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser."""
    parser = argparse.ArgumentParser(prog="python -m chstore", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("schema", help="print the DDL of the ClickHouse conversation table").set_defaults(func=_schema)

    threads = sub.add_parser("threads", help="list, show or delete threads")
    threads.add_argument("action", choices=["list", "show", "delete"])
    threads.add_argument("thread_id", nargs="?")
    threads.add_argument("--user", default=load(CoreSettings).app.local_user, help="user id (default CHM_LOCAL_USER)")
    threads.add_argument("--all-users", action="store_true", help="list: every user's threads")
    threads.add_argument("--limit", type=int, default=50)
    threads.set_defaults(func=_threads)

    export = sub.add_parser("export", help="export conversations as JSON lines")
    export.add_argument("--user", default=load(CoreSettings).app.local_user, help="user id (default CHM_LOCAL_USER)")
    export.add_argument("--all-users", action="store_true", help="every user's conversations")
    export.add_argument("-o", "--output", default="-", help="file to write (default: standard output)")
    export.set_defaults(func=_export)

    copy = sub.add_parser("copy", help="copy every conversation of every user from one store to another (idempotent)")
    copy.add_argument("--from", dest="source", required=True, choices=COPY_STORES, help="store to read")
    copy.add_argument("--to", dest="target", required=True, choices=COPY_STORES, help="store to write")
    copy.set_defaults(func=_copy)

    d1 = sub.add_parser("d1", help="Cloudflare D1 store administration")
    d1.add_argument("action", choices=["migrate"], help="migrate: create the tables and indexes if missing")
    d1.set_defaults(func=_d1)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; chstore errors print their message and exit 1."""
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except ChmError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
