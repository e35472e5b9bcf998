"""Faults at page level: ClickHouse unreachable at start and mid-session; every page says so clearly, fails fast,
and recovers by itself when the server is back."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.frame import NAVIGATION
from dashboard.render import clear_results
from tests import apptest
from tests.chserver import ServerProcess

SCRIPTS = [item.script for items in NAVIGATION.values() for item in items]
RETRY = 1.5


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("faults"))  # not started: the host is down at first
    yield process
    process.stop()


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, server: ServerProcess, fresh_caches: None) -> None:
    monkeypatch.setenv("CLICKHOUSE_HOST", server.url)
    monkeypatch.setenv("CHM_RETRY_AFTER", str(RETRY))


def app() -> AppTest:
    return apptest.app(timeout=120).run()


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def banners(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "is not answering" in w.value]


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll `condition` until it holds (state, not a fixed sleep); fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_every_page_shows_one_banner_for_an_unreachable_server_quickly(server: ServerProcess) -> None:
    at = app()
    assert not at.exception
    assert len(banners(at)) == 1, [w.value for w in at.warning]
    assert "connection refused" in banners(at)[0] and "retrying in" in banners(at)[0]
    assert server.url.split("//")[1] in banners(at)[0] or "127.0.0.1" in banners(at)[0]
    for script in SCRIPTS:
        started = time.monotonic()
        apptest.open_page(at, script)
        at.run()
        took = time.monotonic() - started
        assert not at.exception, (script, [e.message for e in at.exception])
        text = errors(at) + "\n".join(w.value for w in at.warning) + "\n".join(c.value for c in at.caption)
        assert "HTTPConnectionPool" not in text and "Max retries" not in text, script
        if script not in ("pages/conversations.py", "pages/history_analytics.py"):  # history needs no ClickHouse here
            assert len(banners(at)) == 1, (script, [w.value for w in at.warning])
        assert took < 10.0, f"{script} took {took:.2f} s with the host down (it waited on the dead host)"


def test_pages_recover_when_the_server_comes_back_and_after_it_drops(server: ServerProcess) -> None:
    at = app()
    assert banners(at)
    server.start()
    wait_until(lambda: not banners(at.run()) and any(m.label == "Version" for m in at.metric))
    assert not at.error, errors(at)
    apptest.open_page(at, "pages/overview.py")
    at.run()
    assert not at.exception and not at.error and not banners(at), errors(at)

    server.stop()  # mid-session: the cached connection now meets a dead host
    clear_results()  # the panel results expire
    at.run()
    assert not at.exception
    assert len(banners(at)) == 1 and not at.error, (errors(at), [w.value for w in at.warning])

    server.start()
    clear_results()
    wait_until(lambda: not banners(at.run()))
    assert not at.exception and not at.error, errors(at)
