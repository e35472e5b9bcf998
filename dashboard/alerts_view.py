"""The Health page's alert section: active alerts first, the last 7 days by severity and per host, silencing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from alerts.history import AlertLog
from core.errors import ChmError
from dashboard import context, figures
from dashboard.catalog import PANELS

HISTORY_DAYS = 7
SILENCE_CHOICES = {"1 hour": timedelta(hours=1), "4 hours": timedelta(hours=4), "1 day": timedelta(days=1),
                   "7 days": timedelta(days=7)}
SEVERITY_COLORS = {"critical": "#d62728", "warning": "#ff7f0e", "ok": "#2ca02c"}
ICON = {"critical": ":red[:material/error:]", "warning": ":orange[:material/warning:]"}


@st.cache_resource(show_spinner=False)
def _log() -> AlertLog:
    return AlertLog.from_settings(context.get_settings(), context.get_connection(0))


def _silence_form(log: AlertLog, active: pd.DataFrame) -> None:
    hosts = context.get_settings().clickhouse.host_labels
    keys = [(row.host, row.check_name) for row in active.itertuples()]
    keys += [(host, p.name.removeprefix("health_")) for host in hosts for p in PANELS.values()
             if p.check and (host, p.name.removeprefix("health_")) not in keys]
    with st.expander("Silence an alert"), st.form("alert_silence"):
        key = st.selectbox("Check", keys, format_func=lambda k: f"{k[0]} · {k[1]}", key="alert_silence_key")
        span = st.selectbox("For", list(SILENCE_CHOICES), key="alert_silence_span")
        if st.form_submit_button("Silence") and key:
            until = datetime.now(UTC) + SILENCE_CHOICES[span]
            try:
                log.silence(key[0], key[1], until, who=context.current_user() or "")
            except ChmError as exc:
                st.error(f"Silencing failed: {exc}")
            else:
                st.success(f"{key[1]} on {key[0]} silenced until {until:%Y-%m-%d %H:%M} UTC.")


def active_lines() -> list[str]:
    """The firing alerts, one line each (Home lists them); none when the alert table cannot be read."""
    try:
        active = _log().active()
    except ChmError:
        return []
    return [f"**{row.title}** on **{row.host}**: {row.severity} since {row.since:%Y-%m-%d %H:%M} UTC"
            for row in active.itertuples()]


def render_alerts() -> None:
    """Active alerts, silences, the last 7 days (chart by severity, a table per host) and the silence form."""
    try:
        log = _log()
        active = log.active()
        silences = log.silences()
        since = datetime.now(UTC) - timedelta(days=HISTORY_DAYS)
        history, daily = log.history(since), log.daily(since)
    except ChmError as exc:
        st.info(f"Alerts: not available ({exc}).", icon=":material/info:")
        return
    st.subheader("Alerts")
    if active.empty:
        st.caption("No alert is firing.")
    silenced = {(row.host, row.check_name): row.until for row in silences.itertuples()}
    for row in active.itertuples():
        muted = silenced.get((row.host, row.check_name))
        value = "—" if pd.isna(row.value) else f"{row.value:g}"
        note = f" · silenced until {muted:%Y-%m-%d %H:%M} UTC" if muted is not None else ""
        st.markdown(f"{ICON.get(row.severity, ':gray[:material/circle:]')} **{row.title}** on **{row.host}** — {row.severity} since "
                    f"{row.since:%Y-%m-%d %H:%M} UTC · value {value} · threshold {row.threshold:g}{note}")
    _silence_form(log, active)
    st.markdown(f"**Last {HISTORY_DAYS} days**")
    if history.empty:
        st.caption("No alert events in the last 7 days.")
        return
    if not daily.empty:
        st.plotly_chart(figures.series(daily, "day", ["alerts"], "bar", color="severity", colors=SEVERITY_COLORS,
                                       height=220, y_title="alerts fired"), width="stretch", key="alerts_daily")
    hosts = sorted(history["host"].unique())
    for tab, host in zip(st.tabs(hosts), hosts, strict=True):
        with tab:
            rows = history[history["host"] == host].drop(columns=["host"])
            st.dataframe(rows, hide_index=True, width="stretch")
