"""The chat page in headless Chromium: ask, see the answer and its table, reload by ?thread= and get the history back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="chm-browser-")
    env = {**os.environ, "CHM_DATA_DIR": data_dir, "CHM_ENV": "test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.terminate()
        pytest.fail("streamlit did not become healthy")
    yield base
    process.terminate()
    process.wait(timeout=20)


def test_ask_then_reload_by_thread(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(f"{server}/chat")
        box = page.get_by_test_id("stChatInputTextArea")
        expect(box).to_be_visible(timeout=60_000)
        box.fill("columns of table system.one")
        box.press("Enter")
        expect(page.get_by_text("1 columns", exact=False).first).to_be_visible(timeout=60_000)
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=30_000)
        page.wait_for_function("() => window.location.search.includes('thread=')", timeout=30_000)
        thread_id = parse_qs(urlparse(page.url).query)["thread"][0]

        fresh = browser.new_context().new_page()
        fresh.goto(f"{server}/chat?thread={thread_id}")
        expect(fresh.get_by_text("columns of table system.one").first).to_be_visible(timeout=60_000)
        expect(fresh.get_by_text("1 columns", exact=False).first).to_be_visible(timeout=30_000)
        expect(fresh.get_by_test_id("stDataFrame").first).to_be_visible(timeout=30_000)
        browser.close()
