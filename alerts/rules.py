"""Custom alert rules: a panel or read-only SQL, its value column and thresholds, declared in a TOML file.

    [rules.big_tables]
    sql = "SELECT count() AS value FROM system.tables WHERE database = 'default'"
    warning = 500
    critical = 1000
    for = 2                      # optional; default CHM_ALERT_FOR
    meaning = "many tables in default"
    action = "drop the ones nobody reads"

    [rules.slow_minutes]
    panel = "health_long_running_queries"   # any panel of the catalog; `params` sets its parameters
    column = "value"
    threshold = 60               # one threshold: the alert has the rule's `severity` (default critical)
    severity = "warning"
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from alerts.targets import Target
from config import Settings, load_settings
from core import guard
from core.connection import Connection, connect
from core.errors import ChmError, ConfigError
from dashboard.catalog import PANELS
from dashboard.panels import Check

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def check_user_sql(conn: Connection, sql: str) -> str:
    """The read-only checks every user statement passes (the same as the assistant's and the SQL console's): parsed
    and checked by `conn`'s engine; returns the statement as the engine formatted it."""
    return guard.check(conn, sql).statement


def _checking_connection(settings: Settings | None) -> Connection | None:
    """The connection rules' SQL is checked on at start (the first host, or the embedded engine); None when it does
    not answer, and each rule's SQL is then checked when it runs."""
    try:
        return connect(settings or load_settings(), 0)
    except ChmError:
        return None


class Rule(BaseModel):
    """One rule as written in the file; unknown keys are refused so a typo does not silently change nothing."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    title: str = ""
    panel: str | None = None
    sql: str | None = None
    column: str = "value"
    params: dict[str, Any] = Field(default_factory=dict)
    warning: float | None = None
    critical: float | None = None
    threshold: float | None = None
    severity: Literal["warning", "critical"] = "critical"
    for_count: int | None = Field(None, alias="for", ge=1, le=1000)
    higher_is_worse: bool = True
    meaning: str = ""
    action: str = ""


def _fail(path: Path, name: str, field: str, problem: str) -> ConfigError:
    return ConfigError(f"alert rules {path}: rule {name!r}, field {field!r}: {problem}")


def _target(path: Path, name: str, rule: Rule, default_for: int, conn: Connection | None) -> Target:
    if not _NAME.match(name):
        raise _fail(path, name, "name", "use letters, digits and underscores (a TOML table `[rules.<name>]`)")
    if (rule.panel is None) == (rule.sql is None):
        raise _fail(path, name, "panel" if rule.panel else "sql", "give exactly one of `panel` or `sql`")
    if rule.panel is not None and rule.panel not in PANELS:
        raise _fail(path, name, "panel", f"no panel {rule.panel!r} in the catalog")
    if rule.sql is not None and conn is not None:
        try:
            check_user_sql(conn, rule.sql)
        except ChmError as exc:
            raise _fail(path, name, "sql", f"refused by the read-only checks: {exc}") from exc
    if rule.params and rule.panel is None:
        raise _fail(path, name, "params", "`params` only applies to a `panel` rule")
    if rule.threshold is not None and (rule.warning is not None or rule.critical is not None):
        raise _fail(path, name, "threshold", "give either `threshold` (with `severity`) or `warning`/`critical`")
    worst = math.inf if rule.higher_is_worse else -math.inf
    if rule.threshold is not None:
        warning = rule.threshold
        critical = rule.threshold if rule.severity == "critical" else worst
    elif rule.warning is None and rule.critical is None:
        raise _fail(path, name, "warning", "give `warning`, `critical` or `threshold`")
    else:
        critical = worst if rule.critical is None else rule.critical
        warning = critical if rule.warning is None else rule.warning
        if (warning > critical) if rule.higher_is_worse else (warning < critical):
            raise _fail(path, name, "critical", "the critical threshold must be at least as bad as the warning one")
    meaning = rule.meaning or (PANELS[rule.panel].description if rule.panel else "a custom rule's value")
    check = Check(name=f"rule_{name}", meaning=meaning, action=rule.action or "see the rule's definition", unit="",
                  warning=warning, critical=critical, source=f"the rule in {path}",
                  higher_is_worse=rule.higher_is_worse)
    return Target(f"rule_{name}", rule.title or name, check, warning, critical, rule.for_count or default_for,
                  panel=PANELS[rule.panel] if rule.panel else None, sql=rule.sql or "", column=rule.column,
                  params=rule.params)


def load_rules(path: Path, default_for: int, settings: Settings | None = None) -> list[Target]:
    """The rules of a TOML file as targets; a bad file raises ConfigError naming the file, the rule and the field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"alert rules {path}: cannot read the file (CHM_ALERT_RULES): {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"alert rules {path}: not valid TOML: {exc}") from exc
    unknown = set(data) - {"rules"}
    if unknown or not isinstance(data.get("rules", {}), dict):
        raise ConfigError(f"alert rules {path}: only `[rules.<name>]` tables are allowed, found {sorted(unknown)}")
    targets = []
    conn = None
    if any(isinstance(body, dict) and body.get("sql") for body in data.get("rules", {}).values()):
        conn = _checking_connection(settings)
    for name, body in data.get("rules", {}).items():
        if not isinstance(body, dict):
            raise _fail(path, name, "name", "each rule is a table `[rules.<name>]`")
        try:
            rule = Rule.model_validate(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "rule"
            raise _fail(path, name, field, first["msg"]) from exc
        targets.append(_target(path, name, rule, default_for, conn))
    return targets


def custom_targets(settings: Settings) -> list[Target]:
    """The rules of `CHM_ALERT_RULES` (none when unset)."""
    return load_rules(settings.alerts.rules, settings.alerts.consecutive, settings) if settings.alerts.rules else []
