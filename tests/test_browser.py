"""The running app in headless Chromium: every page opens without an exception element."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from dashboard.frame import NAVIGATION
from tests.appserver import CHROMIUM, CHROMIUM_FLAGS, STATE_WAIT_MS, running_app, wait_for_app

FLAGS = CHROMIUM_FLAGS
URL_PATHS = [item.url_path for items in NAVIGATION.values() for item in items]

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Debian chromium")]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The app as `make run` serves it, on a free port with its own engine directory; yields the base URL."""
    with running_app() as base:
        yield base


def test_every_page_opens_without_exception(server: str) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    failures: dict[str, str] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.set_default_timeout(STATE_WAIT_MS)
        for path in URL_PATHS:
            page.goto(f"{server}/{path}")
            try:
                wait_for_app(page)
                page.wait_for_selector("[data-testid=stAppViewContainer] [data-testid=stElementContainer]")
            except PlaywrightTimeout:
                failures[path] = "page did not finish inside the app's frame"
                continue
            exceptions = page.locator("[data-testid=stException]")
            if exceptions.count():
                failures[path] = exceptions.first.inner_text()[:300]
        browser.close()
    assert failures == {}


def test_a_panel_table_downloads_as_csv(server: str, tmp_path) -> None:  # noqa: ANN001
    """The CSV is made when the button is clicked (deferred), and holds the rows the table shows."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(accept_downloads=True)
        page.set_default_timeout(STATE_WAIT_MS)
        page.goto(f"{server}/databases")
        wait_for_app(page)  # a click during a rerun would land on a button about to be replaced
        button = page.get_by_test_id("stDownloadButton").get_by_role("button", name="CSV")
        expect(button).to_be_enabled(timeout=STATE_WAIT_MS)
        with page.expect_download(timeout=STATE_WAIT_MS) as info:
            button.click()
        assert info.value.suggested_filename == "databases.csv"
        target = tmp_path / "databases.csv"
        info.value.save_as(target)
        lines = target.read_text(encoding="utf-8").splitlines()
        browser.close()
    assert lines[0] == "database,engine,tables,rows,bytes_on_disk,active_parts"
    assert any(line.startswith("system,") for line in lines[1:])


def test_home_has_material_icons_and_no_deploy_button(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.set_default_timeout(STATE_WAIT_MS)
        page.goto(f"{server}/home")
        wait_for_app(page)
        expect(page.get_by_text("Key figures", exact=True)).to_be_visible()
        nav_links = page.locator("[data-testid=stSidebarNavLink]").count()
        nav_icons = page.locator("[data-testid=stSidebarNavLink] [data-testid=stIconMaterial]").count()
        deploy = page.get_by_role("button", name="Deploy").count()
        browser.close()
    assert nav_links >= 5 and nav_icons == nav_links  # every menu entry shown carries a Material icon
    assert deploy == 0


TITLES = {item.title for items in NAVIGATION.values() for item in items}


@pytest.mark.parametrize(("path", "title"), [("overview", "Overview"), ("queries-running", "Running queries")])
def test_a_fresh_servers_first_visit_to_a_page_runs_it_in_the_frame(path: str, title: str) -> None:
    """The very first visit of a new server process goes straight to a page (a shared link): the page runs inside
    app.py's frame with the app's menu, not Streamlit's legacy `pages/` mode (which ran `overview.py` without the
    frame and answered `/queries-running` with "Page not found")."""
    from playwright.sync_api import sync_playwright

    with running_app() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.set_default_timeout(STATE_WAIT_MS)
        page.goto(f"{base}/{path}")
        wait_for_app(page)
        headings = page.locator("[data-testid=stAppViewContainer] h2").all_inner_texts()
        not_found = page.get_by_text("Page not found").count()
        links = page.locator("[data-testid=stSidebarNavLink]")
        menu = [text.split("\n")[-1] for text in links.all_inner_texts()]  # each is the icon's name, then the title
        browser.close()
    assert title in headings
    assert not_found == 0
    assert menu and set(menu) <= TITLES, menu  # the legacy menu would list file names: "app", "async inserts", …
