"""The one-shot check for cron, Nagios and Kubernetes probes: evaluate once, print, exit with the Nagios code."""

from __future__ import annotations

import json
import math

from alerts.targets import Reading, Target, evaluate
from config import Settings
from core.connection import connect
from core.errors import ChmError, ConfigError

EXIT_CODES = {"ok": 0, "warning": 1, "critical": 2, "unknown": 3}
"""The Nagios plugin convention."""


def pick_hosts(settings: Settings, host: str | None) -> list[int]:
    """Host numbers to check: all of them, or the one named by label, URL or number."""
    labels, urls = settings.clickhouse.host_labels, settings.clickhouse.hosts
    if host is None:
        return list(range(len(labels)))
    for index, label in enumerate(labels):
        if host in (label, str(index)) or (index < len(urls) and host == urls[index]):
            return [index]
    raise ConfigError(f"--host {host!r} is none of the configured hosts: {', '.join(labels)}")


def pick_targets(targets: list[Target], names: list[str] | None) -> list[Target]:
    """The targets named (all when no name is given); an unknown name raises ConfigError listing the known ones."""
    if not names:
        return targets
    known = {t.name: t for t in targets}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ConfigError(f"--check {', '.join(unknown)}: no such check or rule; known: {', '.join(known)}")
    return [known[name] for name in dict.fromkeys(names)]


def run_check(settings: Settings, targets: list[Target], hosts: list[int]) -> list[Reading]:
    """Every target once on each host; an unreachable host reads `unknown` for all of its targets."""
    readings = []
    for index in hosts:
        label = settings.clickhouse.host_labels[index]
        try:
            conn = connect(settings, index)
        except ChmError as exc:
            readings.extend(Reading(label, t, "unknown", None, f"failed: {exc}") for t in targets)
            continue
        readings.extend(evaluate(conn, label, target) for target in targets)
    return readings


def overall(readings: list[Reading]) -> str:
    """The worst status: critical, then warning, then unknown (a check that could not run), else ok.

    `n/a` (the server lacks the table) and `no data` (nothing measured in the window) are states, not failures.
    """
    statuses = {r.status for r in readings}
    return next((s for s in ("critical", "warning", "unknown") if s in statuses), "ok")


def _shown(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def render(readings: list[Reading], fmt: str) -> str:
    """The readings as `text` (a line each), `json` or `nagios` (one status line plus performance data)."""
    status = overall(readings)
    if fmt == "json":
        return json.dumps({
            "status": status, "exit_code": EXIT_CODES[status],
            "checks": [{"host": r.host, "check": r.target.name, "title": r.target.title, "status": r.status,
                        "value": r.value, "warning": _number(r.target.warning), "critical": _number(r.target.critical),
                        "unit": r.target.check.unit, "detail": r.detail} for r in readings],
        }, indent=2, allow_nan=False, default=str)
    bad = [r for r in readings if r.status in ("critical", "warning", "unknown")]
    if fmt == "nagios":
        counts = ", ".join(f"{sum(r.status == s for r in readings)} {s}" for s in ("critical", "warning", "unknown"))
        summary = "; ".join(f"{r.host} {r.target.title}: {r.status} {_shown(r.value)}".rstrip() for r in bad)
        perf = " ".join(
            f"'{r.host}/{r.target.name}'={_shown(r.value)};{_finite(r.target.warning)};{_finite(r.target.critical)}"
            for r in readings if r.value is not None)
        return f"CHMONITOR {status.upper()} - {counts}" + (f": {summary}" if summary else "") + f" | {perf}".rstrip()
    lines = [f"{r.status:<9} {r.host:<16} {r.target.title}: {_shown(r.value) or '—'} {r.target.check.unit} "
             f"{r.detail}".rstrip() for r in readings]
    return "\n".join([*lines, f"overall: {status}"])


def _number(value: float) -> float | None:
    """A threshold for JSON: None for a rule's missing one (stored as infinity)."""
    return value if math.isfinite(value) else None


def _finite(value: float) -> str:
    return f"{value:g}" if math.isfinite(value) else ""
