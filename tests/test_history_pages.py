"""The Conversations and History analytics pages under AppTest, on the session's embedded engine and store."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from chstore import Message, open_store
from config import Settings, load_settings
from core.connection import Connection
from history import download
from history.queries import Scope
from tests import apptest

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = "pages/conversations.py"
ANALYTICS = "pages/history_analytics.py"


@pytest.fixture(autouse=True)
def _fresh_resources(conn: object) -> Iterator[None]:
    """Settings and the store are cached per process: clear them around each test (env changes take effect)."""
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def _seed(settings: Settings, user: str, word: str, *, failing: bool = False) -> str:
    store = open_store(settings)
    tid = store.create_thread(user)
    tool = Message(role="tool", name="slow_queries", content=json.dumps({"columns": ["q"], "rows": [["x"]]}),
                   metadata={"arguments": {"limit": 3}, "sql": "SELECT 'x' AS q", "duration_ms": 4.0, "rows": 1,
                             "error": "Code: 60 nope" if failing else "", "error_name": "X" if failing else ""})
    store.append(user, tid, [Message(role="user", content=f"slowest queries about {word}?"), tool,
                             Message(role="assistant", content=f"the {word} answer", metadata={"model": "built-in"})])
    return tid


def _page(path: str, **params: str) -> AppTest:
    at = apptest.app(timeout=60).run()  # the first run registers the pages, so any can be opened by its file
    for key, value in params.items():
        at.query_params[key] = value
    apptest.open_page(at, path)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _row_labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button if (b.key or "").startswith("hist_open_")]


def test_find_open_rename_delete(settings: Settings) -> None:
    word = f"walrus{uuid.uuid4().hex[:6]}"
    tid = _seed(settings, settings.app.local_user, word, failing=True)
    at = _page(CONVERSATIONS)
    at.text_input(key="hist_text").input(word).run()
    assert _row_labels(at) == [f"slowest queries about {word}?"]
    assert any("1** conversations" in c.value or "**1** conversations" in c.value for c in at.caption)
    at.checkbox(key="hist_errors").check().run()
    assert len(_row_labels(at)) == 1
    assert "slow_queries" in at.selectbox(key="hist_tool").options

    at.button(key=f"hist_open_{settings.app.local_user}_{tid}").click().run()
    assert at.query_params["open"] == [tid] or at.query_params["open"] == tid
    assert not at.exception
    assert at.subheader[0].value == f"slowest queries about {word}?"
    assert any(word in m.value for m in at.markdown)
    assert any("SELECT 'x' AS q" in c.value for c in at.code)
    assert any("slow_queries" in e.label for e in at.expander)

    at.text_input(key=f"hist_title_{tid}").input(f"renamed {word}").run()
    at.button(key="hist_rename").click().run()
    assert at.subheader[0].value == f"renamed {word}"

    at.button(key="hist_delete").click().run()
    at.button(key="hist_delete_yes").click().run()
    assert not at.exception
    assert "open" not in at.query_params
    at.text_input(key="hist_text").input(word).run()
    assert _row_labels(at) == []
    assert open_store(settings).get_thread(settings.app.local_user, tid) is None


def test_others_conversations_stay_hidden_unless_admin(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    word = f"okapi{uuid.uuid4().hex[:6]}"
    tid = _seed(settings, "someone-else", word)
    at = _page(CONVERSATIONS)
    assert not [s for s in at.selectbox if s.key == "hist_user"]
    at.text_input(key="hist_text").input(word).run()
    assert _row_labels(at) == []
    direct = _page(CONVERSATIONS, open=tid, owner="someone-else")
    assert any("does not exist" in i.value for i in direct.info)

    monkeypatch.setenv("CHM_ADMIN_USERS", settings.app.local_user)
    st.cache_resource.clear()
    admin = _page(CONVERSATIONS)
    admin.selectbox(key="hist_user").set_value("*").run()
    admin.text_input(key="hist_text").input(word).run()
    assert _row_labels(admin) == [f"slowest queries about {word}? · someone-else"]
    admin.selectbox(key="hist_user").set_value("someone-else").run()
    assert _row_labels(admin) == [f"slowest queries about {word}?"]
    opened = _page(CONVERSATIONS, open=tid, owner="someone-else")
    assert opened.subheader[0].value == f"slowest queries about {word}?"


def test_export_and_paging_controls_render(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "_mounted", False)  # as under a bare `streamlit run app.py`: no export route
    _seed(settings, settings.app.local_user, "paging")
    at = _page(CONVERSATIONS)
    assert at.selectbox(key="hist_all_fmt").options == ["JSONL", "JSON", "Markdown"]
    assert at.button(key="hist_newer").disabled
    assert len(at.get("download_button")) == 1  # no export route in this process: Streamlit's download button
    assert not at.link_button


def _grant(at: AppTest, key: str) -> download.Grant:
    """The grant behind an export link of the page, read with this process's signing key."""
    url = at.link_button(key=key).proto.url
    assert url.startswith("/export?token=")
    return download.read(url.split("token=", 1)[1], download.signing_key(load_settings()), time.time())


def test_export_links_carry_the_scope_the_page_decided(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "_mounted", True)  # as when server.py mounts the route in this process
    word = f"ibex{uuid.uuid4().hex[:6]}"
    mine = _seed(settings, settings.app.local_user, word)
    theirs = _seed(settings, "someone-else", word)
    at = _page(CONVERSATIONS)
    assert not at.get("download_button")
    at.text_input(key="hist_text").input(word).run()
    at.selectbox(key="hist_all_fmt").set_value("Markdown").run()
    grant = _grant(at, "hist_all")
    assert grant.viewer == settings.app.local_user and grant.scope.user_id == settings.app.local_user
    assert not grant.scope.all_users and grant.filters.text == word and grant.fmt == "Markdown"
    assert grant.expires > time.time() + download.LINK_TTL - 60
    opened = _page(CONVERSATIONS, open=theirs, owner="someone-else")  # not an admin: the owner is ignored
    assert not opened.link_button
    opened = _page(CONVERSATIONS, open=mine)
    assert _grant(opened, "hist_one").thread_id == mine

    monkeypatch.setenv("CHM_ADMIN_USERS", settings.app.local_user)
    st.cache_resource.clear()
    admin = _page(CONVERSATIONS)
    admin.selectbox(key="hist_user").set_value("*").run()
    assert _grant(admin, "hist_all").scope == Scope(settings.app.local_user, all_users=True)
    admin.selectbox(key="hist_user").set_value("someone-else").run()
    assert _grant(admin, "hist_all").scope == Scope("someone-else")
    other = _grant(_page(CONVERSATIONS, open=theirs, owner="someone-else"), "hist_one")
    assert (other.viewer, other.scope, other.thread_id) == (settings.app.local_user, Scope("someone-else"), theirs)


def test_analytics_charts_and_console(settings: Settings) -> None:
    _seed(settings, settings.app.local_user, "charts", failing=True)
    at = _page(ANALYTICS)
    assert len(at.get("plotly_chart")) >= 4
    assert not at.error
    at.button(key="hist_run").click().run()
    assert not at.error and len(at.dataframe) >= 1
    assert at.query_params["sql"]

    shared = _page(ANALYTICS, sql="SELECT role, count() AS n FROM messages GROUP BY role ORDER BY n DESC")
    shared.button(key="hist_run").click().run()
    roles = shared.dataframe[-1].value
    assert set(roles["role"]) >= {"user", "tool", "assistant"}
    assert len(shared.get("download_button")) == 1
    assert len(shared.get("plotly_chart")) >= 5

    refused = _page(ANALYTICS, sql=f"SELECT * FROM {settings.conversation_table}")
    assert not refused.error
    refused.button(key="hist_run").click().run()
    assert any("threads" in e.value for e in refused.error)


def test_a_shared_sql_link_runs_only_after_a_click(settings: Settings, conn: Connection) -> None:
    _seed(settings, settings.app.local_user, "linked")
    marker = f"link-{uuid.uuid4().hex}"
    sql = f"SELECT '{marker}' AS marker, count() AS n FROM messages"
    at = _page(ANALYTICS, sql=sql)
    assert at.text_area(key="hist_sql").value == sql  # prefilled
    assert not [d for d in at.dataframe if "marker" in d.value.columns] and not at.error
    conn.command("SYSTEM FLUSH LOGS")
    ran = "SELECT count() FROM system.query_log WHERE query LIKE {pattern:String} AND query NOT LIKE '%query_log%'"
    assert conn.query_rows(ran, {"pattern": f"%{marker}%"}) == [(0,)]
    at.button(key="hist_run").click().run()
    console = [d for d in at.dataframe if "marker" in d.value.columns]
    assert len(console) == 1 and list(console[0].value["marker"]) == [marker]
    conn.command("SYSTEM FLUSH LOGS")
    assert conn.query_rows(ran, {"pattern": f"%{marker}%"})[0][0] >= 1


def test_templates_fill_the_console(settings: Settings) -> None:
    at = _page(ANALYTICS)
    at.selectbox(key="hist_template").set_value("tokens_by_model").run()
    assert "JSONExtractUInt" in at.text_area(key="hist_sql").value


def test_memory_store_says_which_filters_are_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_CONVERSATION_PERSISTENCE", "true")
    monkeypatch.setenv("AGENT_CONVERSATION_STORE", "memory")
    store = open_store(load_settings())
    tid = store.create_thread("local")
    store.append("local", tid, [Message(role="user", content="memory kiwi question")])
    at = _page(CONVERSATIONS)
    assert any("filters need the ClickHouse store" in i.value for i in at.info)
    assert at.checkbox(key="hist_errors").disabled
    at.text_input(key="hist_text").input("kiwi").run()
    assert _row_labels(at) == ["memory kiwi question"]
    assert any("ClickHouse" in i.value for i in _page(ANALYTICS).info)
