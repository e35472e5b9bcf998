"""The chat page's logic: answering, rendering tool results, the thread sidebar and history persistence."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import streamlit as st

from assistant import history
from assistant.builtin import BuiltinAssistant
from assistant.history import ChatState
from assistant.llm import LLMAssistant
from assistant.tools import Hosts, Tool, ToolRun, build_tools, new_id, run_tool
from assistant.turn import Turn
from chstore import ConversationStore, Message
from chstore.model import utcnow
from config import Settings
from core.errors import ChmError
from dashboard import context, figures, status
from dashboard.confirm import confirm_delete, forget_delete
from history.local import load_local_history, save_local_history

STARTERS = (
    "What is running now?",
    "Slowest queries in the last 2 hours",
    "Which tables are biggest?",
    "Are there failed queries today?",
    "How much disk is free?",
    "Is replication healthy?",
)
LOCAL_USER = "session"
"""User id of a conversation kept only in the session (no store, or nobody signed in)."""
LOCAL_KEY = "chat-threads"
"""Key of this browser's conversations in localStorage (the `local` store)."""


@st.cache_resource(show_spinner=False)
def _shared_tools(_settings: Settings, control_actions: bool) -> dict[str, Tool]:
    """The tools, built once per process and per control-actions choice (nothing changes them after building)."""
    return build_tools(_settings, control_actions=control_actions)


def _hosts(settings: Settings) -> Hosts:
    labels = settings.clickhouse.host_labels
    return {label: functools.partial(context.get_connection, index) for index, label in enumerate(labels)}


def make_answerer(settings: Settings, conn: Any) -> BuiltinAssistant | LLMAssistant:
    """The LLM assistant when an API key is configured, else the built-in one; both reach every configured host."""
    read_only = bool(conn is not None and conn.server.readonly)
    tools = _shared_tools(settings, settings.app.enable_control_actions and not read_only)
    hosts = _hosts(settings)
    if settings.llm.api_key is not None and settings.llm.api_key.get_secret_value():
        return LLMAssistant(conn, tools, settings, server=getattr(conn, "label", ""), hosts=hosts)
    return BuiltinAssistant(conn, tools, hosts)


# --- rendering --------------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def render_tool_run(run: ToolRun, key: str) -> None:
    """One tool call: an expander with tool, arguments, SQL, rows and duration; then its table and chart."""
    if run.pending:
        status = "awaiting confirmation"
    elif run.error:
        status = f"failed ({run.error_name})"
    else:
        status = f"{run.row_count} rows"
    shown = f"{run.tool} · {run.panel}" if run.panel else run.tool
    with st.expander(f":material/build: {shown} · {status} · {run.duration_ms:.0f} ms"):
        st.markdown(f"**Tool:** `{run.tool}`" + (f" · [open in the dashboard]({run.link})" if run.link else ""))
        st.markdown("**Arguments**")
        st.json(_jsonable(run.arguments), expanded=True)
        if run.sql:
            st.markdown("**SQL**")
            st.code(run.sql.strip(), language="sql")
        if run.params:
            st.markdown("**Parameters**")
            st.json(_jsonable(run.params), expanded=False)
        st.caption(f"Rows: {run.row_count} · duration: {run.duration_ms:.1f} ms")
    if run.error:
        st.error(run.error)
    elif run.frame is not None and not run.frame.empty:
        st.dataframe(run.frame, hide_index=True, width="stretch", key=f"df_{key}")
        figure = figures.auto(run.frame, run.chart)
        if figure is not None:
            st.plotly_chart(figure, width="stretch", key=f"chart_{key}")


def stream_events(events: Iterable[str | ToolRun]) -> None:
    """Render an answer as it is produced: text through `st.write_stream`, tool runs as they finish."""
    iterator = iter(events)
    pending: list[ToolRun] = []

    def text_until_tool(first: str) -> Iterator[str]:
        yield first
        for event in iterator:
            if isinstance(event, ToolRun):
                pending.append(event)
                return
            yield event

    for event in iterator:
        if isinstance(event, ToolRun):
            render_tool_run(event, new_id())
            continue
        st.write_stream(text_until_tool(event))
        while pending:
            render_tool_run(pending.pop(0), new_id())


def render_messages(state: ChatState, resolved: set[str]) -> None:
    """The whole conversation: user bubbles, and one assistant bubble per answer with its tool calls."""
    blocks: list[tuple[str, list[Message]]] = []
    for message in state.messages:
        role = "user" if message.role == "user" else "assistant"
        if blocks and blocks[-1][0] == role == "assistant":
            blocks[-1][1].append(message)
        else:
            blocks.append((role, [message]))
    for role, messages in blocks:
        with st.chat_message(role):
            for message in messages:
                if message.role == "tool":
                    run = ToolRun.from_message(message)
                    render_tool_run(run, message.id)
                    if run.pending and message.id not in resolved:
                        _confirmation(state, message, run)
                elif message.content:
                    st.markdown(message.content)
            if any(m.id not in state.saved for m in messages) and context_store() is not None:
                reason = f": {state.error}" if state.error else " yet"
                st.caption(f":material/warning: not saved{reason} — kept in this session and retried on the next turn")


# --- control actions --------------------------------------------------------------------------
def resolved_confirmations(state: ChatState) -> set[str]:
    """Ids of pending control calls that were confirmed or cancelled already."""
    return {str(m.metadata.get("confirmation_of")) for m in state.messages if m.metadata.get("confirmation_of")}


def _confirmation(state: ChatState, message: Message, run: ToolRun) -> None:
    st.warning(f"Run **{run.tool}** with {json.dumps(run.arguments)}? This changes the server.")
    left, right = st.columns(2)
    if left.button("Confirm and run", key=f"confirm_{message.id}", type="primary"):
        _finish_control(state, message, run, confirmed=True)
    if right.button("Cancel", key=f"cancel_{message.id}"):
        _finish_control(state, message, run, confirmed=False)


def _finish_control(state: ChatState, message: Message, run: ToolRun, *, confirmed: bool) -> None:
    turn = Turn()
    if confirmed:
        settings = context.get_settings()
        tools = build_tools(settings)
        tool = tools.get(run.tool)
        if tool is None:
            text = f"{run.tool} is not enabled (CHM_ENABLE_CONTROL_ACTIONS)."
        else:
            done = run_tool(context.get_connection(), tool, run.arguments, confirmed=True, hosts=_hosts(settings))
            turn.tool(done).metadata["confirmation_of"] = message.id
            text = f"{run.tool} failed: {done.error}" if done.error else f"{run.tool} was sent to the server."
        turn.say(text, {"model": "control", "confirmation_of": message.id})
    else:
        turn.say(f"Cancelled: {run.tool} was not run.", {"model": "control", "confirmation_of": message.id})
    state.add(turn.messages)
    _save(state)
    st.rerun()


# --- state ------------------------------------------------------------------------------------
def context_store() -> ConversationStore | None:
    """The store for this user, or None when history stays in the session."""
    if context.current_user() is None:
        return None
    return context.get_store()


def _user() -> str:
    return context.current_user() or LOCAL_USER


def _threads() -> dict[str, ChatState]:
    key = f"chat_threads::{_user()}"
    if key not in st.session_state:
        st.session_state[key] = {}
    return st.session_state[key]


def _save(state: ChatState) -> bool:
    return history.save(context_store(), _user(), state)


def local_records(threads: dict[str, ChatState]) -> list[dict[str, Any]]:
    """The session's conversations as JSON-ready records for the browser's localStorage."""
    return [
        {"id": t.thread_id, "title": t.title, "messages": [m.to_dict() for m in t.messages]}
        for t in threads.values() if t.messages
    ]


def merge_local(threads: dict[str, ChatState], records: list[dict[str, Any]]) -> None:
    """Add the conversations stored in the browser that the session does not hold yet (the session wins)."""
    for record in records:
        thread_id = record.get("id")
        if not isinstance(thread_id, str) or thread_id in threads:
            continue
        try:
            messages = [Message.from_dict(m) for m in record.get("messages", [])]
        except (ChmError, KeyError, TypeError, ValueError):
            continue  # a damaged record in the browser is skipped, the rest still loads
        threads[thread_id] = ChatState(thread_id, messages, {m.id for m in messages}, True,
                                       str(record.get("title") or ""))


def sync_local() -> bool:
    """Local store: merge the browser's saved conversations once, then keep the browser's copy current.

    Returns False until the browser has answered (the component reruns the page when it does).
    """
    records = load_local_history(LOCAL_KEY)
    if records is None:
        return False
    threads = _threads()
    if not st.session_state.get("chat_local_merged"):
        merge_local(threads, records)
        st.session_state["chat_local_merged"] = True
    error = save_local_history(LOCAL_KEY, local_records(threads))
    if error:
        st.caption(f":material/warning: this browser could not keep the history: {error}")
    return True


def current_state(local_ready: bool = True) -> ChatState | None:
    """The conversation named by `?thread=`: from the session if it has it, else loaded from the store."""
    thread_id = st.query_params.get("thread")
    if not thread_id:
        return None
    threads = _threads()
    if thread_id not in threads and context_store() is None and not local_ready:
        st.caption("Loading this browser's history…")
        return None
    if thread_id not in threads:
        try:
            loaded = history.load(context_store(), _user(), thread_id)
        except ChmError as exc:
            st.error(f"Could not load this conversation: {exc}")
            return None
        if loaded is None:
            st.info("That conversation does not exist (or was deleted). Starting a new one.")
            del st.query_params["thread"]
            return None
        threads[thread_id] = loaded
    return threads[thread_id]


def _switch(thread_id: str | None) -> None:
    forget_delete("chat")
    if thread_id:
        st.query_params["thread"] = thread_id
    elif "thread" in st.query_params:
        del st.query_params["thread"]


def sidebar(state: ChatState | None) -> None:
    """New chat, the user's threads grouped by day (switch), and rename / delete for the open one."""
    store = context_store()
    with st.sidebar:
        st.subheader("Conversations")
        st.button("New chat", icon=":material/add:", key="chat_new", on_click=_switch, args=(None,), width="stretch")
        summaries = {s.id: s for s in (t.summary() for t in _threads().values() if t.messages)}
        if store is not None:
            try:
                summaries.update({s.id: s for s in store.list_threads(_user(), limit=100)})
            except ChmError as exc:
                st.caption(f"Thread list unavailable: {exc}")
        current = state.thread_id if state else None
        for group, items in history.group_threads(list(summaries.values())).items():
            st.caption(group)
            for item in items:
                st.button((item.title or "New chat")[:48], key=f"chat_thread_{item.id}", on_click=_switch,
                          args=(item.id,), width="stretch",
                          icon=":material/chevron_right:" if item.id == current else None)
        if state is not None and state.messages:
            _manage(state, store)


def _manage(state: ChatState, store: ConversationStore | None) -> None:
    with st.expander("Rename or delete this chat"):
        title = st.text_input("Title", value=state.title, key=f"chat_title_{state.thread_id}")
        if st.button("Rename", key="chat_rename") and title.strip():
            try:
                if store is not None and state.created:
                    store.rename_thread(_user(), state.thread_id, title.strip())
                state.title = title.strip()
                st.rerun()
            except ChmError as exc:
                st.error(f"Rename failed: {exc}")
        if confirm_delete("chat", state.thread_id, "Delete this conversation for good?"):
            try:
                if store is not None and state.created:
                    store.delete_thread(_user(), state.thread_id)
            except ChmError as exc:
                st.error(f"Delete failed: {exc}")
            else:
                _threads().pop(state.thread_id, None)
                _switch(None)
                st.rerun()


# --- the page ---------------------------------------------------------------------------------
def _ask(state: ChatState | None, question: str, answerer: Any) -> None:
    if state is None:
        state = ChatState(uuid.uuid4().hex)
        _threads()[state.thread_id] = state
        st.query_params["thread"] = state.thread_id
    earlier = list(state.messages)
    user_message = Message(role="user", content=question, id=new_id(), created_at=utcnow())
    state.add([user_message])
    with st.chat_message("user"):
        st.markdown(question)
    turn = Turn()
    with st.chat_message("assistant"):
        try:
            stream_events(answerer.respond(question, earlier, turn))
        except ChmError as exc:
            turn.say(f"The query failed: {exc}", {"model": answerer.label, "error": "query"})
            st.error(str(exc))
        state.add(turn.messages)
        if not _save(state):
            st.caption(f":material/warning: not saved: {state.error} — kept here and retried on the next turn")
    st.rerun()


def render_chat() -> None:
    """Draw the chat page: provider line, history, starter questions, input, sidebar."""
    settings = context.get_settings()
    st.title("Assistant")
    conn = context.get_connection() if status.banner() else None
    answerer = make_answerer(settings, conn) if conn is not None else None
    store = context_store()
    where = "saved in the conversation store" if store is not None else "kept in this browser (local store)"
    provider = answerer.label if answerer is not None else "unavailable"
    st.caption(f"Answering: **{provider}** · history {where}")

    local_ready = sync_local() if store is None else True
    state = current_state(local_ready)
    if state is not None and state.unsaved:
        _save(state)
    sidebar(state)
    if state is not None:
        render_messages(state, resolved_confirmations(state))

    limit = settings.assistant.max_chat_input
    # One character past the limit reaches the server (Streamlit cuts longer input), so it is refused, not cut.
    question = st.chat_input("Ask about your ClickHouse…", max_chars=limit + 1, disabled=answerer is None,
                             key="chat_input")
    if question and len(question) > limit:
        st.warning(f"That question is longer than {limit} characters (CHM_MAX_CHAT_INPUT); shorten it and ask again.")
        question = None
    if state is None or not state.messages:
        st.markdown("**Try one of these:**")
        columns = st.columns(3)
        for index, starter in enumerate(STARTERS):
            if columns[index % 3].button(starter, key=f"chat_starter_{index}", disabled=answerer is None):
                question = starter
    if question and answerer is not None:
        _ask(state, question.strip(), answerer)
