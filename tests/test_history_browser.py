"""The Conversations page in headless Chromium: find a conversation by a word, export the match, open, export it,
delete, see it gone. Exports download through the streamed route of `server.py`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.appserver import CHROMIUM, CHROMIUM_FLAGS, running_app

ROOT = Path(__file__).resolve().parent.parent
FLAGS = CHROMIUM_FLAGS
WORD = f"narwhal{uuid.uuid4().hex[:6]}"
SEED = """
import sys
from chstore import Message, open_store
from config import load_settings
settings = load_settings()
store = open_store(settings)
user = settings.app.local_user
for n in range(3):
    tid = store.create_thread(user)
    store.append(user, tid, [Message(role="user", content=f"ordinary question {n}"),
                             Message(role="assistant", content="ordinary answer", metadata={"model": "built-in"})])
tid = store.create_thread(user)
store.append(user, tid, [
    Message(role="user", content="which tables are biggest?"),
    Message(role="tool", name="biggest_tables", content='{"columns": ["table"], "rows": [["hits"]]}',
            metadata={"sql": "SELECT 'hits' AS table", "duration_ms": 3.0, "rows": 1, "error": ""}),
    Message(role="assistant", content="The biggest table talks about " + sys.argv[1] + ".",
            metadata={"model": "built-in"}),
])
"""

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Debian chromium")]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """Seed an engine directory in a process that exits, then serve the app on it; yields the base URL."""
    data_dir = tempfile.mkdtemp(prefix="chm-history-browser-")
    env = {**os.environ, "CHM_DATA_DIR": data_dir, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", SEED, WORD], cwd=ROOT, env=env, check=True, timeout=120)
    with running_app(data_dir=data_dir) as base:
        yield base


def test_find_open_export_delete(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(accept_downloads=True)
        page.set_default_timeout(60_000)
        expect.set_options(timeout=60_000)
        page.goto(f"{server}/conversations")  # the first visit to a fresh server, straight to this page
        expect(page.get_by_text("Time range", exact=True)).to_be_visible()  # app.py's frame ran, not pages/ alone
        expect(page.get_by_test_id("stSidebarNav").get_by_text("Home", exact=True)).to_be_visible()
        search = page.get_by_label("Search titles and messages")
        search.fill(WORD)
        search.press("Enter")
        row = page.get_by_role("button", name="which tables are biggest?")
        expect(row).to_have_count(1)
        expect(page.get_by_role("button", name="ordinary question 0")).to_have_count(0)
        with page.expect_download() as info:  # the search travels in the signed link: only the match is exported
            page.get_by_role("link", name="Export all matching").click()
        assert info.value.suggested_filename == "conversations.jsonl"
        found = [json.loads(line) for line in Path(info.value.path()).read_text(encoding="utf-8").splitlines()]
        assert [r["title"] for r in found] == ["which tables are biggest?"]

        row.click()
        expect(page.get_by_text(f"The biggest table talks about {WORD}.")).to_be_visible()
        expect(page.get_by_text("biggest_tables", exact=False).first).to_be_visible()
        opened = page.url.split("open=")[1].split("&")[0]
        expect(page.get_by_role("link", name="Continue in the assistant")).to_have_attribute(
            "href", f"chat?thread={opened}")

        export_one = page.get_by_role("link", name="Export this conversation")
        expect(export_one).to_have_attribute("href", re.compile(r"^/export\?token="))  # the streamed route
        with page.expect_download() as info:
            export_one.click()
        assert info.value.suggested_filename == "which-tables-are-biggest.jsonl"
        target = tmp_path / "export.jsonl"
        info.value.save_as(target)
        record = json.loads(target.read_text(encoding="utf-8").strip())
        assert record["title"] == "which tables are biggest?"
        assert any(WORD in m["content"] for m in record["messages"])

        page.get_by_text("Rename or delete").click()
        page.get_by_role("button", name="Delete…").click()
        page.get_by_role("button", name="Yes, delete").click()
        expect(page.get_by_label("Search titles and messages")).to_be_visible()
        search = page.get_by_label("Search titles and messages")
        search.fill(WORD)
        search.press("Enter")
        expect(page.get_by_text("No conversations match.")).to_be_visible()
        expect(page.get_by_role("button", name="which tables are biggest?")).to_have_count(0)
        search.fill("ordinary")
        search.press("Enter")
        expect(page.get_by_role("button", name="ordinary question 0")).to_have_count(1)
        browser.close()
