"""Conversation store benchmark: prints JSON with median milliseconds per call on the embedded engine.

    python bench/store_bench.py                       # 50,000 threads x 20 messages (the issue's workload)
    python bench/store_bench.py --threads 2000 --runs 20   # a quick run
    python bench/store_bench.py --store postgres      # also Postgres on the same workload (DATABASE_URL, or a
                                                      # throwaway local server when unset), reported under "postgres"

Targets: get <= 10 ms, list <= 5 ms, append <= 15 ms, append at turn 400 within 1.3x of turn 1.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chstore import ConversationStore, Message
from chstore.clickhouse import ClickHouseStore  # noqa: E402
from config import load_settings  # noqa: E402
from core import sqlfiles  # noqa: E402
from core.connection import Connection, connect  # noqa: E402

TARGETS = {"get_ms": 10.0, "list_ms": 5.0, "append_ms": 15.0, "append_turn400_ratio": 1.3}


def median_ms(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of `fn` in milliseconds over `runs` calls (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 3)


def seed_clickhouse(conn: Connection, store: ClickHouseStore, threads: int, per_thread: int, users: int) -> float:
    """Bulk-load the fixture server-side; returns seconds taken."""
    start = time.perf_counter()
    store.create_schema()
    base = {"db": store.database, "table": store.table, "n_users": users,
            "n_threads": threads, "per_thread": per_thread}
    conn.command(sqlfiles.load("bench/seed_threads"), base)
    conn.command(sqlfiles.load("bench/seed_messages"), base)
    conn.command(sqlfiles.load("bench/optimize"), {"db": store.database, "table": store.table})
    return time.perf_counter() - start


def turn(i: int) -> list[Message]:
    return [Message(role="user", content=f"question {i} about merges"),
            Message(role="assistant", content=f"answer {i}: 3 merges running", name="builtin")]


def append_growth(store: ConversationStore, turns: int, samples: int) -> dict[str, float]:
    """Median append time at turn 1 and at turn `turns` (each thread grown turn by turn through the API)."""
    first, last = [], []
    for n in range(samples):
        user = f"growth-{n}"
        tid = store.create_thread(user)
        for i in range(1, turns + 1):
            start = time.perf_counter()
            store.append(user, tid, turn(i))
            elapsed = (time.perf_counter() - start) * 1000
            if i <= 5:
                first.append(elapsed)
            elif i > turns - 5:
                last.append(elapsed)
    one, late = statistics.median(first), statistics.median(last)
    return {"append_turn1_ms": round(one, 3), f"append_turn{turns}_ms": round(late, 3),
            f"append_turn{turns}_ratio": round(late / one, 3)}


def measure(store: ConversationStore, select1: Callable[[], object], args: argparse.Namespace) -> dict[str, object]:
    """The workload on a seeded store: median ms of SELECT 1, get, list (first page, and the page after a cursor),
    append, delete, and append growth."""
    rng = random.Random(7)

    def some_thread() -> tuple[str, str]:
        n = rng.randrange(args.threads)
        return f"user-{n % args.users}", f"bench-{n}"

    def get() -> None:
        user, tid = some_thread()
        thread = store.get_thread(user, tid)
        assert thread is not None and len(thread.messages) == args.messages

    def list_page() -> None:
        assert len(store.list_threads(f"user-{rng.randrange(args.users)}", limit=50)) == min(50, args.threads // args.users)

    users = [f"user-{rng.randrange(args.users)}" for _ in range(args.runs + 1)]
    cursors = iter([(user, store.list_threads(user, limit=1)[0]) for user in users])

    def list_next_page() -> None:
        user, first = next(cursors)
        assert len(store.list_threads(user, limit=50, before=first)) == min(50, args.threads // args.users - 1)

    counter = iter(range(10**9))

    def append() -> None:
        user, tid = some_thread()
        store.append(user, tid, turn(next(counter)))

    def delete() -> None:
        user, tid = some_thread()
        store.delete_thread(user, tid)

    report: dict[str, object] = {
        "select1_ms": median_ms(select1, args.runs),
        "get_ms": median_ms(get, args.runs),
        "list_ms": median_ms(list_page, args.runs),
        "list_next_page_ms": median_ms(list_next_page, args.runs),
        "append_ms": median_ms(append, args.runs),
        "delete_ms": median_ms(delete, args.runs),
    }
    report.update(append_growth(store, args.turns, args.growth_samples))
    return report


def run_postgres(args: argparse.Namespace) -> dict[str, object]:
    """The same workload on the Postgres store: DATABASE_URL, or a throwaway server on 127.0.0.1 when unset."""
    from chstore.postgres import PostgresStore

    url = load_settings().store.database_url
    stop = None
    if url is None:
        from tests.pg import start_server

        address, stop = start_server()
    else:
        address = url.get_secret_value()
    store = PostgresStore(address, prefix=f"bench_{int(time.time())}_")
    try:
        start = time.perf_counter()
        store.create_schema()
        params = {"n_users": args.users, "n_threads": args.threads, "per_thread": args.messages}
        store.run_file("bench_seed_threads", params)
        store.run_file("bench_seed_messages", params)
        store.run_file("bench_analyze", {})
        seeded = time.perf_counter() - start

        def select1() -> None:
            with store.pool.connection() as conn:
                conn.execute("SELECT 1").fetchall()

        return {"store": "postgres", "server": "DATABASE_URL" if url else "throwaway local server",
                "seed_seconds": round(seeded, 2), **measure(store, select1, args)}
    finally:
        store.close()
        if stop is not None:
            stop()


def run(args: argparse.Namespace) -> dict[str, object]:
    """Seed, measure, and return the JSON report."""
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="chm-bench-")
    settings = load_settings(chm_data_dir=data_dir)
    conn = connect(settings)
    conn.command("CREATE DATABASE IF NOT EXISTS bench")
    store = ClickHouseStore(conn, f"bench.conv_{int(time.time())}", auto_create=True)
    seeded = seed_clickhouse(conn, store, args.threads, args.messages, args.users)
    report: dict[str, object] = {
        "store": "clickhouse",
        "engine": "embedded",
        "threads": args.threads,
        "messages_per_thread": args.messages,
        "users": args.users,
        "seed_seconds": round(seeded, 2),
        **measure(store, lambda: conn.query_rows("SELECT 1"), args),
    }
    ratio_key = f"append_turn{args.turns}_ratio"
    report["targets"] = TARGETS
    report["meets_targets"] = {
        "get": report["get_ms"] <= TARGETS["get_ms"],
        "list": report["list_ms"] <= TARGETS["list_ms"],
        "append": report["append_ms"] <= TARGETS["append_ms"],
        "append_growth": report[ratio_key] <= TARGETS["append_turn400_ratio"],
    }
    if "postgres" in args.store:
        report["postgres"] = run_postgres(args)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=20, help="messages per thread")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--runs", type=int, default=200, help="timed calls per operation")
    parser.add_argument("--turns", type=int, default=400, help="append growth: turns per thread")
    parser.add_argument("--growth-samples", type=int, default=2, help="threads grown to --turns")
    parser.add_argument("--data-dir", default=None, help="engine directory (default: a new temporary one)")
    parser.add_argument("--store", action="append", choices=["clickhouse", "postgres"], default=["clickhouse"],
                        help="postgres: also run the same workload on the Postgres store (reported under `postgres`)")
    print(json.dumps(run(parser.parse_args(argv)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
