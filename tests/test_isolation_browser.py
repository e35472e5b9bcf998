"""Two users behind an authenticating proxy: neither can reach the other's conversations by any page or URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.appserver import CHROMIUM, CHROMIUM_FLAGS, running_app
from tests.header_proxy import proxy

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium")]
HEADER = "X-Forwarded-User"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_app(env={"CHM_TRUSTED_USER_HEADER": HEADER, "CHM_ADMIN_USERS": "carol"}) as base:
        yield base


def test_users_cannot_reach_each_others_conversations(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p, ExitStack() as proxies:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        # Each user reaches the app through a proxy that sets the header on every request, the websocket included
        # (Chromium does not add Playwright's extra headers to the websocket handshake Streamlit reads them from).
        base = {name: proxies.enter_context(proxy(server, HEADER, name)) for name in ("alice", "bob", "carol")}

        def new_page():  # noqa: ANN202
            return browser.new_context().new_page()

        alice = new_page()
        alice.goto(f"{base['alice']}/chat")
        expect(alice.get_by_text("saved in the conversation store").first).to_be_visible(timeout=60_000)
        box = alice.get_by_test_id("stChatInputTextArea")
        box.fill("columns of table system.one")
        box.press("Enter")
        expect(alice.get_by_text("1 columns", exact=False).first).to_be_visible(timeout=60_000)
        alice.wait_for_function("() => window.location.search.includes('thread=')", timeout=30_000)
        thread_id = parse_qs(urlparse(alice.url).query)["thread"][0]

        alice.goto(f"{base['alice']}/conversations")
        link = alice.get_by_role("link", name="Export all matching")
        expect(link).to_be_visible(timeout=60_000)
        href = link.get_attribute("href")
        assert "columns of table system.one" in alice.request.get(f"{base['alice']}{href}").text()

        bob = new_page()
        stolen = bob.request.get(f"{base['bob']}{href}")  # alice's export link, fetched as bob: refused, nothing leaks
        assert stolen.status == 403 and "another user" in stolen.text()
        assert "system.one" not in stolen.text()
        bob.goto(f"{base['bob']}/chat?thread={thread_id}")
        expect(bob.get_by_text("does not exist", exact=False).first).to_be_visible(timeout=60_000)
        assert bob.get_by_text("1 columns", exact=False).count() == 0
        bob.goto(f"{base['bob']}/conversations?open={thread_id}&owner=alice")
        expect(bob.get_by_text("does not exist", exact=False).first).to_be_visible(timeout=60_000)
        assert bob.get_by_text("columns of table system.one").count() == 0
        bob.goto(f"{base['bob']}/conversations")
        search = bob.get_by_placeholder("a word from the conversation")
        expect(search).to_be_visible(timeout=60_000)
        search.fill("system.one")
        search.press("Enter")
        expect(bob.get_by_text("No conversations", exact=False).first).to_be_visible(timeout=60_000)

        nobody = new_page()
        nobody.goto(f"{server}/chat?thread={thread_id}")
        expect(nobody.get_by_text("kept in this browser (local store)").first).to_be_visible(timeout=60_000)
        assert nobody.get_by_text("1 columns", exact=False).count() == 0

        carol = new_page()  # an admin may open any user's conversation
        carol.goto(f"{base['carol']}/conversations?open={thread_id}&owner=alice")
        expect(carol.get_by_text("columns of table system.one").first).to_be_visible(timeout=60_000)

        alice.goto(f"{base['alice']}/chat?thread={thread_id}")
        expect(alice.get_by_text("1 columns", exact=False).first).to_be_visible(timeout=60_000)
        browser.close()
