"""Panel declarations: what a panel asks (an SQL file and its parameters) and how it is drawn.

The same declarations feed the dashboard pages and the assistant's tools.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pandas as pd
from pydantic import Field, create_model

from core import sqlfiles
from core.connection import APP_TAG, Connection, ServerInfo
from core.errors import UnavailableError, ValidationError
from core.settings import Area

ChartKind = Literal["table", "line", "area", "bar", "kpi", "text"]
Unit = Literal["bytes", "bytes_per_s", "ms", "s", "pct", "count", "per_s", "ratio"]
"""How a numeric column is shown; the data keeps the raw number (sorting and CSV stay numeric)."""

# Parameters every panel may use without declaring them; the caller (renderer or assistant) supplies them.
WINDOW_PARAMS = ("start", "end", "step", "hide_own", "tag")
# The error name of a panel whose `min_version` is above the server's.
NEEDS_NEWER = "NEEDS_NEWER_SERVER"
# Error names that mean "this server has nothing there" although the driver reports them as plain query errors:
# a log table that was never created (merge() finds no table) and a feature without its config section.
MISSING_NAMES = frozenset({"CANNOT_EXTRACT_TABLE_STRUCTURE", "NO_ELEMENTS_IN_CONFIG"})
# The cluster a fan-out variant (`Panel.cluster_sql`) reads; supplied by run_panel from the sidebar's picker.
CLUSTER_PARAM = "cluster"
DEFAULT_WINDOW = timedelta(hours=1)
"""The window a panel, a check or a tool reads when none is chosen (the sidebar's default range too)."""
# What a question in words can set on a panel (the assistant reads these from the question).
QUESTION_PARAMS = ("database", "table", "user", "window", "limit")


@dataclass(frozen=True)
class Param:
    """A declared `{name:Type}` parameter with its default and a description (the assistant reads it)."""

    name: str
    type: str
    default: Any
    description: str = ""
    choices: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Check:
    """How a health panel's `value` column becomes ok / warning / critical, with its thresholds declared.

    `warning` and `critical` are the default thresholds in `unit`, and `source` cites where they come from; each is
    the setting `CHM_HEALTH_<NAME>_WARNING` / `_CRITICAL` (`health_settings` makes them from the declarations). A
    value reaching a threshold has its status; `higher_is_worse=False` flips the comparison.
    """

    name: str
    meaning: str
    action: str
    unit: str
    warning: float
    critical: float
    source: str
    higher_is_worse: bool = True

    def status(self, value: float, warning: float, critical: float) -> str:
        """`ok`, `warning` or `critical` for a measured value against the two thresholds."""
        if self.higher_is_worse:
            return "critical" if value >= critical else "warning" if value >= warning else "ok"
        return "critical" if value <= critical else "warning" if value <= warning else "ok"

    @property
    def settings_fields(self) -> tuple[str, str]:
        """The names of its warning and critical fields in the health settings (`CHM_HEALTH_` + the name, upper)."""
        return f"{self.name}_warning", f"{self.name}_critical"


class ThresholdSettings(Area, env_prefix="CHM_HEALTH_"):
    """The health checks' thresholds in force; `health_settings` adds one warning and one critical field per check."""

    def levels(self, check: Check) -> tuple[float, float]:
        """The warning and critical thresholds of `check`."""
        warning, critical = check.settings_fields
        return getattr(self, warning), getattr(self, critical)


def health_settings(checks: Iterable[Check]) -> type[ThresholdSettings]:
    """The settings sub-model of the declared checks: two float fields each, default, unit and source documented."""
    fields: dict[str, Any] = {}
    for check in checks:
        if check.settings_fields[0] in fields:
            raise ValueError(f"two health checks are called {check.name}")
        for field_name, level, default in zip(check.settings_fields, ("warning", "critical"),
                                              (check.warning, check.critical), strict=True):
            fields[field_name] = (float, Field(float(default), description=f"Health check `{check.name}`: {level} "
                                               f"threshold ({check.unit}); default: {check.source}"))
    return create_model("HealthSettings", __base__=ThresholdSettings, __doc__=ThresholdSettings.__doc__, **fields)


def read_value(frame: pd.DataFrame, column: str = "value") -> tuple[float | None, str]:
    """A check's measured value (first row of `column`; None when there is no row or it is NULL) and its `detail`."""
    value = frame[column].iloc[0] if not frame.empty else None
    if value is None or pd.isna(value):
        return None, ""
    detail = str(frame["detail"].iloc[0]) if "detail" in frame.columns else ""
    return float(value), detail


@dataclass(frozen=True)
class Action:
    """A control statement (KILL …) run only when `CHM_ENABLE_CONTROL_ACTIONS` is on and the user confirms."""

    name: str
    title: str
    sql: str
    description: str
    params: tuple[Param, ...] = ()

    def param(self, name: str) -> Param | None:
        """The declared parameter called `name`, if any."""
        return next((p for p in self.params if p.name == name), None)


@dataclass(frozen=True)
class Panel:
    """One panel: an SQL file plus how to draw it and what it needs from the server."""

    name: str
    title: str
    sql: str
    description: str
    kind: ChartKind = "table"
    x: str | None = None
    y: tuple[str, ...] = ()
    color: str | None = None
    params: tuple[Param, ...] = ()
    ttl: int = 30
    requires: str | None = None
    docs: str = ""
    acceptable_errors: frozenset[str] = field(default_factory=frozenset)
    links: dict[str, str] = field(default_factory=dict)
    cluster_sql: str | None = None
    enable: str = ""
    check: Check | None = None
    phrases: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    min_version: tuple[int, ...] = ()
    variants: tuple[tuple[tuple[int, ...], str], ...] = ()
    """Older servers' SQL: `((25, 8), "area/name_24_8")` runs that file on servers older than 25.8 (first match)."""
    units: dict[str, Unit] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    needs_server: str = ""
    """What only a ClickHouse server has that the panel's rows come from, and why the embedded engine never has it
    (Keeper, a cluster, a crash…); empty when the embedded engine can show rows (the demo workload makes them)."""

    @property
    def sql_files(self) -> tuple[str, ...]:
        """Every SQL file the panel may run (the local one, older servers' variants, the fan-out one)."""
        return (self.sql, *(sql for _, sql in self.variants), *((self.cluster_sql,) if self.cluster_sql else ()))

    def sql_for(self, version: tuple[int, ...]) -> str:
        """The SQL file for a server of `version`: the first variant whose bound is above it, else `sql`."""
        return next((sql for below, sql in self.variants if version < below), self.sql)

    def runs_on(self, version: tuple[int, ...]) -> bool:
        """Whether a server of `version` is new enough for the panel (`min_version`)."""
        return version[: len(self.min_version)] >= self.min_version

    def param(self, name: str) -> Param | None:
        """The declared parameter called `name`, if any."""
        return next((p for p in self.params if p.name == name), None)

    def label(self, column: str) -> str:
        """The column's heading in words: declared, else its name without the unit suffix (`read_bytes` → Read)."""
        if column in self.labels:
            return self.labels[column]
        words = column.split("_")
        if len(words) > 1 and words[-1] in UNIT_SUFFIXES:
            words = words[:-1]
        return " ".join(words).capitalize()

    @property
    def reads(self) -> tuple[str, ...]:
        """The system tables its SQL reads: declared in `tables`, else the one it requires."""
        return self.tables or ((self.requires,) if self.requires else ())

    @property
    def fillable(self) -> tuple[str, ...]:
        """Which of `QUESTION_PARAMS` a question can fill for it (`window` when its SQL reads a time window)."""
        used = {name for sql in self.sql_files for name in sqlfiles.placeholders(sqlfiles.load(sql))}
        used |= {"window"} if {"start", "end"} & used else set()
        return tuple(name for name in QUESTION_PARAMS if name in used)

    @property
    def implicit(self) -> frozenset[str]:
        """The implicit parameters (`WINDOW_PARAMS`) its SQL reads: what of the sidebar can change its answer."""
        used = {name for sql in self.sql_files for name in sqlfiles.placeholders(sqlfiles.load(sql))}
        return frozenset(used & set(WINDOW_PARAMS))


def version_text(version: tuple[int, ...]) -> str:
    """(25, 8) → "25.8"."""
    return ".".join(str(part) for part in version)


UNIT_SUFFIXES = frozenset({"bytes", "ms", "s", "seconds", "pct"})
_IEC = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def format_bytes(value: float) -> str:
    """Bytes in binary units: `785871` → `767.5 KiB`."""
    size, unit = float(value), 0
    while abs(size) >= 1024 and unit < len(_IEC) - 1:
        size, unit = size / 1024, unit + 1
    return f"{size:,.0f} B" if unit == 0 else f"{size:,.1f} {_IEC[unit]}"


def format_duration(seconds: float) -> str:
    """A duration in the unit that reads best: `0.785` → `785 ms`, `4` → `4.0 s`, `3900` → `1 h 5 min`."""
    if abs(seconds) < 1:
        return f"{seconds * 1000:,.0f} ms"
    if abs(seconds) < 60:
        return f"{seconds:.1f} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min {int(seconds % 60)} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def format_value(value: Any, unit: Unit | None) -> str:
    """One value as people read it, in its declared unit, with thousands separators (`—` for none)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if unit == "bytes":
        return format_bytes(value)
    if unit == "bytes_per_s":
        return format_bytes(value) + "/s"
    if unit in ("ms", "s"):
        return format_duration(value / 1000 if unit == "ms" else value)
    if unit == "pct":
        return f"{value:,.1f} %"
    if unit == "per_s":
        return f"{value:,.1f}/s"
    if unit == "ratio":
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def bucket_seconds(start: datetime, end: datetime, points: int = 120) -> int:
    """A round bucket size giving about `points` points over the window (for `WITH FILL ... STEP`)."""
    span = max(1, int((end - start).total_seconds()))
    for step in (1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400):
        if span / step <= points:
            return step
    return 86400


def _coerce(param: Param, value: Any) -> Any:
    typ = param.type
    try:
        if typ.startswith(("UInt", "Int")):
            return int(value)
        if typ.startswith("Float"):
            return float(value)
        if typ.startswith("DateTime"):
            return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        if typ.startswith("Array"):
            return list(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"parameter {param.name} expects {typ}, got {value!r}") from exc


def panel_params(
    panel: Panel, values: dict[str, Any] | None = None, *, start: datetime | None = None,
    end: datetime | None = None, hide_own: bool = True,
) -> dict[str, Any]:
    """The parameters to send for a panel: declared defaults, overridden by `values`, plus the window ones."""
    return sql_params(panel.sql, panel, values, start=start, end=end, hide_own=hide_own)


def sql_params(
    sql_name: str, panel: Panel | Action, values: dict[str, Any] | None = None, *, start: datetime | None = None,
    end: datetime | None = None, hide_own: bool = True,
) -> dict[str, Any]:
    """The parameters of one SQL file of a panel (or action): declared defaults, `values`, implicit window ones."""
    values = dict(values or {})
    sql_params = sqlfiles.placeholders(sqlfiles.load(sql_name))
    end = end or datetime.now(UTC)
    start = start or end - DEFAULT_WINDOW
    implicit = {
        "start": start, "end": end, "step": bucket_seconds(start, end), "hide_own": int(hide_own), "tag": APP_TAG,
    }
    result: dict[str, Any] = {}
    for name in sql_params:
        declared = panel.param(name)
        if declared is not None:
            value = values.get(name, declared.default)
            if declared.choices and value not in declared.choices:
                raise ValidationError(f"parameter {name} must be one of {declared.choices}, got {value!r}")
            result[name] = _coerce(declared, value)
        elif name == CLUSTER_PARAM and CLUSTER_PARAM in values:
            result[name] = str(values[CLUSTER_PARAM])
        elif name in implicit:
            result[name] = values.get(name, implicit[name])
        else:
            raise ValidationError(f"panel {panel.name}: SQL parameter {name} is not declared")
    return result


def run_panel(
    conn: Connection, panel: Panel, values: dict[str, Any] | None = None, *, start: datetime | None = None,
    end: datetime | None = None, hide_own: bool = True, cluster: str | None = None,
) -> pd.DataFrame:
    """Run a panel's SQL read-only with its parameters; errors arrive as `core.errors`.

    With `cluster` set and a fan-out variant declared, the panel reads every replica through `clusterAllReplicas`
    (unreachable shards skipped); otherwise it reads the local tables.
    """
    values = dict(values or {})
    server = conn.server
    if not panel.runs_on(server.version):
        raise UnavailableError(f"needs ClickHouse ≥ {version_text(panel.min_version)}; this server runs "
                               f"{server.version_text}", name=NEEDS_NEWER)
    if cluster and panel.cluster_sql:
        sql_name, settings = panel.cluster_sql, {"skip_unavailable_shards": 1}
        values["cluster"] = cluster
    else:
        sql_name, settings = panel.sql_for(server.version), None
    params = sql_params(sql_name, panel, values, start=start, end=end, hide_own=hide_own)
    return conn.query_df(sqlfiles.load(sql_name), params, readonly=True, settings=settings)


def control_refusal(info: ServerInfo) -> str:
    """Why this ClickHouse user cannot run control statements (KILL, OPTIMIZE), or '' when it can (pure)."""
    if info.readonly:
        return (f"the ClickHouse user `{info.user}` is read-only (readonly={info.readonly}), and control statements "
                "change the server; use a user with KILL QUERY / OPTIMIZE grants to run them.")
    return ""


def run_action(conn: Connection, action: Action, values: dict[str, Any]) -> None:
    """Send a control statement with every declared parameter given; the one runner of every `Action`."""
    refused = control_refusal(conn.server)
    if refused:
        raise ValidationError(f"{action.title} is not available: {refused}")
    params = sql_params(action.sql, action, values)
    missing = [name for name, value in params.items() if value in ("", None)]
    if missing:
        raise ValidationError(f"{action.name} needs {', '.join(missing)}")
    conn.command(sqlfiles.load(action.sql), params)


@dataclass(frozen=True)
class PageSpec:
    """One dashboard page as data: its menu place, the panels in rows, the filters shown, the actions offered."""

    key: str
    title: str
    section: str
    rows: tuple[tuple[str, ...], ...]
    icon: str = ""
    intro: str = ""
    filters: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    special: str = ""
    requires: str | None = None

    @property
    def url_path(self) -> str:
        """The page's URL path (`queries-running`)."""
        return self.key.replace("_", "-")

    @property
    def script(self) -> str:
        """The page script under pages/."""
        return f"pages/{self.key}.py"

    @property
    def panel_names(self) -> tuple[str, ...]:
        """Every panel the page draws, in order."""
        return tuple(name for row in self.rows for name in row)


def docs_url(table: str) -> str:
    """The ClickHouse documentation page of a system table."""
    return f"https://clickhouse.com/docs/operations/system-tables/{table}"
