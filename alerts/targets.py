"""What the watcher evaluates (the Health page's checks plus custom rules) and how one evaluation reads."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from config import Settings
from core import guard
from core.connection import Connection
from core.errors import ChmError, UnavailableError
from dashboard.catalog import PANELS
from dashboard.panels import MISSING_NAMES, Check, Panel, read_value, run_panel

LEVELS = {"ok": 0, "warning": 1, "critical": 2}
"""Alert levels of the statuses that count; `unknown` (the check could not run) and `n/a` change nothing."""


@dataclass(frozen=True)
class Target:
    """One evaluated thing: a health check or a custom rule, with its thresholds and its `for` window."""

    name: str
    title: str
    check: Check
    warning: float
    critical: float
    for_count: int
    panel: Panel | None = None
    sql: str = ""
    column: str = "value"
    params: dict[str, Any] = field(default_factory=dict)

    def query(self, conn: Connection) -> Any:
        """The rows this target reads on one host (read-only; user SQL passes the read-only guard first)."""
        if self.panel is not None:
            return run_panel(conn, self.panel, self.params, hide_own=True)
        return conn.query_df(guard.check(conn, self.sql).statement, readonly=True, adhoc=True)

    def threshold(self, status: str) -> float:
        """The threshold a status crossed (the warning one for ok: what it would take to warn)."""
        return self.critical if status == "critical" else self.warning


@dataclass(frozen=True)
class Reading:
    """One evaluation of one target on one host."""

    host: str
    target: Target
    status: str
    value: float | None
    detail: str

    @property
    def level(self) -> int | None:
        """0 ok, 1 warning, 2 critical; None when the evaluation says nothing (unknown, n/a, no data)."""
        return LEVELS.get(self.status)


def health_targets(settings: Settings) -> list[Target]:
    """Every health check of the catalog, with the thresholds the settings give it."""
    targets = []
    for panel in PANELS.values():
        if panel.check is None:
            continue
        warning, critical = settings.health.levels(panel.check)
        targets.append(Target(panel.check.name, panel.title, panel.check, warning, critical,
                              settings.alerts.consecutive, panel=panel))
    return targets


def evaluate(conn: Connection, host: str, target: Target) -> Reading:
    """Run a target once on one host: `ok` / `warning` / `critical`, `n/a` (the server lacks what it reads),
    `no data` (nothing measured in the window) or `unknown` (the query failed); never raises a `core.errors` error."""
    try:
        frame = target.query(conn)
    except UnavailableError as exc:
        return Reading(host, target, "n/a", None, f"not available on this server ({exc.name})")
    except ChmError as exc:
        if getattr(exc, "name", None) in MISSING_NAMES:
            return Reading(host, target, "n/a", None, f"not available on this server ({exc.name})")
        return Reading(host, target, "unknown", None, f"failed: {exc}")
    if target.column not in frame.columns:
        return Reading(host, target, "unknown", None, f"the result has no column {target.column!r}")
    try:
        value, detail = read_value(frame, target.column)
    except (TypeError, ValueError):
        return Reading(host, target, "unknown", None, f"column {target.column!r} is not a number")
    if value is None or math.isnan(value):
        return Reading(host, target, "no data", None, "no data in this window")
    return Reading(host, target, target.check.status(value, target.warning, target.critical), value, detail)
