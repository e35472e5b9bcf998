"""Two users behind a trusted proxy header: nothing alice types in chat or the console shows bob's words, another
user's id or the server's environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.appserver import CHROMIUM, CHROMIUM_FLAGS, running_app
from tests.header_proxy import proxy

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium")]
HEADER = "X-Forwarded-User"
PLANTED = "planted-4e1c0f9a7b"
BOB_WORDS = "kumquat-zebra"

# (what alice types, words of the refusal that must appear, as rendered); each is distinct, so each wait is exact.
CHAT = [
    ("SELECT user_id, content FROM default.agent_conversations WHERE kind = 'message'",
     "agent_conversations is the conversation table"),
    ("SELECT content FROM `default`.`agent\\x5fconversations_v2`", "agent_conversations_v2 is the conversation"),
    ("SELECT * FROM merge(currentDatabase(), concat('^agent', '_conv'))", "merge() may only read system tables"),
    ("SELECT user_id FROM MERGE('default', '^agent_conv')", "MERGE() may only read system tables"),
    ("SELECT `fi\\x6ce`('/proc/self/environ')", "function file() reaches outside"),
    ("SELECT * FROM file('/proc/self/environ', 'LineAsString')", "table function file() is not allowed"),
    ("SELECT * FROM `mergeTreeInde\\x78`('default', 'agent_conversations')", "mergeTreeIndex() may only read system"),
    ("SELECT 1 SETTINGS additional_table_filters = {}", "SETTINGS (additional_table_filters)"),
]
CONSOLE = [
    ("SELECT user_id, content FROM `mer\\x67e`('default', '^agent_conv')", "table function merge() is not allowed"),
    ("SELECT * FROM `mergeTreeInde\\x78`('default', 'agent_conversations')",
     "table function mergeTreeIndex() is not allowed"),
    ("SELECT * FROM `sys\\x74em`.query_log", "not system.query_log"),
    ("SELECT * FROM default.some_table", "not default.some_table"),
    ('SELECT content FROM "default"."agent_conversations"', "agent_conversations is the conversation table"),
    ("SELECT `fi\\x6ce`('/proc/self/environ')", "function file() reaches outside"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_app(env={"CHM_TRUSTED_USER_HEADER": HEADER, "PLANTED_SECRET_FOR_TEST": PLANTED}) as base:
        yield base


def test_alice_reaches_nothing_of_bob_nor_the_environment(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p, proxy(server, HEADER, "alice") as alice_url, proxy(server, HEADER, "bob") as bob_url:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        bob = browser.new_context().new_page()
        bob.goto(f"{bob_url}/conversations")  # a fresh server's first visit: the router frame, as the app serves it
        expect(bob.get_by_placeholder("a word from the conversation")).to_be_visible(timeout=60_000)
        bob.goto(f"{bob_url}/chat")
        expect(bob.get_by_text("saved in the conversation store").first).to_be_visible(timeout=60_000)
        box = bob.get_by_test_id("stChatInputTextArea")
        box.fill(f"what happened in the {BOB_WORDS} incident?")
        box.press("Enter")
        expect(bob.get_by_text("found no panel", exact=False).first).to_be_visible(timeout=60_000)
        bob.wait_for_function("() => window.location.search.includes('thread=')", timeout=30_000)

        alice = browser.new_context().new_page()
        alice.goto(f"{alice_url}/chat")
        expect(alice.get_by_text("saved in the conversation store").first).to_be_visible(timeout=60_000)
        for sql, reason in CHAT:
            box = alice.get_by_test_id("stChatInputTextArea")
            box.fill(f"```sql\n{sql}\n```")
            box.press("Enter")
            expect(alice.get_by_text(reason, exact=False).first).to_be_visible(timeout=60_000)
        shown = alice.locator("body").inner_text()
        assert BOB_WORDS not in shown and PLANTED not in shown and "bob" not in shown

        alice.goto(f"{alice_url}/history-analytics")
        editor = alice.get_by_label("SQL", exact=True)
        expect(editor).to_be_visible(timeout=60_000)
        for sql, reason in CONSOLE:
            editor.fill(sql)
            alice.get_by_role("button", name="Run", exact=True).click()
            expect(alice.get_by_text(reason, exact=False).first).to_be_visible(timeout=60_000)
            shown = alice.locator("body").inner_text()
            assert BOB_WORDS not in shown and PLANTED not in shown and "bob" not in shown, sql
        browser.close()
