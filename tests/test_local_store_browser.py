"""The `local` store in headless Chromium: chat, reload, history still there; clear site data, gone."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from chstore import ValidationError
from history.local import COMPONENT_DIR, _check_key
from tests.appserver import CHROMIUM, CHROMIUM_FLAGS, ROOT, running_app

FLAGS = CHROMIUM_FLAGS
STORAGE_KEY = "chmonitor:history:browser-test"


def test_component_files_and_keys() -> None:
    html = (COMPONENT_DIR / "index.html").read_text(encoding="utf-8")
    assert "localStorage" in html and "streamlit:componentReady" in html and "streamlit:setComponentValue" in html
    assert _check_key("chat:thread-1") == "chat:thread-1"
    for bad in ("", "has space", "x" * 129, "slash/no"):
        with pytest.raises(ValidationError):
            _check_key(bad)


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with running_app(str(ROOT / "tests" / "local_app.py"), env={"PYTHONPATH": str(ROOT)}) as url:
        yield url


def _ask(page, question: str) -> None:
    box = page.get_by_placeholder("Ask")
    box.fill(question)
    box.press("Enter")
    page.get_by_text(f"echo: {question}").wait_for(timeout=30_000)


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Debian chromium (apt-get install chromium)")
def test_history_survives_reload_and_goes_with_site_data(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            context = browser.new_context()
            page = context.new_page()
            page.goto(app_url)
            page.get_by_text("0 messages kept in this browser").wait_for(timeout=60_000)
            _ask(page, "what is running now?")
            _ask(page, "and merges?")
            page.get_by_text("4 messages kept in this browser").wait_for(timeout=30_000)
            stored = page.wait_for_function(f"() => localStorage.getItem({STORAGE_KEY!r})", timeout=30_000)
            assert "and merges?" in stored.json_value()

            page.reload()
            page.get_by_text("4 messages kept in this browser").wait_for(timeout=60_000)
            assert page.get_by_text("echo: what is running now?").is_visible()
            assert page.get_by_text("echo: and merges?").is_visible()

            other = browser.new_context()  # another browser profile: nothing stored there
            fresh = other.new_page()
            fresh.goto(app_url)
            fresh.get_by_text("0 messages kept in this browser").wait_for(timeout=60_000)
            assert fresh.get_by_text("echo: what is running now?").count() == 0
            other.close()

            page.evaluate("() => localStorage.clear()")  # clear site data
            page.reload()
            page.get_by_text("0 messages kept in this browser").wait_for(timeout=60_000)
            assert page.get_by_text("echo: and merges?").count() == 0
            context.close()
        finally:
            browser.close()
