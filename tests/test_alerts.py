"""Alerts on the embedded engine: a real bad condition fires once after `for`, is notified once, resolves, is
recorded and shown on the Health page; a receiver that is down costs retries and a `failed` event, nothing more."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from alerts.history import AlertLog
from alerts.notify import Notifier
from alerts.rules import load_rules
from alerts.watcher import Watcher
from config import Settings, load_settings
from core.connection import Connection
from core.errors import ConfigError
from dashboard import context
from dashboard.alerts_view import _log
from dashboard.catalog import PANELS, HealthSettings
from tests import apptest
from tests.appserver import running_app
from tests.chserver import free_port
from tests.webhook import Receiver

TABLE = "chm_test.many_parts"
INSERTS = 200
"""Single-row inserts into one partition with merges stopped: 200 parts, 6.7 % of parts_to_throw_insert (3000)."""


def calm() -> dict[str, float]:
    """Threshold overrides no value reaches, so only the check a test lowers can fire."""
    overrides = {}
    for panel in PANELS.values():
        if panel.check:
            never = 1e18 if panel.check.higher_is_worse else -1e18
            variables = (HealthSettings.variables(field)[0] for field in panel.check.settings_fields)
            overrides.update(dict.fromkeys(variables, never))
    return overrides


def alert_settings(receiver: Receiver | None = None, **overrides: object) -> Settings:
    """Settings with a fresh alert table, fast retries, `for` = 2, and the calm thresholds."""
    defaults = {"chm_alert_table": f"alerts_{uuid.uuid4().hex[:10]}", "chm_alert_for": 2, "chm_alert_backoff": 0.01,
                "chm_alert_notify": SecretStr(receiver.url) if receiver else None}
    return load_settings(**{**defaults, **calm(), **overrides})


@pytest.fixture
def many_parts(conn: Connection) -> Iterator[None]:
    """A real bad condition: one partition with hundreds of parts (merges stopped)."""
    conn.command(f"CREATE TABLE IF NOT EXISTS {TABLE} (n UInt32) ENGINE = MergeTree ORDER BY n")
    conn.command(f"SYSTEM STOP MERGES {TABLE}")
    for n in range(INSERTS):
        conn.insert(TABLE, [[n]], ["n"])
    yield
    conn.command(f"DROP TABLE IF EXISTS {TABLE}")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1."""
    with Receiver() as running:
        yield running


def _events(watcher: Watcher) -> list[tuple[str, str, str]]:
    rows = watcher.history.history(datetime.now(UTC) - timedelta(hours=1))
    return sorted(zip(rows["check_name"], rows["event"], rows["severity"], strict=True))


def test_fires_once_after_for_notifies_once_resolves_and_records(
    conn: Connection, many_parts: None, receiver: Receiver,
) -> None:
    settings = alert_settings(receiver, chm_health_parts_per_partition_warning=5.0,
                              chm_health_parts_per_partition_critical=90.0)
    watcher = Watcher(settings, AlertLog.from_settings(settings, conn), Notifier.from_settings(settings))
    assert len(watcher.targets) == 24

    assert watcher.run_once() == []  # first bad evaluation: pending, `for` is 2
    assert receiver.bodies == []
    fired = watcher.run_once()
    assert [(e.check_name, e.event, e.severity) for e in fired] == [
        ("parts_per_partition", "firing", "warning"), ("parts_per_partition", "sent", "warning")]
    assert watcher.run_once() == []  # still bad: no second notification
    assert len(receiver.bodies) == 1
    body = receiver.bodies[0]
    assert body["title"] == "[WARNING] embedded: Parts per partition vs parts_to_throw_insert"
    for part in ("Host: embedded", "Check: Parts per partition", "Value: 6.7 %", "Threshold: warning ≥ 5",
                 "Since: ", "Means: how close the fullest partition", "Do: Insert in bigger batches",
                 "Open: http://localhost:8501/health?host=embedded", TABLE):
        assert part in body["message"], part

    conn.command(f"TRUNCATE TABLE {TABLE}")
    assert watcher.run_once() == []  # first good evaluation: still firing
    resolved = watcher.run_once()
    assert [(e.event, e.severity) for e in resolved] == [("resolved", "ok"), ("sent", "ok")]
    assert len(receiver.bodies) == 2
    assert receiver.bodies[1]["title"].startswith("[RESOLVED] embedded: Parts per partition")
    assert _events(watcher) == [("parts_per_partition", "firing", "warning"), ("parts_per_partition", "resolved", "ok"),
                                ("parts_per_partition", "sent", "ok"), ("parts_per_partition", "sent", "warning")]
    assert watcher.history.active().empty


def test_receiver_down_retries_records_failed_and_goes_on(
    conn: Connection, receiver: Receiver, tmp_path: Path,
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(f'[rules.rows]\nsql = "SELECT count() AS value FROM {TABLE}_down"\nthreshold = 1\nfor = 1\n')
    conn.command(f"CREATE TABLE IF NOT EXISTS {TABLE}_down (n UInt32) ENGINE = MergeTree ORDER BY n")
    settings = alert_settings(receiver, chm_alert_retries=3)
    watcher = Watcher(settings, AlertLog.from_settings(settings, conn), Notifier.from_settings(settings),
                      targets=load_rules(rules, 1))
    receiver.status = 500
    try:
        conn.insert(f"{TABLE}_down", [[1]], ["n"])
        events = watcher.run_once()
        assert [(e.event, e.severity) for e in events] == [("firing", "critical"), ("failed", "critical")]
        assert receiver.attempts == 3
        assert "failed after 3 attempt(s)" in events[1].message
        receiver.status = 200
        conn.command(f"TRUNCATE TABLE {TABLE}_down")
        assert [e.event for e in watcher.run_once()] == ["resolved", "sent"]
    finally:
        conn.command(f"DROP TABLE IF EXISTS {TABLE}_down")
    assert receiver.attempts == 4 and len(receiver.bodies) == 1
    assert [(c, e) for c, e, _ in _events(watcher)] == [
        ("rule_rows", "failed"), ("rule_rows", "firing"), ("rule_rows", "resolved"), ("rule_rows", "sent")]


def test_silenced_alert_is_recorded_not_notified_and_restart_remembers(
    conn: Connection, receiver: Receiver, tmp_path: Path,
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[rules.always]\nsql = "SELECT 5 AS value"\nwarning = 1\ncritical = 10\n')
    settings = alert_settings(receiver, chm_alert_rules=rules, chm_alert_for=1)
    watcher = Watcher(settings, AlertLog.from_settings(settings, conn), Notifier.from_settings(settings),
                      targets=load_rules(rules, 1))
    watcher.history.silence("embedded", "rule_always", datetime.now(UTC) + timedelta(hours=1), who="tester")
    assert [(e.event, e.severity) for e in watcher.run_once()] == [("firing", "warning")]
    assert receiver.attempts == 0
    again = Watcher(settings, AlertLog.from_settings(settings, conn), Notifier.from_settings(settings),
                    targets=load_rules(rules, 1))
    assert again.run_once() == []  # the firing alert is read back, not fired again
    assert list(again.history.active()["check_name"]) == ["rule_always"]
    assert list(again.history.silences()["check_name"]) == ["rule_always"]


def test_notification_urls_are_never_logged_or_stored(
    conn: Connection, receiver: Receiver, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "hunter2-token"
    rules = tmp_path / "rules.toml"
    rules.write_text('[rules.always]\nsql = "SELECT 50 AS value"\nthreshold = 1\n')
    settings = alert_settings(None, chm_alert_rules=rules, chm_alert_for=1,
                              chm_alert_notify=SecretStr(f"json://user:{secret}@127.0.0.1:{receiver.port}/hook"))
    receiver.status = 500
    caplog.set_level(logging.DEBUG)
    watcher = Watcher(settings, AlertLog.from_settings(settings, conn), Notifier.from_settings(settings))
    events = watcher.run_once()
    assert [e.event for e in events if e.check_name == "rule_always"] == ["firing", "failed"]
    history = watcher.history.history(datetime.now(UTC) - timedelta(hours=1))
    assert secret not in caplog.text and secret not in repr(watcher.notifier) and secret not in repr(settings)
    assert not history["message"].str.contains(secret).any()


def test_health_page_shows_active_alerts_and_history(
    conn: Connection, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[rules.page_demo]\ntitle = "Demo rule"\nsql = "SELECT 50 AS value"\nthreshold = 1\n')
    table = f"alerts_{uuid.uuid4().hex[:10]}"
    settings = load_settings(chm_alert_table=table, chm_alert_for=1)
    watcher = Watcher(settings, AlertLog.from_settings(settings, conn), None, targets=load_rules(rules, 1))
    assert [e.event for e in watcher.run_once()] == ["firing"]
    monkeypatch.setenv("CHM_ALERT_TABLE", table)
    context.get_settings.clear()
    _log.clear()
    try:
        at = apptest.app(timeout=60)
        at.run()
        apptest.open_page(at, "pages/health.py")
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        assert any("Demo rule" in m.value and "critical" in m.value for m in at.markdown)
        assert [s.value for s in at.subheader][:2] == ["Alerts", "Checks"]
        frames = at.dataframe
        assert frames and set(frames[0].value["event"]) == {"firing"}
        assert len(at.get("plotly_chart")) >= 1
        at.expander[0].selectbox[0].set_value(("embedded", "rule_page_demo"))
        at.button[0].click()
        at.run()
        assert any("silenced until" in s.value for s in at.success)
        assert list(watcher.history.silences()["check_name"]) == ["rule_page_demo"]
    finally:
        context.get_settings.clear()
        _log.clear()


def test_server_lifespan_runs_the_watcher_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    import server

    def watchers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "chmonitor-alerts"]

    async def during(enabled: str) -> int:
        monkeypatch.setenv("CHM_ALERTS", enabled)
        monkeypatch.setenv("CHM_ALERT_INTERVAL", "3600")
        async with server.lifespan(server.app):
            return len(watchers())

    assert asyncio.run(during("false")) == 0
    assert asyncio.run(during("true")) == 1
    assert watchers() == []
    monkeypatch.setenv("CLICKHOUSE_HOST", f"http://127.0.0.1:{free_port()}")  # the store's host is down at start
    assert asyncio.run(during("true")) == 1
    assert watchers() == []


def test_a_bad_rules_file_stops_the_app_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import server

    rules = tmp_path / "rules.toml"
    rules.write_text('[rules.broken]\nsql = "SELECT 1 AS value"\n')
    monkeypatch.setenv("CHM_ALERTS", "true")
    monkeypatch.setenv("CHM_ALERT_RULES", str(rules))

    async def start() -> None:
        async with server.lifespan(server.app):
            pytest.fail("the app started with a broken rules file")

    with pytest.raises(ConfigError, match="rule 'broken', field 'warning'"):
        asyncio.run(start())


def test_escalation_waits_for_the_window_and_lost_writes_do_not_stop_notifications(
    conn: Connection, receiver: Receiver, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    source = f"{TABLE}_levels"
    conn.command(f"CREATE TABLE IF NOT EXISTS {source} (n UInt32) ENGINE = MergeTree ORDER BY n")
    rules = tmp_path / "rules.toml"
    rules.write_text(f'[rules.rows]\nsql = "SELECT count() AS value FROM {source}"\nwarning = 1\ncritical = 3\n')
    settings = alert_settings(receiver)
    watcher = Watcher(settings, AlertLog.from_settings(settings, conn), Notifier.from_settings(settings),
                      targets=load_rules(rules, 2))
    try:
        conn.insert(source, [[1]], ["n"])
        assert watcher.run_once() == [] and [e.severity for e in watcher.run_once()] == ["warning", "warning"]
        conn.insert(source, [[2], [3]], ["n"])
        assert watcher.run_once() == []  # critical once: the window is 2
        conn.command(f"DROP TABLE {watcher.history.name}")
        escalated = watcher.run_once()
        assert [(e.event, e.severity) for e in escalated] == [("firing", "critical"), ("sent", "critical")]
        assert [b["title"] for b in receiver.bodies] == ["[WARNING] embedded: rows", "[CRITICAL] embedded: rows"]
        assert "Since: " + escalated[0].since.strftime("%Y-%m-%d %H:%M:%S") in receiver.bodies[1]["message"]
        assert "alert firing of rule_rows on embedded not recorded" in caplog.text
    finally:
        conn.command(f"DROP TABLE IF EXISTS {source}")


def test_a_notification_url_apprise_cannot_read_stops_start_without_showing_it() -> None:
    settings = load_settings(chm_alert_notify=SecretStr("nosuchscheme://hunter2@example"))
    with pytest.raises(ConfigError) as info:
        Notifier.from_settings(settings)
    assert "CHM_ALERT_NOTIFY" in str(info.value) and "hunter2" not in str(info.value)


def test_make_run_with_chm_alerts_notifies_from_the_app_process(receiver: Receiver, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[rules.always]\nsql = "SELECT 7 AS value"\nthreshold = 1\n')
    env = {"CHM_ALERTS": "true", "CHM_ALERT_INTERVAL": "1", "CHM_ALERT_FOR": "1", "CHM_ALERT_RULES": str(rules),
           "CHM_ALERT_NOTIFY": receiver.url, "CHM_PUBLIC_URL": "https://chm.example"}
    with running_app(env=env):
        deadline = time.monotonic() + 120
        while not any(b["title"] == "[CRITICAL] embedded: always" for b in receiver.bodies):
            assert time.monotonic() < deadline, receiver.bodies
            time.sleep(0.2)
    body = next(b for b in receiver.bodies if b["title"] == "[CRITICAL] embedded: always")
    assert "Open: https://chm.example/health?host=embedded" in body["message"]
