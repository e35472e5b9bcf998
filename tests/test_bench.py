"""The store benchmark runs end to end (small sizes) and reports every figure the issue asks for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_store_bench_small_run(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "bench/store_bench.py", "--threads", "300", "--users", "3", "--runs", "3", "--turns", "8",
         "--growth-samples", "1", "--data-dir", str(tmp_path / "engine")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    keys = ("select1_ms", "get_ms", "list_ms", "list_next_page_ms", "append_ms", "delete_ms", "append_turn1_ms",
            "append_turn8_ms")
    for key in keys:
        assert isinstance(report[key], float) and report[key] > 0, key
    assert report["threads"] == 300 and report["messages_per_thread"] == 20
    assert set(report["meets_targets"]) == {"get", "list", "append", "append_growth"}


def test_load_bench_small_run() -> None:
    result = subprocess.run(
        [sys.executable, "bench/load_bench.py", "--sessions", "2", "--seconds", "10", "--chat-every", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["requests"] >= 4 and report["chat_turns"] >= 1
    assert report["errors"] == 0, report["error_samples"]
    assert report["p95_s"] > 0 and report["server_rss_peak_mb"] > 0
    assert {"view", "requests", "mean_s", "max_s"} <= set(report["slowest_views"][0])


def test_assistant_eval_meets_its_targets() -> None:
    result = subprocess.run([sys.executable, "bench/assistant_eval.py"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["questions"] >= 80
    held = report["held_aside"]
    assert held["n"] >= 30 and held["top1"] >= 0.9, held["misses"]
    assert round(held["right_table"] * held["n"]) >= 26
    areas = {"overview", "queries", "tables", "merges", "replication", "logs", "system", "health"}
    assert set(held["areas"]) == set(report["tuning"]["areas"]) == areas


def test_assistant_eval_scores_the_blind_questions() -> None:
    result = subprocess.run([sys.executable, "bench/assistant_eval.py", "--part", "blind"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    for name in ("blind", "blind2", "blind3"):
        blind = report[name]
        assert blind["n"] == 30 and blind["right_table"] == 30 - len(blind["misses"])
        assert all({"q", "tables", "got", "reads"} <= set(miss) for miss in blind["misses"])
    assert report["timing"]["index_ms"] > 0 and report["timing"]["plan_ms"] > 0


def test_catalog_phrases_do_not_copy_eval_questions() -> None:
    from assistant.search import stems
    from dashboard.catalog import PANELS
    from dashboard.catalog_health import HEALTH_PHRASES

    phrases = [p for panel in PANELS.values() for p in panel.phrases] + list(HEALTH_PHRASES)
    copied = []
    for name in ("assistant_eval_questions.json", "assistant_eval_heldout.json", "assistant_eval_fresh.json",
                 "assistant_eval_fresh2.json", "assistant_eval_fresh3.json"):
        for item in json.loads((ROOT / "bench" / name).read_text(encoding="utf-8")):
            question = item.get("q") or item["question"]
            words = stems(question)
            copied += [(question, p) for p in phrases if len(words) >= 2 and stems(p) == words]
    assert copied == []


def test_fair_share_bench_small_run() -> None:
    result = subprocess.run(
        [sys.executable, "bench/fair_share_bench.py", "--slow", "2", "--clients", "1", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    one, two = report["runs"]["clients_1"], report["runs"]["clients_2"]
    assert one["page_during_slow_query_s"] > one["page_quiet_s"] and one["slow_query_s"] >= 2
    assert two["page_during_slow_query_s"] > 0 and isinstance(report["meets_target"], bool)


def test_down_host_bench_times_every_page() -> None:
    result = subprocess.run([sys.executable, "bench/down_host_bench.py"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["pages"] >= 40 and report["pages_with_one_banner"] >= report["pages"] - 2
    assert report["max_s"] > 0 and isinstance(report["meets_target"], bool)
