"""The entry script and home page under AppTest: real engine, unreachable server, bad settings."""

from __future__ import annotations

import ast

import pytest
from streamlit.testing.v1 import AppTest

from tests import apptest

pytestmark = pytest.mark.usefixtures("fresh_caches")


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [i.value for i in at.info]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def test_home_shows_engine_version_and_store() -> None:
    at = apptest.app().run()
    assert not at.exception, at.exception
    body = texts(at)
    assert "embedded ClickHouse" in body
    assert "Version" in body and "Uptime" in body and "Databases" in body
    assert "Conversation store:** clickhouse" in body


def test_home_reports_unreachable_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKHOUSE_HOST", "http://127.0.0.1:9")
    at = apptest.app().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    banners = [w.value for w in at.warning if "is not answering" in w.value]
    assert len(banners) == 1
    assert "connection refused" in banners[0] and "CLICKHOUSE_HOST" in banners[0] and "retrying" in banners[0]
    assert "Conversation store:** local" in texts(at)


def test_bad_setting_stops_with_the_variable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_CONVERSATION_STORE", "mongodb")
    at = apptest.app().run()
    assert not at.exception
    assert "AGENT_CONVERSATION_STORE" in at.error[0].value and "clickhouse" in at.error[0].value


def test_home_over_http_server(monkeypatch: pytest.MonkeyPatch, ch_http) -> None:  # noqa: ANN001
    monkeypatch.setenv("CLICKHOUSE_HOST", ch_http.url)
    monkeypatch.setenv("CLICKHOUSE_PASSWORD", "s3cret-pw")
    monkeypatch.setenv("CLICKHOUSE_NAME", "primary")
    at = apptest.app().run()
    assert not at.exception, at.exception
    body = texts(at)
    assert "ClickHouse server(s): primary" in body
    assert not at.error
    assert any(m.label == "Version" and m.value.startswith("26.") for m in at.metric)
    assert "s3cret-pw" not in body


def test_shared_password_gates_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHM_SHARED_PASSWORD", "open sesame")
    at = apptest.app().run()
    assert not at.exception
    assert not at.metric, "no page content before the password"
    at.text_input(key="shared_password_input").input("wrong")
    at.button[0].click().run()
    assert at.error and at.error[0].value == "Wrong password."
    assert not at.metric
    at.text_input(key="shared_password_input").input("open sesame")
    at.button[0].click().run()
    assert not at.exception
    assert any(m.label == "Version" for m in at.metric)
    assert "open sesame" not in texts(at)


PUBLIC_STREAMLIT = {"streamlit", "streamlit.testing.v1", "streamlit.components.v1"}
"""The Streamlit modules the app and its tests may import: the package and its documented sub-APIs."""


def test_no_private_streamlit_module_is_imported() -> None:
    root = apptest.ROOT
    sources = [root / "app.py", root / "server.py", *(path for folder in ("alerts", "assistant", "chstore", "core",
               "dashboard", "history", "pages", "scripts", "tests") for path in sorted((root / folder).glob("*.py")))]
    private = {}
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            found = [n for n in names if n.split(".")[0] == "streamlit" and n not in PUBLIC_STREAMLIT]
            if found:
                private[str(path.relative_to(root))] = found
    assert private == {}
