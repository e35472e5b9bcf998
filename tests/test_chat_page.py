"""Chat page flows in AppTest: ask, see the tool result, history persisted once, reload by ?thread=, failed saves."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from assistant.tools import ToolRun
from chstore.clickhouse import ClickHouseStore
from chstore.errors import StorageError
from dashboard import context, figures

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "chat.py")


def page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=90)


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question)
    return at.run()


@pytest.fixture
def store():
    found = context.get_store()
    assert found is not None
    return found


def test_ask_answers_with_a_table_and_persists_the_turn(store) -> None:
    at = page().run()
    assert not at.exception
    assert any("built-in" in c.value for c in at.caption)
    assert len(at.button) >= 6
    at = ask(at, "columns of table system.one")
    assert not at.exception
    assert "1 columns" in markdown(at)
    assert len(at.dataframe) == 1
    assert any("run_panel · table_columns" in e.label for e in at.expander)
    thread_id = at.query_params["thread"]
    thread_id = thread_id[0] if isinstance(thread_id, list) else thread_id
    thread = store.get_thread("local", thread_id)
    assert thread.title == "columns of table system.one"
    assert [m.role for m in thread.messages] == ["user", "tool", "assistant"]
    at.run()
    assert len(store.get_thread("local", thread_id).messages) == 3

    again = page()
    again.query_params["thread"] = thread_id
    again.run()
    assert "columns of table system.one" in markdown(again)
    assert "1 columns" in markdown(again)
    assert len(again.dataframe) == 1


def test_unknown_question_offers_the_nearest_panels() -> None:
    at = ask(page().run(), "please sing")
    assert "no panel that answers" in markdown(at)
    assert markdown(at).count("](/") == 3


def test_failed_save_is_marked_and_retried_once(store, monkeypatch) -> None:
    original = ClickHouseStore.append
    calls = {"n": 0}

    def flaky(self, user_id, thread_id, messages):
        calls["n"] += 1
        if calls["n"] <= 2:  # the turn's own save and the retry on the rerun that follows it
            raise StorageError("simulated outage")
        return original(self, user_id, thread_id, messages)

    monkeypatch.setattr(ClickHouseStore, "append", flaky)
    at = ask(page().run(), "which databases exist?")
    assert any("not saved" in c.value for c in at.caption)
    thread_id = at.query_params["thread"]
    thread_id = thread_id[0] if isinstance(thread_id, list) else thread_id
    assert store.get_thread("local", thread_id).messages == []
    at.run()
    assert not any("not saved" in c.value for c in at.caption)
    at.run()
    assert [m.role for m in store.get_thread("local", thread_id).messages] == ["user", "tool", "assistant"]


def test_unknown_thread_starts_fresh() -> None:
    at = page()
    at.query_params["thread"] = "does-not-exist"
    at.run()
    assert any("does not exist" in i.value for i in at.info)


def test_oversized_question_is_refused_with_a_message(store, monkeypatch: pytest.MonkeyPatch) -> None:
    at = page().run()
    limit = context.get_settings().assistant.max_chat_input
    at = ask(at, "x" * (limit * 3))
    assert not at.exception
    assert any("CHM_MAX_CHAT_INPUT" in w.value for w in at.warning)
    assert "thread" not in at.query_params, "nothing was asked or saved"


def test_tool_results_chart_as_plotly_express_would_draw_them() -> None:
    frame = pd.DataFrame({"t": ["2026-01-01 00:00:00", "2026-01-01 01:00:00"], "queries": [3, 4], "failed": [0, 1]})
    lines = figures.auto(frame, {"x": "t", "y": ["queries", "failed"]})
    assert [(t.type, t.name) for t in lines.data] == [("scatter", "queries"), ("scatter", "failed")]
    first = lines.data[0].x[0]  # text times are parsed into a time axis
    assert not isinstance(first, str) and pd.Timestamp(first) == pd.Timestamp("2026-01-01 00:00:00")
    assert lines.layout.yaxis.title.text == "value" and lines.layout.legend.title.text == "variable"
    ranking = pd.DataFrame({"table": ["a", "b"], "disk_bytes": [10, 5]})
    bars = figures.auto(ranking, {"kind": "bar", "x": "table", "y": ["disk_bytes"]})
    assert [t.type for t in bars.data] == ["bar"] and list(bars.data[0].y) == [10, 5]
    assert bars.layout.yaxis.title.text == "disk_bytes"
    assert figures.auto(ranking.iloc[:1]) is None  # one row is no chart
    assert figures.auto(ranking) is None  # a ranking without a hint is a table in the chat…
    console = figures.auto(ranking, rankings=True)  # …and bars in the history console
    assert [t.type for t in console.data] == ["bar"] and list(console.data[0].x) == ["a", "b"]


def test_a_wide_tool_result_is_cut_to_fit_the_stores_message_limit() -> None:
    from chstore.memory import MemoryStore
    from chstore.model import current_limits

    frame = pd.DataFrame({"n": range(200), "query": ["x" * 30_000] * 200})  # 200 rows of 30 KB: 6 MB as JSON
    message = ToolRun("run_sql", {}, sql="SELECT …", frame=frame).to_message()
    body = json.loads(message.content)
    assert len(message.content.encode()) <= current_limits().message_bytes
    assert body["row_count"] == 200 and 0 < body["rows_shown"] == len(body["rows"]) < 200
    assert [row[0] for row in body["rows"]] == list(range(body["rows_shown"]))
    store = MemoryStore()
    tid = store.create_thread("alice")
    assert store.append("alice", tid, [message]) == 1
    small = json.loads(ToolRun("run_sql", {}, frame=frame.head(3)).to_message().content)
    assert small["rows_shown"] == 3
