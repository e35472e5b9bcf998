"""The Conversations and History analytics pages: Streamlit layout over `history.queries`, `.export`, `.console`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import streamlit as st

from assistant.history import ChatState
from assistant.ui import render_messages
from chstore import ConversationStore
from core.errors import ChmError
from dashboard import context, figures
from dashboard.confirm import confirm_delete, forget_delete
from dashboard.frame import script_path
from history import console, download, export
from history.queries import ALL_USERS, EPOCH, FAR_FUTURE, Filters, Row, Scope, ThreadBrowser, analytics, scope_for

PAGE_SIZE = 25
CHAT_PAGE = "pages/chat.py"


# --- shared ---------------------------------------------------------------------------------
def _viewer(title: str) -> tuple[ConversationStore, str, bool] | None:
    """The page's title, then (store, user, admin), or None after explaining why there is nothing to show."""
    st.title(title)
    user = context.current_user()
    if user is None:
        st.warning("Sign in to see your conversations.")
        return None
    try:
        store = context.get_store()
    except ChmError as exc:
        st.error(f"The conversation store is not available: {exc}")
        return None
    if store is None:
        st.info("Server-side history is off (AGENT_CONVERSATION_PERSISTENCE): conversations live only in the browser "
                "session, so there is nothing to browse here.")
        return None
    return store, user, context.is_admin(user)


def _scope(browser: ThreadBrowser, user: str, admin: bool) -> Scope:
    """The admin's user switch (everyone else: their own conversations only)."""
    if not admin:
        return Scope(user)
    others = [u for u in browser.users() if u != user]
    choices = [user, ALL_USERS, *others]
    if st.session_state.get("hist_user") not in choices:
        wanted = st.query_params.get("user")
        st.session_state["hist_user"] = wanted if wanted in choices else user
    choice = st.selectbox("Conversations of", choices, key="hist_user",
                          format_func=lambda u: "all users" if u == ALL_USERS else (f"{u} (you)" if u == user else u))
    return scope_for(user, admin, choice)


def _day_bounds(value: Any) -> tuple[datetime, datetime]:
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, date) for v in value):
        return datetime.combine(value[0], time.min, UTC), datetime.combine(value[1], time.min, UTC) + timedelta(days=1)
    return EPOCH, FAR_FUTURE


# --- Conversations ----------------------------------------------------------------------------
def _filters(browser: ThreadBrowser, scope: Scope) -> Filters:
    facets = browser.facets(scope)
    sql_only = not browser.filters_supported
    text = st.text_input("Search titles and messages", key="hist_text", placeholder="a word from the conversation")
    left, middle, right, last = st.columns([2, 2, 2, 1])
    dates = left.date_input("Last activity between", value=[], key="hist_dates", disabled=sql_only)
    tool = middle.selectbox("Tool used", ["", *facets["tools"]], key="hist_tool", disabled=sql_only,
                            format_func=lambda t: t or "any tool")
    model = right.selectbox("Model", ["", *facets["models"]], key="hist_model", disabled=sql_only,
                            format_func=lambda m: m or "any model")
    errors = last.checkbox("Has errors", key="hist_errors", disabled=sql_only)
    if sql_only:
        st.info(f"This conversation store is `{browser.store.kind}`: search works through the store, but the date, "
                "tool, error and model filters need the ClickHouse store and are off.")
    start, end = _day_bounds(dates)
    return Filters(start=start, end=end, text=text or "", tool=tool or "", has_errors=bool(errors), model=model or "")


def _open(row: Row) -> None:
    st.query_params["open"] = row.thread_id
    st.query_params["owner"] = row.user_id


def _close() -> None:
    for key in ("open", "owner"):
        st.query_params.pop(key, None)
    forget_delete("hist")


@st.fragment(run_every=download.LINK_TTL / 2)
def _export_link(label: str, key: str, grant: download.Grant) -> None:
    """A link to the streamed export route, re-signed every half link lifetime so an idle page never shows a dead one."""
    url = download.link(grant, download.signing_key(context.get_settings()), datetime.now(UTC).timestamp(),
                        st.get_option("server.baseUrlPath"))
    st.link_button(label, url, key=key, help="Streams the file as it is read; the link is valid "
                   f"{download.LINK_TTL // 60} minutes.")


def _export(label: str, key: str, grant: download.Grant, make_stream: Any, stem: str) -> None:
    """An export control: a link to the streamed route when this server mounts it (`server.py`), else Streamlit's
    download button (it holds the whole file in the server's memory)."""
    if download.mounted():
        _export_link(label, key, grant)
        return
    fmt = grant.fmt
    st.download_button(label, data=export.deferred(make_stream), file_name=export.file_name(stem, fmt),
                       mime=export.FORMATS[fmt][0], key=key, on_click="ignore",
                       help="Start the app with `streamlit run server.py` to stream large exports.")


def _list(browser: ThreadBrowser, viewer: str, scope: Scope, filters: Filters) -> None:
    state_key = (scope, filters)
    if st.session_state.get("hist_list_key") != state_key:
        st.session_state["hist_list_key"] = state_key
        st.session_state["hist_cursors"] = [None]
    cursors: list[str | None] = st.session_state["hist_cursors"]
    page = browser.page(scope, filters, limit=PAGE_SIZE, cursor=cursors[-1])
    for note in page.notes:
        st.info(note)
    if page.matching is not None:
        st.caption(f"**{page.matching}** conversations · **{page.matching_messages}** messages match · "
                   f"page {len(cursors)}")
    if not page.rows:
        st.info("No conversations match." if len(cursors) == 1 else "No more conversations.")
    for row in page.rows:
        title, when, count = st.columns([6, 2, 1])
        label = (row.title or "Untitled conversation")[:100]
        if scope.all_users:
            label = f"{label} · {row.user_id}"
        title.button(label, key=f"hist_open_{row.user_id}_{row.thread_id}", on_click=_open, args=(row,),
                     width="stretch")
        when.caption(row.updated_at.strftime("%Y-%m-%d %H:%M UTC"))
        count.caption(f"{row.message_count} msgs")
    newer, older, fmt, save = st.columns([1, 1, 1, 2])
    if newer.button("← Newer", key="hist_newer", disabled=len(cursors) == 1):
        cursors.pop()
        st.rerun()
    if older.button("Older →", key="hist_older", disabled=page.next_cursor is None):
        cursors.append(page.next_cursor)
        st.rerun()
    chosen = fmt.selectbox("Format", list(export.FORMATS), key="hist_all_fmt", label_visibility="collapsed")
    store = browser.store
    with save:
        _export("Export all matching", "hist_all", download.Grant(viewer, scope, chosen, filters),
                lambda: export.chunks(export.threads_of(store, browser.iter_rows(scope, filters)), chosen),
                "conversations")


def _detail(store: ConversationStore, viewer: str, admin: bool, thread_id: str, owner: str) -> None:
    owner = owner if admin and owner else viewer
    st.button("← All conversations", key="hist_back", on_click=_close)
    try:
        thread = store.get_thread(owner, thread_id)
    except ChmError as exc:
        st.error(f"Could not load this conversation: {exc}")
        return
    if thread is None:
        st.info("This conversation does not exist (or was deleted).")
        return
    st.subheader(thread.title or "Untitled conversation")
    st.caption(f"{len(thread.messages)} messages · started {thread.created_at:%Y-%m-%d %H:%M} UTC · "
               f"last activity {thread.updated_at:%Y-%m-%d %H:%M} UTC · user {owner}")
    actions = st.columns([2, 1, 2])
    if owner == viewer:
        actions[0].page_link(script_path(CHAT_PAGE), label="Continue in the assistant", icon=":material/chat:",
                             query_params={"thread": thread.id})
    chosen = actions[1].selectbox("Format", list(export.FORMATS), key="hist_one_fmt", label_visibility="collapsed")
    with actions[2]:
        _export("Export this conversation", "hist_one",
                download.Grant(viewer, Scope(owner), chosen, thread_id=thread.id),
                lambda: export.chunks([thread], chosen), thread.title or thread.id)
    with st.expander("Rename or delete"):
        title = st.text_input("Title", value=thread.title, key=f"hist_title_{thread.id}")
        if st.button("Rename", key="hist_rename") and title.strip():
            try:
                store.rename_thread(owner, thread.id, title.strip())
            except ChmError as exc:
                st.error(f"Rename failed: {exc}")
            else:
                st.rerun()
        if confirm_delete("hist", thread.id,
                          "Delete this conversation for good? It disappears everywhere, the assistant included."):
            try:
                store.delete_thread(owner, thread.id)
            except ChmError as exc:
                st.error(f"Delete failed: {exc}")
            else:
                _close()
                st.session_state.pop("hist_list_key", None)
                st.toast("Conversation deleted")
                st.rerun()
    state = ChatState(thread.id, list(thread.messages), {m.id for m in thread.messages}, True, thread.title)
    render_messages(state, {m.id for m in thread.messages})


def render_conversations() -> None:
    """The Conversations page: filters, counts, keyset pages, export; or one conversation's transcript."""
    viewer = _viewer("Conversations")
    if viewer is None:
        return
    store, user, admin = viewer
    opened = st.query_params.get("open")
    if opened:
        _detail(store, user, admin, opened, st.query_params.get("owner", ""))
        return
    browser = ThreadBrowser(store)
    try:
        scope = _scope(browser, user, admin)
        filters = _filters(browser, scope)
        _list(browser, user, scope, filters)
    except ChmError as exc:
        st.error(f"Could not read the conversations: {exc}")


# --- History analytics ------------------------------------------------------------------------
def _charts(store: ConversationStore, scope: Scope, start: datetime, end: datetime) -> None:
    daily = analytics(store, "activity_per_day", scope, start, end)
    tools = analytics(store, "tool_usage", scope, start, end, limit=20)
    tokens = analytics(store, "tokens_by_model", scope, start, end)
    unanswered = analytics(store, "unanswered", scope, start, end, limit=50)
    if not daily.empty:
        st.plotly_chart(figures.series(daily, "day", ["conversations", "messages"],
                                       title="Conversations and messages per day"), width="stretch",
                        key="hist_chart_daily")
    left, right = st.columns(2)
    with left:
        if tools.empty:
            st.info("No tool calls in this window.")
        else:
            st.plotly_chart(figures.series(tools, "tool", ["calls"], "bar", title="Most used tools"), width="stretch",
                            key="hist_chart_tools")
            st.plotly_chart(figures.series(tools, "tool", ["p50_ms", "p95_ms"], "bar", barmode="group",
                                           title="Tool latency (ms)"), width="stretch", key="hist_chart_latency")
            st.plotly_chart(figures.series(tools, "tool", ["failure_rate"], "bar", title="Tool failure rate",
                                           y_range=(0, 1)), width="stretch", key="hist_chart_failures")
    with right:
        if tokens.empty:
            st.info("No answers in this window.")
        else:
            st.plotly_chart(figures.series(tokens, "model", ["prompt_tokens", "completion_tokens"], "bar",
                                           title="Tokens by model"), width="stretch", key="hist_chart_tokens")
            st.dataframe(tokens, hide_index=True, width="stretch", key="hist_df_tokens")
        st.markdown("**Questions the built-in assistant could not answer**")
        if unanswered.empty:
            st.caption("None in this window.")
        else:
            st.dataframe(unanswered, hide_index=True, width="stretch", key="hist_df_unanswered")


def _use_template() -> None:
    chosen = st.session_state.get("hist_template")
    for template in console.templates():
        if template.name == chosen:
            st.session_state["hist_sql"] = template.sql


def _console(store: ConversationStore, scope: Scope, admin: bool) -> None:
    st.subheader("SQL console")
    st.caption("Read-only queries over `threads` and `messages`"
               + (" — every user's rows (admin)." if scope.all_users else f" — the rows of {scope.user_id} only."))
    templates = console.templates()
    if "hist_sql" not in st.session_state:
        st.session_state["hist_sql"] = st.query_params.get("sql") or templates[0].sql
    st.selectbox("Templates", [t.name for t in templates], key="hist_template", on_change=_use_template,
                 format_func=lambda name: next(t.title for t in templates if t.name == name))
    sql = st.text_area("SQL", key="hist_sql", height=180)
    if not st.button("Run", key="hist_run", type="primary"):  # a shared ?sql= link only fills the editor
        return
    st.query_params["sql"] = sql
    try:
        frame = console.run(store, sql, scope, admin)
    except ChmError as exc:
        st.error(str(exc))
        return
    if frame.empty:
        st.info("The query returned no rows.")
        return
    st.dataframe(frame, hide_index=True, width="stretch", key="hist_df_console")
    figure = figures.auto(frame, rankings=True)
    if figure is not None:
        st.plotly_chart(figure, width="stretch", key="hist_chart_console")
    st.download_button("Download CSV", data=frame.to_csv(index=False), file_name="history-query.csv",
                       mime="text/csv", key="hist_csv", on_click="ignore")


def render_analytics() -> None:
    """The History analytics page: charts over the conversation table and the scoped SQL console."""
    viewer = _viewer("History analytics")
    if viewer is None:
        return
    store, user, admin = viewer
    browser = ThreadBrowser(store)
    if not browser.filters_supported:
        st.info(f"Analytics and the SQL console run on the ClickHouse conversation store; this one is `{store.kind}`.")
        return
    scope = _scope(browser, user, admin)
    today = datetime.now(UTC).date()
    dates = st.date_input("Window (UTC days)", value=[today - timedelta(days=29), today], key="hist_window")
    start, end = _day_bounds(dates)
    try:
        _charts(store, scope, start, end)
        _console(store, scope, admin)
    except ChmError as exc:
        st.error(f"Could not read the conversation table: {exc}")
