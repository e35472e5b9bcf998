"""The one renderer: draws any declared panel or page and owns every error a panel can raise.

Pages call `render_page(key)`; everything else (parameters, caching, charts, tables, links, errors) happens here.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.errors import ChmError, QueryTimeoutError, UnavailableError, UnreachableError
from core.logflush import flush_before_read
from dashboard import context, figures, status
from dashboard.alerts_view import render_alerts
from dashboard.catalog import ACTIONS, PAGES, PANELS, PageSpec
from dashboard.explain import explain_statement
from dashboard.panels import (
    MISSING_NAMES,
    NEEDS_NEWER,
    Panel,
    Param,
    Unit,
    control_refusal,
    format_value,
    read_value,
    run_action,
    run_panel,
    version_text,
)

# Error names a shipped statement meets on a server older than it was written for: a column, function or newer
# panel the server lacks. Shown as "not available on this server version", naming the version and what is missing.
VERSION_GAP_NAMES = frozenset(
    {"UNKNOWN_IDENTIFIER", "NO_SUCH_COLUMN_IN_TABLE", "THERE_IS_NO_COLUMN", "UNKNOWN_FUNCTION", NEEDS_NEWER}
)
# What 24.8 and older raise from merge('system', '^…_log') when the log does not exist (later ones raise
# CANNOT_EXTRACT_TABLE_STRUCTURE): a gap only on a panel that reads a log table.
OLD_LOG_GAP_NAMES = frozenset({"BAD_ARGUMENTS"})
# The identifier a server error quotes ('query_id' or `query_id`): shown as what is missing, never branched on.
_QUOTED = re.compile(r"['`]([A-Za-z_][A-Za-z0-9_.]*)['`]")
# Relative windows are rounded down to this many seconds so reruns within it hit the result cache.
WINDOW_QUANTUM_S = 10
EXPLAIN_KINDS = frozenset({"Select"})
STATUS_ICON = {"ok": ":green[:material/check_circle:]", "warning": ":orange[:material/warning:]",
               "critical": ":red[:material/error:]", "n/a": ":gray[:material/block:]",
               "no data": ":gray[:material/radio_button_unchecked:]"}
# How each declared unit is drawn in a table (Streamlit number formats; the cells keep the raw numbers).
UNIT_FORMAT: dict[Unit, str] = {
    "bytes": "bytes", "bytes_per_s": "bytes", "ms": "%,.0f ms", "s": "%,.1f s", "pct": "%.1f %%", "count": "%,d",
    "per_s": "%,.1f/s", "ratio": "%.2f",
}


class Missing:
    """A cached "not available on this server" answer (cached so a missing table costs one query per TTL)."""

    def __init__(self, name: str | None, message: str, version: str = "") -> None:
        self.name = name
        self.message = message
        self.version = version


def _quantize(moment: datetime) -> datetime:
    stamp = math.floor(moment.timestamp() / WINDOW_QUANTUM_S) * WINDOW_QUANTUM_S
    return datetime.fromtimestamp(stamp, UTC)


def window_bounds() -> tuple[datetime, datetime]:
    """The sidebar's window as naive UTC bounds, rounded for relative ranges so results can be cached."""
    window = context.current_window()
    start, end = window.start, window.end
    if window.label != "custom":
        start, end = _quantize(start), _quantize(end)
    return start.astimezone(UTC).replace(tzinfo=None), end.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Result:
    """A panel's rows and what drawing them needs (figure or linked table), built once per cached result.

    One Result is shared by every session that asks the same question within the TTL, so nothing may change it:
    readers get `frame` through `fetch_panel` (a copy-on-write view) and the renderer only reads the rest.
    """

    frame: pd.DataFrame
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None


def prepare(panel: Panel, frame: pd.DataFrame) -> Result:
    """Build what drawing a panel's rows needs: the plotly figure of a chart, the link columns of a table."""
    if frame.empty:
        return Result(frame)
    if panel.kind in ("line", "area", "bar"):
        return Result(frame, figure=figures.series(frame, str(panel.x), panel.y, panel.kind, color=panel.color,
                                                    height=280))
    if panel.kind in ("kpi", "text"):
        return Result(frame)
    return Result(frame, table=_linked(panel, frame))


@functools.cache
def _runner(ttl: int) -> Callable[..., Result | Missing]:
    """A process-wide cache of panel results with this TTL (one per distinct TTL), shared by every session.

    `st.cache_resource`, not `st.cache_data`: a hit hands out the stored object instead of unpickling a copy (a
    10,000-row result costs ~0.2 s to unpickle), and the figure and table built from it are kept with it.
    """

    def fetch(host_index: int, name: str, values: tuple, start: datetime | None, end: datetime | None,
              hide_own: bool, cluster: str | None) -> Result | Missing:
        panel = PANELS[name]
        try:
            flush_before_read(context.get_connection(host_index), panel.requires)
            frame = run_panel(context.get_connection(host_index), panel, dict(values), start=start, end=end,
                              hide_own=hide_own, cluster=cluster)
        except ChmError as exc:
            name = getattr(exc, "name", None)
            if is_version_gap(panel, name):
                return Missing(name, str(exc), context.get_connection(host_index).server.version_text)
            if isinstance(exc, UnavailableError) or name in MISSING_NAMES:
                return Missing(name, str(exc))
            raise
        try:
            return prepare(panel, frame)
        except KeyError as exc:  # a KeyError leaving the cached call must mean the cache race (see _result)
            raise ValueError(f"panel {name}: its result has no column {exc}") from exc

    fetch.__qualname__ = fetch.__name__ = f"fetch_ttl_{ttl}"
    return st.cache_resource(ttl=ttl, show_spinner=False, max_entries=1000)(fetch)


def clear_results() -> None:
    """Forget every cached panel result (as if each TTL had run out)."""
    for ttl in {panel.ttl for panel in PANELS.values()}:
        _runner(ttl).clear()


def _result(panel: Panel, values: dict[str, Any] | None) -> Result | Missing:
    """The cached Result; its key holds only the sidebar choices the panel's SQL reads, so the rest share it."""
    start, end = window_bounds() if panel.implicit & {"start", "end", "step"} else (None, None)
    key = (context.current_host_index(), panel.name, tuple(sorted((values or {}).items())), start, end,
           context.hide_own_queries() if "hide_own" in panel.implicit else True,
           context.current_cluster() if panel.cluster_sql else None)
    return call_cached(_runner(panel.ttl), *key)


def call_cached(cached: Callable[..., Any], *args: Any) -> Any:
    """Call an `st.cache_resource` function with a TTL, asking again if its entry expired while being read.

    Streamlit 1.67's cache_resource tests `key in cache` and then reads `cache[key]`; an entry whose TTL ends
    between the two raises KeyError (seen under load with 5 s TTLs). Asked again, the entry is simply missing.
    """
    try:
        return cached(*args)
    except KeyError:
        return cached(*args)


def fetch_panel(panel: Panel, values: dict[str, Any] | None = None) -> pd.DataFrame | Missing:
    """A panel's result for the sidebar's host, window, cluster and own-queries choice (cached for `panel.ttl`)."""
    result = _result(panel, values)
    return result if isinstance(result, Missing) else result.frame.copy(deep=False)


def is_version_gap(panel: Panel, name: str | None) -> bool:
    """Whether an error of this name on this panel means the server's version lacks what its SQL reads."""
    reads_log = bool(panel.requires and panel.requires.endswith("_log"))
    return name in VERSION_GAP_NAMES or (reads_log and name in OLD_LOG_GAP_NAMES)


def unavailable_note(panel: Panel, missing: Missing) -> str | None:
    """The note of a version gap or a missing grant; None for the other "not available" causes."""
    table = f"system.{panel.requires}" if panel.requires else ""
    if missing.name == "ACCESS_DENIED" and table and not panel.enable:
        return f"**{panel.title}**: not available: needs `GRANT SELECT ON {table} TO <dashboard user>`."
    if not is_version_gap(panel, missing.name):
        return None
    if missing.name == NEEDS_NEWER:
        what = f"needs ClickHouse ≥ {version_text(panel.min_version)}"
    elif missing.name in OLD_LOG_GAP_NAMES:
        what = f"no `{table}` table (enable the `<{panel.requires}>` section of the server configuration)"
    else:
        quoted = _QUOTED.search(missing.message)
        what = f"it lacks `{quoted.group(1)}`" if quoted else missing.message
        what += f" in `{table}`" if quoted and table else ""
    return (f"**{panel.title}**: not available on this server version (ClickHouse {missing.version or 'unknown'}):"
            f" {what} ({missing.name}).")


def _unavailable(panel: Panel, missing: Missing) -> None:
    note = unavailable_note(panel, missing)
    if note is not None:
        st.info(note, icon=":material/info:")
        return
    enable = panel.enable or (
        f"enable the `<{panel.requires}>` section of the server configuration" if panel.requires and
        panel.requires.endswith("_log") else "grant the dashboard's user access to it"
    )
    what = f"`system.{panel.requires}`" if panel.requires else "what this panel reads"
    if missing.name == "CANNOT_EXTRACT_TABLE_STRUCTURE":
        enable += " (a log table appears at its first flush, seconds after the first logged event)"
    docs = f" — [docs]({panel.docs})" if panel.docs else ""
    st.info(f"**{panel.title}**: not available on this server ({what}, {missing.name}). To see it: {enable}.{docs}",
            icon=":material/info:")


def _link_url(template: str, row: pd.Series) -> str:
    page, _, query = template.partition("?")
    pairs = [pair.split("=", 1) for pair in query.split("&") if pair]
    return f"/{page}?" + urlencode({param: str(row[column]) for param, column in pairs})


def _linked(panel: Panel, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows as shown: each declared link column turned into the URL of the page it opens."""
    linked = [(column, template) for column, template in panel.links.items() if column in frame.columns]
    if not linked:
        return frame
    frame = frame.copy()
    for column, template in linked:
        frame[column] = frame.apply(lambda row, t=template: _link_url(t, row), axis=1)
    return frame


def column_config(panel: Panel, frame: pd.DataFrame) -> dict[str, Any]:
    """Streamlit column settings of a table: headings in words, declared units, link columns (pure)."""
    config: dict[str, Any] = {}
    for column in frame.columns:
        if column in panel.links:
            config[column] = st.column_config.LinkColumn(panel.label(column), display_text=r"=([^&]*)$")
        elif column in panel.units:
            config[column] = st.column_config.NumberColumn(panel.label(column), format=UNIT_FORMAT[panel.units[column]])
        else:
            config[column] = st.column_config.Column(panel.label(column))
    return config


def rows_caption(frame: pd.DataFrame, limit: int | None) -> str:
    """How many rows the table shows out of how many, and why it stops when it was cut (pure)."""
    shown = len(frame)
    if frame.attrs.get("truncated"):
        return (f"{shown:,} rows shown: the result was cut at the row cap (CHM_MAX_RESULT_ROWS); narrow the filters "
                "or the time range to see the rest.")
    if limit is not None and shown >= limit:
        return f"{shown:,} rows shown: the first {limit:,} (the rows filter); more rows match, raise it to see them."
    return f"{shown:,} of {shown:,} rows"


def _table(panel: Panel, frame: pd.DataFrame, limit: int | None) -> None:
    st.dataframe(frame, column_config=column_config(panel, frame), hide_index=True, width="stretch")
    left, right = st.columns([5, 1])
    left.caption(rows_caption(frame, limit))
    # The CSV is made when the button is clicked, not on every rerun of every session.
    right.download_button("CSV", lambda: frame.to_csv(index=False).encode(), file_name=f"{panel.name}.csv",
                          mime="text/csv", key=f"csv_{panel.name}", icon=":material/download:")


def _draw(panel: Panel, result: Result, limit: int | None) -> None:
    frame = result.frame
    if panel.kind == "kpi":
        row = frame.iloc[0]
        names = list(panel.y) or list(frame.columns)
        for column, name in zip(st.columns(len(names)), names, strict=True):
            value = row[name].item() if hasattr(row[name], "item") else row[name]
            column.metric(panel.label(name), format_value(value, panel.units.get(name)))
    elif panel.kind in ("line", "area", "bar"):
        st.plotly_chart(result.figure, width="stretch", key=f"chart_{panel.name}")
    elif panel.kind == "text":
        row = frame.iloc[0]
        for name in panel.y or tuple(frame.columns):
            st.caption(panel.label(name))
            st.code(str(row[name]), language="sql", wrap_lines=True)
    else:
        _table(panel, result.table if result.table is not None else frame, limit)


def render_panel(name: str, values: dict[str, Any] | None = None, *, title: bool = True) -> pd.DataFrame | None:
    """Draw one panel; a failure becomes a note or an error box and never escapes. Returns the rows drawn."""
    panel = PANELS[name]
    with st.container():
        if title:
            st.markdown(f"**{panel.title}**", help=panel.description)
        try:
            result = _result(panel, values)
        except QueryTimeoutError as exc:
            st.warning(f"**{panel.title}** timed out: {exc} (setting CLICKHOUSE_MAX_EXECUTION_TIME)",
                       icon=":material/timer_off:")
            return None
        except ChmError as exc:
            if status.connection_problem(exc):
                st.caption("Waiting for the host to answer.")
                return None
            st.error(f"**{panel.title}** failed: {exc}")
            return None
        if isinstance(result, Missing):
            _unavailable(panel, result)
            return None
        if result.frame.empty:
            st.caption("No rows in this window.")
        else:
            limit = (values or {}).get("limit", panel.param("limit").default if panel.param("limit") else None)
            _draw(panel, result, limit)
        return result.frame.copy(deep=False)


def _filter_widget(page: PageSpec, param: Param) -> Any:
    key = f"f_{page.key}_{param.name}"
    from_url = st.query_params.get(param.name)
    if key not in st.session_state and from_url is not None:
        st.session_state[key] = from_url if not param.type.startswith(("UInt", "Int")) else int(from_url)
    label = param.description or param.name.replace("_", " ")
    if param.choices:
        return st.selectbox(label, list(param.choices), key=key,
                            index=list(param.choices).index(param.default) if key not in st.session_state else None)
    if param.type.startswith(("UInt", "Int")):
        return int(st.number_input(label, min_value=0, value=int(param.default), step=1, key=key))
    return st.text_input(label, value=str(param.default), key=key)


def _filters(page: PageSpec) -> dict[str, Any]:
    declared: dict[str, Param] = {}
    for name in page.panel_names:
        for param in PANELS[name].params:
            declared.setdefault(param.name, param)
    shown = [declared[name] for name in page.filters if name in declared]
    if not shown:
        return {}
    values: dict[str, Any] = {}
    for column, param in zip(st.columns(min(len(shown), 6)) * 2, shown, strict=False):
        with column:
            values[param.name] = _filter_widget(page, param)
    return values


def _values_for(panel: Panel, values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if panel.param(k) is not None}


PICKED_QUERY = "pick_query_id"


def _picked(filter_key: str) -> None:
    st.session_state[filter_key] = st.session_state[PICKED_QUERY]
    st.query_params["query_id"] = st.session_state[PICKED_QUERY]


def _pick_query(page: PageSpec) -> None:
    """Query detail without an id: invite a pick from the window's recent queries instead of empty panels."""
    panel = PANELS["recent_queries"]
    try:
        recent = fetch_panel(panel)
    except ChmError as exc:
        st.error(f"**{panel.title}** failed: {exc}")
        return
    if isinstance(recent, Missing):
        _unavailable(panel, recent)
        return
    if recent.empty:
        st.caption("No queries in this window to pick from: paste a query id above, or widen the time range.")
        return
    shown = {row.query_id: f"{row.event_time:%H:%M:%S} · {row.user} · {row.status} · "
             f"{format_value(row.query_duration_ms, 'ms')} · {row.query[:80]}" for row in recent.itertuples()}
    st.selectbox(f"Pick one of the {len(shown):,} latest queries", list(shown), index=None, key=PICKED_QUERY,
                 format_func=shown.__getitem__, placeholder="Choose a query to open",
                 on_change=_picked, args=(f"f_{page.key}_query_id",))


def _body(page: PageSpec) -> None:
    values = _filters(page)
    if page.special == "explain" and not values.get("query_id"):
        _pick_query(page)
        return
    for row in page.rows:
        columns = st.columns(len(row)) if len(row) > 1 else [st.container()]
        for column, name in zip(columns, row, strict=True):
            with column:
                render_panel(name, _values_for(PANELS[name], values))
    for action in page.actions:
        _action(action, values)
    if page.special == "explain":
        _explain(values)


def render_page(key: str) -> None:
    """Draw a declared page: title, filters, its panels in rows, its actions; refreshes itself when asked."""
    page = PAGES[key]
    if page.special == "health":
        render_health()
        return
    st.header(page.title)
    if page.intro:
        st.caption(page.intro)
    if not status.banner():
        return
    every = context.REFRESH_CHOICES.get(st.session_state.get("refresh", "off"))
    if every:
        st.fragment(run_every=every)(_body)(page)
    else:
        _body(page)
    if status.host_down(context.current_host_index()):
        st.rerun()  # the host stopped answering while the panels ran: show its banner instead of their notes


def _action(name: str, values: dict[str, Any]) -> None:
    action = ACTIONS[name]
    settings = context.get_settings()
    with st.expander(action.title):
        if not settings.app.enable_control_actions:
            st.caption(f"{action.description} Off: set CHM_ENABLE_CONTROL_ACTIONS=true to allow it.")
            return
        refused = control_refusal(context.get_connection().server)
        if refused:
            st.caption(f"{action.description} Not available: {refused}")
            return
        inputs = {p.name: st.text_input(p.description or p.name, value=str(values.get(p.name, p.default)),
                                        key=f"a_{name}_{p.name}") for p in action.params}
        confirmed = st.checkbox(f"I confirm: {action.title.lower()} {inputs}", key=f"a_{name}_confirm")
        if st.button(action.title, key=f"a_{name}_run", disabled=not confirmed or not all(inputs.values())):
            try:
                run_action(context.get_connection(), action, inputs)
            except ChmError as exc:
                st.error(f"{action.title} failed: {exc}")
            else:
                st.success(f"{action.title}: sent.")


def explain_plan(query: str) -> pd.DataFrame:
    """EXPLAIN (plan with indexes) of a logged SELECT, read-only, built by the one EXPLAIN builder."""
    conn = context.get_connection()
    return conn.query_df(explain_statement(conn, query), readonly=True, adhoc=True)


def _explain(values: dict[str, Any]) -> None:
    try:
        detail = fetch_panel(PANELS["query_detail"], _values_for(PANELS["query_detail"], values))
    except ChmError:
        return  # the query-detail panel above already shows this error
    if isinstance(detail, Missing) or detail.empty:
        return
    row = detail.iloc[0]
    with st.expander("EXPLAIN (plan with indexes)"):
        if row["query_kind"] not in EXPLAIN_KINDS:
            st.caption(f"Only SELECT queries can be explained; this one is {row['query_kind'] or 'unknown'}.")
        elif st.button("Run EXPLAIN", key="explain_run"):
            try:
                st.code("\n".join(explain_plan(str(row["query"]))["explain"]), language="text")
            except (ChmError, ValueError) as exc:
                st.error(f"EXPLAIN failed: {exc}")


def check_status(panel: Panel, frame: pd.DataFrame | Missing) -> tuple[str, float | None, float, float, str]:
    """Status, measured value, warning and critical thresholds, and detail of one health-check result."""
    check = panel.check
    assert check is not None
    warning, critical = context.get_settings().health.levels(check)
    if isinstance(frame, Missing):
        return "n/a", None, warning, critical, "not available on this server"
    value, detail = read_value(frame)
    if value is None:
        return "no data", None, warning, critical, "no data in this window"
    return check.status(value, warning, critical), value, warning, critical, detail


def health_results() -> tuple[list[tuple[Panel, str, float | None, float, float, str]], UnreachableError | None]:
    """Every health check's (panel, status, value, warning, critical, detail), and the error if the host is gone."""
    results: list[tuple[Panel, str, float | None, float, float, str]] = []
    unreachable: UnreachableError | None = None
    for panel in (p for p in PANELS.values() if p.check):
        try:
            frame = fetch_panel(panel)
        except ChmError as exc:
            unreachable = exc if isinstance(exc, UnreachableError) else unreachable
            results.append((panel, "n/a", None, 0.0, 0.0, f"failed: {exc}"))
            continue
        results.append((panel, *check_status(panel, frame)))
    return results, unreachable


def render_health() -> None:
    """The Health page: active alerts, then every check with status, value, threshold, meaning and what to do."""
    st.header("Health")
    if not status.banner():
        return
    render_alerts()
    st.subheader("Checks")
    st.caption("Each check compares a measured value with thresholds from settings (CHM_HEALTH_*).")
    results, unreachable = health_results()
    if unreachable is not None:
        st.error(f"The checks could not run: {unreachable}")
    counts = pd.Series([r[1] for r in results]).value_counts()
    statuses = ("critical", "warning", "ok", "no data", "n/a")
    for column, state in zip(st.columns(len(statuses)), statuses, strict=True):
        column.metric(f"{STATUS_ICON[state]} {state}", int(counts.get(state, 0)))
    order = {"critical": 0, "warning": 1, "ok": 2, "no data": 3, "n/a": 4}
    grid = st.columns(2)
    for index, (panel, verdict, value, warning, critical, detail) in enumerate(
        sorted(results, key=lambda r: order[r[1]])
    ):
        check = panel.check
        with grid[index % 2].container(border=True):
            shown = "—" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")
            compare = "≥" if check.higher_is_worse else "≤"
            st.markdown(f"{STATUS_ICON[verdict]} **{panel.title}** — {verdict}  \n"
                        f"value **{shown}** {check.unit} · warning {compare} {warning:g} · critical {compare} "
                        f"{critical:g}")
            if detail:
                st.caption(detail)
            st.markdown(f"*Means:* {check.meaning}  \n*Do:* {check.action}")
