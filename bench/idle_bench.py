"""Idle benchmark: what a started app costs at rest (no browser open); prints JSON.

Starts the app as `make run` does (`streamlit run server.py`) on a fresh embedded engine, waits until it is healthy,
opens one session on Home so the engine starts (then closes it), lets it settle, and then samples for `--seconds`:
CPU of the app process as % of one core, its RSS, and the size of the data directory, extrapolated per hour and day.

    python bench/idle_bench.py                   # 60 s idle after a 15 s settle
    python bench/idle_bench.py --seconds 20 --settle 5

Target: at most 2 % of a core at rest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_bench import Session, Stats, free_port, rss_mb, start_app  # noqa: E402

TARGET_CPU_PERCENT = 2.0
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far, in seconds (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def dir_bytes(path: Path) -> int:
    """Bytes of all files under `path` (files vanishing during the walk, as merged parts do, are skipped)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except FileNotFoundError:
                continue
    return total


async def open_home(url: str) -> None:
    """One session renders Home (which opens the engine) and leaves."""
    stats = Stats()
    session = Session(url, stats)
    await session.open()
    try:
        await session.run(page_name="home")
    finally:
        await session.close()
    if stats.errors:
        raise RuntimeError(f"Home failed: {stats.errors[0]}")


def measure(pid: int, data_dir: Path, seconds: float, every: float = 5.0) -> dict[str, object]:
    """Sample CPU, RSS and data size every `every` s for `seconds`; the figures of that window."""
    start_cpu, start_wall, start_size = cpu_seconds(pid), time.monotonic(), dir_bytes(data_dir)
    rss, sizes, slices = [rss_mb(pid)], [start_size], []
    last_cpu, last_wall = start_cpu, start_wall
    while time.monotonic() - start_wall < seconds:
        time.sleep(min(every, max(0.0, seconds - (time.monotonic() - start_wall))))
        cpu, wall = cpu_seconds(pid), time.monotonic()
        slices.append(100 * (cpu - last_cpu) / (wall - last_wall))
        last_cpu, last_wall = cpu, wall
        rss.append(rss_mb(pid))
        sizes.append(dir_bytes(data_dir))
    elapsed = last_wall - start_wall
    growth = sizes[-1] - start_size
    cpu_percent = 100 * (last_cpu - start_cpu) / elapsed
    return {
        "seconds": round(elapsed, 1),
        "cpu_percent_of_core": round(cpu_percent, 2),
        "cpu_percent_slices": {"min": round(min(slices), 2), "median": round(statistics.median(slices), 2),
                               "max": round(max(slices), 2), "every_s": every},
        "rss_mb": {"min": round(min(rss), 1), "max": round(max(rss), 1)},
        "data_mb": {"start": round(start_size / 2**20, 1), "min": round(min(sizes) / 2**20, 1),
                    "max": round(max(sizes) / 2**20, 1), "end": round(sizes[-1] / 2**20, 1)},
        "growth_mb_per_hour": round(growth / elapsed * 3600 / 2**20, 1),
        "growth_mb_per_day": round(growth / elapsed * 86400 / 2**20, 1),
        "target": {"cpu_percent_of_core": TARGET_CPU_PERCENT},
        "meets_target": cpu_percent <= TARGET_CPU_PERCENT,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="length of the idle window measured")
    parser.add_argument("--settle", type=float, default=15, help="seconds between the engine's start and the window")
    args = parser.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="chm-idle-"))
    port = free_port()
    proc = start_app(port, str(data_dir))
    try:
        asyncio.run(open_home(f"ws://127.0.0.1:{port}/_stcore/stream"))
        time.sleep(args.settle)
        report = {"settle_s": args.settle, **measure(proc.pid, data_dir, args.seconds)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
