"""History pages benchmark: prints JSON with median milliseconds of the Conversations page's query paths.

    python bench/history_bench.py                          # 100,000 conversations, 2,000,000 messages
    python bench/history_bench.py --threads 2000 --runs 3  # a quick run

The fixture is bulk-loaded server-side with the store benchmark's seed (`sql/bench/seed_*.sql`).
Targets: the list page under 1 s, search under 2 s.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from store_bench import median_ms, seed_clickhouse  # noqa: E402

from chstore.clickhouse import ClickHouseStore  # noqa: E402
from config import load_settings  # noqa: E402
from core.connection import connect  # noqa: E402
from history.queries import Filters, Scope, ThreadBrowser  # noqa: E402

TARGETS = {"list_ms": 1000.0, "search_ms": 2000.0}
PAGE = 25


def run(args: argparse.Namespace) -> dict[str, object]:
    """Seed, measure, and return the JSON report."""
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="chm-history-bench-")
    conn = connect(load_settings(chm_data_dir=data_dir))
    conn.command("CREATE DATABASE IF NOT EXISTS bench")
    store = ClickHouseStore(conn, f"bench.hist_{int(time.time())}", auto_create=True)
    seeded = seed_clickhouse(conn, store, args.threads, args.messages, args.users)
    browser = ThreadBrowser(store)
    rng = random.Random(5)
    everyone = Scope("admin", all_users=True)

    def user() -> Scope:
        return Scope(f"user-{rng.randrange(args.users)}")

    def list_page() -> None:
        scope = user()
        browser.facets(scope)
        assert len(browser.page(scope, Filters(), limit=PAGE).rows) == min(PAGE, args.threads // args.users)

    def list_second_page() -> None:
        scope = user()
        first = browser.page(scope, Filters(), limit=PAGE)
        browser.page(scope, Filters(), limit=PAGE, cursor=first.next_cursor)

    def list_all_users() -> None:
        browser.facets(everyone)
        assert len(browser.page(everyone, Filters(), limit=PAGE).rows) == min(PAGE, args.threads)

    def search(scope_of: object, text: str) -> None:
        browser.page(scope_of() if callable(scope_of) else scope_of, Filters(text=text), limit=PAGE)

    probe = browser.page(Scope("user-0"), Filters(text="message 0 about"), limit=PAGE)
    report: dict[str, object] = {
        "store": "clickhouse",
        "engine": "embedded",
        "conversations": args.threads,
        "messages": args.threads * args.messages,
        "users": args.users,
        "page_size": PAGE,
        "seed_seconds": round(seeded, 2),
        "list_ms": median_ms(list_page, args.runs),
        "list_page2_ms": median_ms(list_second_page, args.runs),
        "list_filtered_ms": median_ms(
            lambda: browser.page(user(), Filters(tool="merges", has_errors=True, model="builtin"), limit=PAGE),
            args.runs),
        "search_ms": median_ms(lambda: search(user, "zebra"), args.runs),
        "search_common_word_ms": median_ms(lambda: search(user, "merges"), args.runs),
        "list_all_users_ms": median_ms(list_all_users, args.runs),
        "search_all_users_ms": median_ms(lambda: search(everyone, "zebra"), args.runs),
        "search_found": len(probe.rows),
    }
    report["targets"] = TARGETS
    report["meets_targets"] = {
        "list": report["list_ms"] <= TARGETS["list_ms"],
        "search": report["search_ms"] <= TARGETS["search_ms"],
        "list_all_users": report["list_all_users_ms"] <= TARGETS["list_ms"],
        "search_all_users": report["search_all_users_ms"] <= TARGETS["search_ms"],
    }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=100_000, help="conversations")
    parser.add_argument("--messages", type=int, default=20, help="messages per conversation")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--runs", type=int, default=10, help="timed calls per path")
    parser.add_argument("--data-dir", default=None, help="engine directory (default: a new temporary one)")
    print(json.dumps(run(parser.parse_args(argv)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
