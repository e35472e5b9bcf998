"""Run the app (or another Streamlit script) as a real server for browser tests, and the Chromium settings."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.chserver import free_port

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
"""Streamlit's own state attribute: the script of the page has finished its run (no rerun pending)."""
STATE_WAIT_MS = 180_000
"""Upper bound for a wait on the app's state: the waits end when the state is reached, this only stops a hang."""


def wait_for_app(page: Any, timeout: float = STATE_WAIT_MS) -> None:
    """Wait until a page ran inside the app's frame and its script finished (a Playwright `Page`)."""
    page.get_by_text("Time range", exact=True).wait_for(timeout=timeout)
    page.locator(APP_IDLE).wait_for(timeout=timeout)


@contextmanager
def running_app(script: str = "server.py", env: dict[str, str] | None = None,
                data_dir: str | None = None) -> Iterator[str]:
    """Start `streamlit run script` (by default the app as `make run` serves it) on a free port with its own engine
    directory; yields the base URL."""
    with serving(script, env, data_dir) as (base, _):
        yield base


@contextmanager
def serving(script: str = "server.py", env: dict[str, str] | None = None,
            data_dir: str | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """`running_app` that also yields the server process (its pid is the server: Streamlit does not fork)."""
    port = free_port()
    environment = {**os.environ, "CHM_DATA_DIR": data_dir or tempfile.mkdtemp(prefix="chm-app-"), "CHM_ENV": "test",
                   **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit {script} did not become healthy") from None
                time.sleep(0.3)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
