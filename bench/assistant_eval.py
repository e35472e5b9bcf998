"""How well the built-in assistant finds the panel that answers a question: prints JSON.

Two question sets, each a JSON list of {"q", "expect": [panel or check names], "area"}:
- `assistant_eval_questions.json`: the tuning part (phrases in the catalog may be adjusted while watching it);
- `assistant_eval_heldout.json`: the held-aside part, written before the catalog's phrases and never used to tune them.

Three blind sets (`--part blind` scores all, each reported on its own), each 30 questions written by someone who
never saw the catalog, with the system tables that answer them ({"question", "tables"}), scored on the right table
only:
- `assistant_eval_fresh.json` (`blind`): studied for the kinds of weakness it showed (never copied into the catalog);
- `assistant_eval_fresh2.json` (`blind2`): opened once, then studied the same way in the second round;
- `assistant_eval_fresh3.json` (`blind3`): opened once, after the second round's last change, and never tuned on.

For each part: top-1 (the entry the assistant runs is expected), top-3 (an expected one among the three best), right
table (what it runs reads a system table an expected entry reads), the same per area, and every top-1 miss.
No engine is needed: this measures the choice, not the query. Also reported: the time to build the index and to
plan one question (mean over every question of the chosen parts).

    python bench/assistant_eval.py [--part tuning|held_aside|both|blind]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.builtin import plan  # noqa: E402
from assistant.search import HEALTH, build_index  # noqa: E402
from assistant.tools import build_tools  # noqa: E402
from dashboard.catalog import PANELS  # noqa: E402

HERE = Path(__file__).resolve().parent
PARTS = {"tuning": HERE / "assistant_eval_questions.json", "held_aside": HERE / "assistant_eval_heldout.json"}
BLIND = {"blind": HERE / "assistant_eval_fresh.json", "blind2": HERE / "assistant_eval_fresh2.json",
         "blind3": HERE / "assistant_eval_fresh3.json"}
CHECK_TABLES = frozenset(table for panel in PANELS.values() if panel.check for table in panel.reads)


def load(part: str) -> list[dict[str, Any]]:
    """The questions of one part."""
    return json.loads(PARTS[part].read_text(encoding="utf-8"))


def reads(name: str) -> frozenset[str]:
    """The system tables an entry reads (the Health page reads what its checks read)."""
    return CHECK_TABLES if name == HEALTH else frozenset(PANELS[name].reads) if name in PANELS else frozenset()


def evaluate(questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Top-1, top-3 and right-table accuracy of the built-in assistant's choice, overall and per area."""
    tools = build_tools()
    areas: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "top1": 0, "top3": 0, "table": 0})
    misses = []
    for item in questions:
        chosen = plan(item["q"], tools)
        got = chosen.panels[0] if chosen.panels else chosen.intent
        nearest = [hit.entry.name for hit in chosen.hits[:3]]
        expected = set(item["expect"])
        wanted_tables = frozenset().union(*(reads(name) for name in expected))
        stats = areas[item["area"]]
        stats["n"] += 1
        stats["top1"] += got in expected
        stats["top3"] += bool(expected & set(nearest))
        stats["table"] += bool(reads(got) & wanted_tables)
        if got not in expected:
            misses.append({"q": item["q"], "expected": sorted(expected), "got": got, "top3": nearest,
                           "right_table": bool(reads(got) & wanted_tables)})
    total = {key: sum(stats[key] for stats in areas.values()) for key in ("n", "top1", "top3", "table")}

    def rates(stats: dict[str, int]) -> dict[str, Any]:
        n = max(stats["n"], 1)
        return {"n": stats["n"], "top1": round(stats["top1"] / n, 3), "top3": round(stats["top3"] / n, 3),
                "right_table": round(stats["table"] / n, 3)}

    return {**rates(total), "areas": {area: rates(stats) for area, stats in sorted(areas.items())},
            "misses": misses}


def evaluate_blind(questions: list[dict[str, Any]]) -> dict[str, Any]:
    """How many questions the built-in assistant answers from a system table the question's writer named."""
    tools = build_tools()
    misses = []
    for item in questions:
        chosen = plan(item["question"], tools)
        got = chosen.panels[0] if chosen.panels else chosen.intent
        if not set(item["tables"]) & reads(got):
            misses.append({"q": item["question"], "tables": item["tables"], "got": got, "reads": sorted(reads(got))})
    return {"n": len(questions), "right_table": len(questions) - len(misses), "misses": misses}


def timings(questions: list[str]) -> dict[str, float]:
    """Milliseconds to build the catalog's index (best of 5) and to plan one question (mean)."""
    builds = []
    for _ in range(5):
        start = time.perf_counter()
        build_index()
        builds.append(time.perf_counter() - start)
    tools = build_tools()
    plan(questions[0], tools)
    start = time.perf_counter()
    for question in questions:
        plan(question, tools)
    return {"index_ms": round(min(builds) * 1000, 2),
            "plan_ms": round((time.perf_counter() - start) / len(questions) * 1000, 3)}


def main() -> None:
    """Print the evaluation of the chosen part(s) as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=[*PARTS, "both", "blind"], default="both")
    args = parser.parse_args()
    if args.part == "blind":
        sets = {name: json.loads(path.read_text(encoding="utf-8")) for name, path in BLIND.items()}
        result: dict[str, Any] = {name: evaluate_blind(questions) for name, questions in sets.items()}
        result["timing"] = timings([item["question"] for questions in sets.values() for item in questions])
        print(json.dumps(result, indent=2))
        return
    parts = list(PARTS) if args.part == "both" else [args.part]
    result = {part: evaluate(load(part)) for part in parts}
    result["questions"] = sum(result[part]["n"] for part in parts)
    result["timing"] = timings([item["q"] for part in parts for item in load(part)])
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
