"""Load benchmark: N simulated sessions browse pages and chat against one running app; prints JSON.

Each session speaks Streamlit's own websocket protocol (the messages a browser sends), so the server does exactly
the work a browser session causes, without the cost of N browsers on the same two cores.

    python bench/load_bench.py                       # 20 sessions for 60 s against a fresh app on the embedded engine
    python bench/load_bench.py --sessions 5 --seconds 10
    python bench/load_bench.py --think 0              # back-to-back requests: a stress figure, not a user model

Target: zero errors and p95 under 2 s at 20 sessions on the embedded engine.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
FINISHED_OK = (0, 3)  # FINISHED_SUCCESSFULLY, FINISHED_FRAGMENT_RUN_SUCCESSFULLY
QUESTIONS = ["what is running now?", "which tables are biggest?", "are there failed queries today?",
             "how much disk is free?", "slowest queries in the last 2 hours"]


@dataclass
class Stats:
    """Latencies (seconds) and errors gathered by all sessions."""

    latencies: list[float] = field(default_factory=list)
    by_view: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    chats: int = 0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MiB (0 when unknown)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Session:
    """One simulated browser tab."""

    def __init__(self, url: str, stats: Stats) -> None:
        self.url, self.stats = url, stats
        self.ws: websockets.ClientConnection | None = None
        self.pages: dict[str, str] = {}
        self.chat_input_id = ""

    async def open(self) -> None:
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=30)

    async def run(self, page_hash: str = "", page_name: str = "", widget: tuple[str, str] | None = None) -> None:
        """Send one rerun (a page view or a chat message) and wait for the script to finish."""
        view = next((path for path, known in self.pages.items() if known == page_hash), page_name or "?")
        view += " (question)" if widget else ""
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = page_hash
        msg.rerun_script.page_name = page_name
        if widget:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = widget[0]
            state.chat_input_value.data = widget[1]
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=120)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                self.pages.update({p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages})
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    self.stats.errors.append(f"{page_name or page_hash}: {element.exception.message[:200]}")
                elif which == "chat_input":
                    self.chat_input_id = element.chat_input.id
            elif kind == "script_finished" and fwd.script_finished in FINISHED_OK:
                break
        elapsed = time.perf_counter() - started
        self.stats.latencies.append(elapsed)
        self.stats.by_view.setdefault(view, []).append(elapsed)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def session_loop(url: str, stats: Stats, deadline: float, offset: int, chat_every: int, think: float) -> None:
    """Browse pages round-robin (starting at `offset`), ask a question every `chat_every` views, pause `think` s."""
    session = Session(url, stats)
    try:
        await session.open()
        await session.run(page_name="home")
        order = sorted(p for p in session.pages if p not in ("chat",))
        views = itertools.count()
        while time.monotonic() < deadline:
            if think:
                await asyncio.sleep(think * (0.5 + ((offset * 7919 + len(stats.latencies)) % 100) / 100))
            n = next(views)
            if chat_every and n % chat_every == chat_every - 1 and "chat" in session.pages:
                await session.run(page_hash=session.pages["chat"])
                if session.chat_input_id:
                    question = QUESTIONS[(n + offset) % len(QUESTIONS)]
                    await session.run(page_hash=session.pages["chat"], widget=(session.chat_input_id, question))
                    stats.chats += 1
                continue
            path = order[(n + offset) % len(order)]
            await session.run(page_hash=session.pages[path])
    except Exception as exc:  # a dropped socket or a timeout is an error of the run, not of the bench
        stats.errors.append(f"session {offset}: {type(exc).__name__}: {exc}")
    finally:
        await session.close()


def start_app(port: int, data_dir: str) -> subprocess.Popen:
    """Start `streamlit run server.py` (the app as `make run` serves it) on the embedded engine; wait until healthy."""
    env = {**os.environ, "CHM_DATA_DIR": data_dir}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.enableXsrfProtection", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the app did not become healthy within 60 s")


def slowest_views(by_view: dict[str, list[float]], top: int = 5) -> list[dict[str, object]]:
    """The views with the highest mean latency: where the time goes (a question, a cold page...)."""
    rows = [{"view": view, "requests": len(times), "mean_s": round(statistics.fmean(times), 3),
             "max_s": round(max(times), 3)} for view, times in by_view.items()]
    return sorted(rows, key=lambda row: -row["mean_s"])[:top]


async def drive(url: str, sessions: int, seconds: float, chat_every: int, think: float,
                pid: int | None) -> dict[str, object]:
    stats = Stats()
    deadline = time.monotonic() + seconds
    peak = 0.0

    async def sample() -> None:
        nonlocal peak
        while time.monotonic() < deadline:
            if pid:
                peak = max(peak, rss_mb(pid))
            await asyncio.sleep(1)

    started = time.monotonic()
    await asyncio.gather(sample(), *(session_loop(url, stats, deadline, i, chat_every, think) for i in range(sessions)))
    elapsed = time.monotonic() - started
    lat = sorted(stats.latencies)
    pct = (lambda q: round(lat[min(len(lat) - 1, int(q * len(lat)))], 3)) if lat else (lambda q: None)
    return {
        "sessions": sessions,
        "think_s": think,
        "seconds": round(elapsed, 1),
        "requests": len(lat),
        "chat_turns": stats.chats,
        "errors": len(stats.errors),
        "error_samples": stats.errors[:5],
        "p50_s": pct(0.50),
        "p95_s": pct(0.95),
        "max_s": round(lat[-1], 3) if lat else None,
        "mean_s": round(statistics.fmean(lat), 3) if lat else None,
        "server_rss_peak_mb": round(peak, 1),
        "slowest_views": slowest_views(stats.by_view),
        "target": {"errors": 0, "p95_s": 2.0},
        "meets_target": bool(lat) and not stats.errors and pct(0.95) <= 2.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--chat-every", type=int, default=5, help="one chat question every N page views (0: none)")
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean pause between a session's actions, like a person reading (0: back to back)")
    parser.add_argument("--url", default="", help="an already running app (ws URL base, e.g. ws://host:8501)")
    args = parser.parse_args(argv)
    proc = None
    if args.url:
        url = args.url.rstrip("/") + "/_stcore/stream"
    else:
        port = free_port()
        proc = start_app(port, tempfile.mkdtemp(prefix="chm-load-"))
        url = f"ws://127.0.0.1:{port}/_stcore/stream"
    try:
        report = asyncio.run(drive(url, args.sessions, args.seconds, args.chat_every, args.think,
                                   proc.pid if proc else None))
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
