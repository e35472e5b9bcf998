"""The running app in headless Chromium: every page opens without an exception element."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.frame import NAVIGATION

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
URL_PATHS = [item.url_path for items in NAVIGATION.values() for item in items]

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Debian chromium")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`streamlit run app.py` on a free port with its own engine directory; yields the base URL."""
    port = _free_port()
    env = {**os.environ, "CHM_DATA_DIR": tempfile.mkdtemp(prefix="chm-browser-")}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_every_page_opens_without_exception(server: str) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    failures: dict[str, str] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        for path in URL_PATHS:
            page.goto(f"{server}/{path}")
            try:
                page.get_by_text("Time range", exact=True).wait_for(timeout=30_000)  # the app's frame ran
                page.wait_for_selector("[data-testid=stAppViewContainer] [data-testid=stElementContainer]", timeout=30_000)
                page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')",
                                       timeout=30_000)
            except PlaywrightTimeout:
                failures[path] = "page did not render inside the app's frame in 30 s"
                continue
            exceptions = page.locator("[data-testid=stException]")
            if exceptions.count():
                failures[path] = exceptions.first.inner_text()[:300]
        browser.close()
    assert failures == {}
