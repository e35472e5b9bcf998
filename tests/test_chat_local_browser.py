"""With persistence off the chat keeps history in the browser's localStorage: it survives a reload, not a new profile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.appserver import CHROMIUM, CHROMIUM_FLAGS, running_app

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium")]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_app(env={"AGENT_CONVERSATION_PERSISTENCE": "false"}) as base:
        yield base


def test_local_history_survives_reload(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{server}/chat")
        expect(page.get_by_text("kept in this browser (local store)").first).to_be_visible(timeout=60_000)
        box = page.get_by_test_id("stChatInputTextArea")
        expect(box).to_be_visible(timeout=60_000)
        box.fill("columns of table system.one")
        box.press("Enter")
        expect(page.get_by_text("1 columns", exact=False).first).to_be_visible(timeout=60_000)
        page.wait_for_function("() => window.location.search.includes('thread=')", timeout=30_000)
        page.wait_for_function(
            "() => Object.keys(localStorage).some(k => k.includes('chat-threads')"
            " && localStorage.getItem(k).includes('system.one'))", timeout=30_000,
        )
        thread_url = page.url

        page.reload()
        expect(page.get_by_text("1 columns", exact=False).first).to_be_visible(timeout=60_000)
        again = context.new_page()
        again.goto(f"{server}/chat")
        expect(again.get_by_role("button", name="columns of table system.one")).to_be_visible(timeout=60_000)

        stranger = browser.new_context().new_page()
        stranger.goto(thread_url)
        expect(stranger.get_by_text("kept in this browser (local store)").first).to_be_visible(timeout=60_000)
        expect(stranger.get_by_text("does not exist", exact=False).first).to_be_visible(timeout=60_000)
        assert stranger.get_by_text("1 columns", exact=False).count() == 0
        browser.close()
