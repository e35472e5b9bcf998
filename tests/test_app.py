"""The entry script and home page under AppTest: real engine, unreachable server, bad settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture(autouse=True)
def fresh_resources() -> Iterator[None]:
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [i.value for i in at.info]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def test_home_shows_engine_version_and_store() -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    body = texts(at)
    assert "embedded ClickHouse" in body
    assert "Version" in body and "Uptime" in body and "Databases" in body
    assert "Conversation store:** clickhouse" in body


def test_home_reports_unreachable_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKHOUSE_HOST", "http://127.0.0.1:9")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    banners = [w.value for w in at.warning if "is not answering" in w.value]
    assert banners, "expected the down-host banner"
    assert "connection refused" in banners[0] and "127.0.0.1" in banners[0]
    assert "Conversation store:** local" in texts(at)


def test_bad_setting_stops_with_the_variable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_CONVERSATION_STORE", "mongodb")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "AGENT_CONVERSATION_STORE" in at.error[0].value and "clickhouse" in at.error[0].value


def test_home_over_http_server(monkeypatch: pytest.MonkeyPatch, ch_http) -> None:  # noqa: ANN001
    monkeypatch.setenv("CLICKHOUSE_HOST", ch_http.url)
    monkeypatch.setenv("CLICKHOUSE_PASSWORD", "s3cret-pw")
    monkeypatch.setenv("CLICKHOUSE_NAME", "primary")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    body = texts(at)
    assert "ClickHouse server(s): primary" in body
    assert not at.error
    assert any(m.label == "Version" and m.value.startswith("26.") for m in at.metric)
    assert "s3cret-pw" not in body


def test_shared_password_gates_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHM_SHARED_PASSWORD", "open sesame")
    at = AppTest.from_file(APP, default_timeout=60).run()
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
