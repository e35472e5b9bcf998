"""The LLM path over real HTTP against the scripted OpenAI-compatible server: tool loop, streaming, usage, errors."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from assistant.llm import LLMAssistant, to_openai
from assistant.tools import MAX_TOOLS, ToolRun, build_tools
from assistant.turn import Turn
from chstore import Message
from tests.fake_llm import FakeLLM, Reply


def make(settings, conn, llm: FakeLLM, *, stream: bool = True, hosts=None, **areas: dict) -> LLMAssistant:
    """The LLM assistant on the fake endpoint; `areas` change fields per settings area (`app={...}`)."""
    areas = {"llm": {"api_key": SecretStr("sk-test"), "api_base": llm.base_url, "model": "fake-model"}, **areas}
    configured = settings.model_copy(
        update={name: getattr(settings, name).model_copy(update=fields) for name, fields in areas.items()})
    return LLMAssistant(conn, build_tools(configured), configured, stream=stream, hosts=hosts)


def answer(assistant: LLMAssistant, question: str, history=None) -> tuple[list, Turn]:
    turn = Turn()
    return list(assistant.respond(question, history or [], turn)), turn


@pytest.mark.parametrize("stream", [True, False], ids=["streaming", "plain"])
def test_tool_loop_runs_real_queries(settings, conn, stream: bool) -> None:
    script = [Reply(tool_calls=[("run_sql", {"sql": "SELECT 6 * 7 AS answer"})]),
              Reply(text="The answer is 42.")]
    with FakeLLM(script) as llm:
        events, turn = answer(make(settings, conn, llm, stream=stream), "what is six times seven?")
    runs = [e for e in events if isinstance(e, ToolRun)]
    assert len(runs) == 1 and runs[0].frame.iloc[0]["answer"] == 42
    assert "".join(e for e in events if isinstance(e, str)) == "The answer is 42."
    assert [m.role for m in turn.messages] == ["assistant", "tool", "assistant"]
    assert turn.messages[0].metadata["tool_calls"][0]["name"] == "run_sql"
    assert turn.messages[-1].metadata["usage"] == {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    assert turn.messages[-1].metadata["model"] == "fake-model"
    second = llm.requests[1]["messages"]
    tool_reply = next(m for m in second if m["role"] == "tool")
    assert json.loads(tool_reply["content"])["rows"] == [[42]]
    assert llm.headers[0]["authorization"] == "Bearer sk-test"
    assert [t["function"]["name"] for t in llm.requests[0]["tools"]] == [
        "search_panels", "run_panel", "health", "table_schema", "run_sql", "explain"]
    assert llm.requests[0].get("stream", False) is stream


def test_streaming_yields_text_in_pieces(settings, conn) -> None:
    with FakeLLM([Reply(text="one two three four")]) as llm:
        events, turn = answer(make(settings, conn, llm), "count")
    assert len(events) == 4 and "".join(events) == "one two three four"
    assert turn.messages[0].content == "one two three four"


def test_step_cap_stops_the_loop(settings, conn) -> None:
    script = [Reply(tool_calls=[("run_sql", {"sql": "SELECT 1"})])] * 5
    with FakeLLM(script) as llm:
        events, turn = answer(make(settings, conn, llm, assistant={"assistant_max_steps": 2}), "loop forever")
    assert len(llm.requests) == 2
    assert "stopped after 2" in events[-1]
    assert turn.messages[-1].metadata["error"] == "step_cap"


def test_guard_refusal_goes_back_to_the_model(settings, conn) -> None:
    script = [Reply(tool_calls=[("run_sql", {"sql": "DROP TABLE system.one"})]), Reply(text="I cannot do that.")]
    with FakeLLM(script) as llm:
        events, _ = answer(make(settings, conn, llm), "drop it")
    run = next(e for e in events if isinstance(e, ToolRun))
    assert run.error_name == "READONLY_GUARD"
    tool_reply = next(m for m in llm.requests[1]["messages"] if m["role"] == "tool")
    assert "are allowed here, not DROP" in json.loads(tool_reply["content"])["error"]


@pytest.mark.parametrize(("reply", "expected", "code"), [
    (Reply(status=401), "refused the API key (401)", "auth"),
    (Reply(status=429), "rate-limiting", "rate_limit"),
    (Reply(status=500), "HTTP 500", "http_500"),
    (Reply(delay=1.5), "did not answer within", "timeout"),
], ids=["bad-key", "rate-limit", "server-error", "timeout"])
def test_provider_errors_are_plain_and_recorded(settings, conn, reply: Reply, expected: str, code: str) -> None:
    with FakeLLM([reply]) as llm:
        events, turn = answer(make(settings, conn, llm, assistant={"llm_timeout": 0.5}), "hello")
    assert expected in events[-1]
    assert [m.role for m in turn.messages] == ["assistant"]
    assert turn.messages[0].metadata["error"] == code


def test_unreachable_endpoint(settings, conn) -> None:
    with FakeLLM([]) as llm:
        assistant = make(settings, conn, llm)
    events, turn = answer(assistant, "hello")
    assert "could not be reached" in events[-1]


def test_history_goes_back_in_chat_form(settings, conn) -> None:
    earlier = [
        Message(role="user", content="q1"),
        Message(role="assistant", content="", metadata={"tool_calls": [
            {"id": "c1", "name": "run_sql", "arguments": "{}"}]}),
        Message(role="tool", name="run_sql", content='{"rows": []}', metadata={"call_id": "c1"}),
        Message(role="tool", name="disk_space", content="{}", metadata={}),
        Message(role="assistant", content="a1"),
    ]
    converted = to_openai(earlier)
    assert [m["role"] for m in converted] == ["user", "assistant", "tool", "assistant"]
    assert converted[2]["tool_call_id"] == "c1"
    with FakeLLM([Reply(text="ok")]) as llm:
        answer(make(settings, conn, llm), "q2", earlier)
    sent = llm.requests[0]["messages"]
    assert sent[0]["role"] == "system" and sent[-1] == {"role": "user", "content": "q2"}


def test_request_carries_few_tools_even_with_control_actions(settings, conn) -> None:
    with FakeLLM([Reply(text="ok")]) as llm:
        answer(make(settings, conn, llm, app={"enable_control_actions": True}), "hello")
    names = [t["function"]["name"] for t in llm.requests[0]["tools"]]
    assert len(names) <= MAX_TOOLS == 20
    assert {"kill_query", "kill_mutation", "optimize_table"} <= set(names)
    assert all("host" in t["function"]["parameters"]["properties"] for t in llm.requests[0]["tools"])


def test_search_then_run_then_answer(settings, conn) -> None:
    conn.command("CREATE DATABASE IF NOT EXISTS llm_shop")
    conn.command("CREATE TABLE IF NOT EXISTS llm_shop.items (id UInt64) ENGINE = MergeTree ORDER BY id")
    conn.command("TRUNCATE TABLE llm_shop.items")
    conn.command("INSERT INTO llm_shop.items SELECT number FROM numbers(1234)")
    script = [Reply(tool_calls=[("search_panels", {"question": "which tables are biggest"})]),
              Reply(tool_calls=[("run_panel", {"name": "tables", "arguments": {"database": "llm_shop"}})]),
              Reply(text="llm_shop.items holds 1234 rows.")]
    with FakeLLM(script) as llm:
        events, turn = answer(make(settings, conn, llm), "which tables are biggest in llm_shop?")
    runs = [e for e in events if isinstance(e, ToolRun)]
    assert [r.tool for r in runs] == ["search_panels", "run_panel"]
    assert "tables" in set(runs[0].frame["name"])
    found = json.loads(next(m for m in llm.requests[1]["messages"] if m["role"] == "tool")["content"])
    assert "tables" in [row[0] for row in found["rows"]]
    ran = json.loads([m for m in llm.requests[2]["messages"] if m["role"] == "tool"][-1]["content"])
    assert ran["rows"][0][:2] == ["llm_shop", "items"] and ran["link"] == "/tables?database=llm_shop"
    assert [m.role for m in turn.messages] == ["assistant", "tool", "assistant", "tool", "assistant"]
    assert turn.messages[3].metadata["link"] == "/tables?database=llm_shop"
    assert "".join(e for e in events if isinstance(e, str)) == "llm_shop.items holds 1234 rows."


def test_compare_disks_on_all_hosts(settings, conn) -> None:
    script = [Reply(tool_calls=[("run_panel", {"name": "disks", "host": "all"})]), Reply(text="Both hosts are fine.")]
    with FakeLLM(script) as llm:
        events, _ = answer(make(settings, conn, llm, hosts={"ch1": lambda: conn, "ch2": lambda: conn}),
                           "compare disk use on all hosts")
    run = next(e for e in events if isinstance(e, ToolRun))
    assert list(run.frame["host"].unique()) == ["ch1", "ch2"]
    assert "ch1, ch2, all" in llm.requests[0]["messages"][0]["content"]


def test_unknown_panel_goes_back_to_the_model_with_the_nearest(settings, conn) -> None:
    script = [Reply(tool_calls=[("run_panel", {"name": "slow_queries"})]), Reply(text="sorry")]
    with FakeLLM(script) as llm:
        events, _ = answer(make(settings, conn, llm), "slow?")
    run = next(e for e in events if isinstance(e, ToolRun))
    assert "no panel named 'slow_queries'" in run.error and "queries_slow" in run.error
