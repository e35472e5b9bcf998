"""The chat page in headless Chromium: ask, see the answer and its table, reload by ?thread= and get the history back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.appserver import CHROMIUM, CHROMIUM_FLAGS, running_app

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium")]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_app() as base:
        yield base


def test_ask_then_reload_by_thread(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(f"{server}/chat")  # the first visit to a fresh server, straight to a page: the frame must run
        expect(page.get_by_text("Time range", exact=True)).to_be_visible(timeout=60_000)
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
