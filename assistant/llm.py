"""The LLM assistant: any OpenAI-compatible chat-completions endpoint with tool calling, through `openai`.

A tool loop with a step cap; answers stream; each assistant message records the model, token usage and latency.
Provider failures (bad key, rate limit, timeout, unreachable) end the turn with a plain message, which is saved
like any other answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import openai

from assistant.tools import ALL_HOSTS, Hosts, Tool, ToolRun, run_tool
from assistant.turn import Turn
from chstore.model import Message
from config import Settings
from core.connection import Connection

HISTORY_MESSAGES = 40
"""How many earlier messages go back to the model (the newest ones)."""
TOOL_RESULT_ROWS = 50
"""Rows of a tool result the model sees."""
TOOL_CONTENT_CHARS = 6000

SYSTEM_PROMPT = """You are chmonitor's ClickHouse monitoring assistant. Answer questions about the server \
({server}) by calling the tools, which run real read-only queries. Rules:
- Every number you state must come from a tool result in this conversation; never guess or invent numbers.
- Find the panel that answers with search_panels, then call run_panel with its name and arguments; use health for \
"is the server healthy", table_schema for columns, run_sql only when no panel fits. Time windows are ISO 8601 UTC; \
now is {now}.
- Every tool takes an optional host: one of {hosts}, or "all" to compare every host.
- Each result carries a link to the dashboard page showing the same thing: give it to the user.
- Keep answers short and factual: what you found, the key rows, what it means for the operator.
- Control tools (kill, optimize) only run after the user confirms in the UI; say so when you call one."""


def describe_error(exc: Exception, timeout: float) -> tuple[str, str]:
    """A plain message for a provider failure and a short code for metadata (branching on type and status)."""
    if isinstance(exc, openai.AuthenticationError):
        return ("The LLM provider refused the API key (401). Check LLM_API_KEY (or OPENAI_API_KEY).",
                "auth")
    if isinstance(exc, openai.PermissionDeniedError):
        return "The LLM provider denied access to this model (403). Check LLM_MODEL and the key's permissions.", "denied"
    if isinstance(exc, openai.RateLimitError):
        return "The LLM provider is rate-limiting requests (429). Wait a moment and ask again.", "rate_limit"
    if isinstance(exc, openai.APITimeoutError):
        return f"The LLM provider did not answer within {timeout:g} s (timeout). Ask again or raise CHM_LLM_TIMEOUT.", \
            "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "The LLM provider could not be reached. Check LLM_API_BASE and the network.", "unreachable"
    if isinstance(exc, openai.NotFoundError):
        return "The LLM provider does not know this model or endpoint (404). Check LLM_MODEL and LLM_API_BASE.", \
            "not_found"
    if isinstance(exc, openai.APIStatusError):
        return f"The LLM provider failed with HTTP {exc.status_code}. Try again later.", f"http_{exc.status_code}"
    return f"The LLM provider's answer could not be read ({type(exc).__name__}).", "bad_response"


def to_openai(history: list[Message]) -> list[dict[str, Any]]:
    """Earlier messages in chat-completions form; every tool call is answered, orphan tool results are dropped."""
    result: list[dict[str, Any]] = []
    open_calls: list[str] = []

    def close_calls() -> None:
        for call_id in open_calls:
            result.append({"role": "tool", "tool_call_id": call_id, "content": '{"error": "result not kept"}'})
        open_calls.clear()

    for message in history[-HISTORY_MESSAGES:]:
        calls = message.metadata.get("tool_calls") if message.role == "assistant" else None
        if message.role == "tool":
            call_id = message.metadata.get("call_id")
            if call_id in open_calls:
                open_calls.remove(call_id)
                result.append({"role": "tool", "tool_call_id": call_id,
                               "content": message.content[:TOOL_CONTENT_CHARS]})
            continue
        close_calls()
        if calls:
            result.append({"role": "assistant", "content": message.content or None, "tool_calls": [
                {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
                for c in calls]})
            open_calls.extend(c["id"] for c in calls)
        elif message.role in ("user", "assistant") and message.content:
            result.append({"role": message.role, "content": message.content})
    close_calls()
    while result and result[0]["role"] == "tool":
        result.pop(0)
    return result


def _usage(usage: Any) -> dict[str, int]:
    if usage is None:
        return {}
    return {key: int(getattr(usage, key, 0) or 0) for key in ("prompt_tokens", "completion_tokens", "total_tokens")}


class LLMAssistant:
    """Answers with an OpenAI-compatible model that calls the tools."""

    def __init__(self, conn: Connection, tools: dict[str, Tool], settings: Settings, *, stream: bool = True,
                 client: openai.OpenAI | None = None, server: str = "", hosts: Hosts | None = None) -> None:
        self.conn = conn
        self.tools = tools
        self.hosts = hosts
        self.model = settings.llm.model
        self.max_steps = settings.assistant.assistant_max_steps
        self.timeout = float(settings.assistant.llm_timeout)
        self.stream = stream
        self.server = server or "ClickHouse"
        key = settings.llm.api_key.get_secret_value() if settings.llm.api_key else ""
        self.client = client or openai.OpenAI(api_key=key, base_url=settings.llm.api_base or None,
                                              timeout=self.timeout, max_retries=0)

    @property
    def label(self) -> str:
        """What answers, for the provider line."""
        return self.model

    def _request(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"model": self.model, "messages": messages,
                                  "tools": [tool.openai_schema() for tool in self.tools.values()]}
        if self.stream:
            kwargs.update(stream=True, stream_options={"include_usage": True})
        return kwargs

    def _complete(self, messages: list[dict[str, Any]], state: dict[str, Any]) -> Iterator[str]:
        """One model call: yields text as it arrives; fills `state` with text, tool calls and usage."""
        response = self.client.chat.completions.create(**self._request(messages))
        calls: dict[int, dict[str, str]] = {}
        parts: list[str] = state.setdefault("parts", [])
        if not self.stream:
            choice = response.choices[0].message
            if choice.content:
                parts.append(choice.content)
                yield choice.content
            for index, call in enumerate(choice.tool_calls or []):
                calls[index] = {"id": call.id, "name": call.function.name, "arguments": call.function.arguments or ""}
            state["usage"] = _usage(response.usage)
        else:
            for chunk in response:
                if getattr(chunk, "usage", None):
                    state["usage"] = _usage(chunk.usage)
                if not chunk.choices:
                    continue
                delta = chunk.choices[0].delta
                if delta.content:
                    parts.append(delta.content)
                    yield delta.content
                for call in delta.tool_calls or []:
                    slot = calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
                    if call.id:
                        slot["id"] = call.id
                    if call.function and call.function.name:
                        slot["name"] += call.function.name
                    if call.function and call.function.arguments:
                        slot["arguments"] += call.function.arguments
        state["text"] = "".join(parts)
        state["calls"] = [calls[i] for i in sorted(calls)]

    def _call_tool(self, call: dict[str, str]) -> ToolRun:
        tool = self.tools.get(call["name"])
        try:
            arguments = json.loads(call["arguments"] or "{}")
            if not isinstance(arguments, dict):
                raise ValueError("arguments are not an object")
        except ValueError as exc:
            return ToolRun(call["name"], {"raw": call["arguments"]}, error=f"arguments are not valid JSON: {exc}",
                           error_name="BAD_ARGUMENTS", call_id=call["id"])
        if tool is None:
            return ToolRun(call["name"], arguments, error=f"no tool named {call['name']}",
                           error_name="UNKNOWN_TOOL", call_id=call["id"])
        return run_tool(self.conn, tool, arguments, call_id=call["id"], hosts=self.hosts)

    def respond(self, question: str, history: list[Message], turn: Turn) -> Iterator[str | ToolRun]:
        """Run the tool loop for one question; yields text chunks and tool runs, records messages in `turn`."""
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": SYSTEM_PROMPT.format(
                server=self.server, now=now, hosts=", ".join([*(self.hosts or {}), ALL_HOSTS]))},
            *to_openai(history),
            {"role": "user", "content": question},
        ]
        for step in range(1, self.max_steps + 1):
            state: dict[str, Any] = {"usage": {}}
            began = time.perf_counter()
            try:
                yield from self._complete(messages, state)
            except (openai.APIError, ValueError, KeyError, IndexError, AttributeError) as exc:
                text, code = describe_error(exc, self.timeout)
                partial = "".join(state.get("parts", []))
                turn.say((partial + "\n\n" if partial else "") + text,
                         metadata={"model": self.model, "error": code, "step": step,
                                   "latency_ms": round((time.perf_counter() - began) * 1000, 1)})
                yield ("\n\n" if partial else "") + text
                return
            metadata: dict[str, Any] = {"model": self.model, "usage": state["usage"], "step": step,
                                        "latency_ms": round((time.perf_counter() - began) * 1000, 1)}
            if not state["calls"]:
                turn.say(state["text"], metadata=metadata)
                return
            metadata["tool_calls"] = state["calls"]
            turn.say(state["text"], metadata=metadata)
            messages.append({"role": "assistant", "content": state["text"] or None, "tool_calls": [
                {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
                for c in state["calls"]]})
            for call in state["calls"]:
                run = self._call_tool(call)
                turn.tool(run)
                yield run
                messages.append({"role": "tool", "tool_call_id": call["id"],
                                 "content": run.result_json(TOOL_RESULT_ROWS)[:TOOL_CONTENT_CHARS]})
        text = f"I stopped after {self.max_steps} model calls without a final answer (CHM_ASSISTANT_MAX_STEPS)."
        turn.say(text, metadata={"model": self.model, "error": "step_cap"})
        yield text
