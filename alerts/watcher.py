"""The watcher: every `CHM_ALERT_INTERVAL` seconds, every target on every host; an alert fires or resolves only
after `for` consecutive evaluations agree, is recorded in ClickHouse, and is notified unless silenced."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from alerts.history import AlertLog, Event
from alerts.notify import Notifier, Outcome
from alerts.rules import custom_targets
from alerts.targets import Reading, Target, evaluate, health_targets
from chstore.errors import StorageError
from config import Settings
from core.connection import Connection, connect
from core.errors import ChmError

log = logging.getLogger(__name__)

SEVERITIES = ("ok", "warning", "critical")


@dataclass
class State:
    """Where one target stands on one host: the notified level, and the level that has been seen in a row."""

    level: int = 0
    since: datetime | None = None
    pending: int = 0
    count: int = 0


def all_targets(settings: Settings) -> list[Target]:
    """The health checks plus the custom rules (a bad rules file raises ConfigError here, at start)."""
    return [*health_targets(settings), *custom_targets(settings)]


def message(reading: Reading, level: int, since: datetime, public_url: str) -> tuple[str, str]:
    """Title and body of a notification: host, check, value, threshold, since when, meaning, action, link."""
    target, severity = reading.target, SEVERITIES[level]
    check = target.check
    compare = "≥" if check.higher_is_worse else "≤"
    value = "—" if reading.value is None else f"{reading.value:g} {check.unit}".strip()
    state = "RESOLVED" if level == 0 else severity.upper()
    title = f"[{state}] {reading.host}: {target.title}"
    link = f"{public_url.rstrip('/')}/health?host={quote(reading.host)}"
    lines = [
        f"Host: {reading.host}",
        f"Check: {target.title} ({target.name})",
        f"Value: {value}" + (f" — {reading.detail}" if reading.detail else ""),
        f"Threshold: warning {compare} {target.warning:g}, critical {compare} {target.critical:g}",
        f"Since: {since.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC",
        f"Means: {check.meaning}",
        f"Do: {check.action}",
        f"Open: {link}",
    ]
    return title, "\n".join(lines)


class Watcher:
    """Evaluates every target on every host; `run_once()` is one cycle, `run(stop)` loops until `stop` is set."""

    def __init__(self, settings: Settings, history: AlertLog, notifier: Notifier | None,
                 targets: list[Target] | None = None) -> None:
        self.settings, self.history, self.notifier = settings, history, notifier
        self.targets = all_targets(settings) if targets is None else targets
        self.hosts = settings.clickhouse.host_labels
        self.states: dict[tuple[str, str], State] = {}
        self._connections: dict[int, Connection] = {}
        self._loaded = False

    def _load(self) -> None:
        """Start from the alerts the table says are firing, so a restart neither repeats nor forgets them."""
        for row in self.history.active().itertuples():
            level = SEVERITIES.index(row.severity) if row.severity in SEVERITIES else 2
            self.states[(row.host, row.check_name)] = State(level=level, since=row.since)
        self._loaded = True

    def _connection(self, index: int) -> Connection:
        if index not in self._connections:
            self._connections[index] = connect(self.settings, index)
        return self._connections[index]

    def evaluate_host(self, index: int) -> list[Reading]:
        """Every target once on host number `index` (all `unknown` when the host cannot be reached)."""
        host = self.hosts[index]
        try:
            conn = self._connection(index)
        except ChmError as exc:
            return [Reading(host, t, "unknown", None, f"failed: {exc}") for t in self.targets]
        return [evaluate(conn, host, target) for target in self.targets]

    def step(self, reading: Reading, now: datetime) -> Event | None:
        """Feed one reading to its state; the firing or resolved event when the level changed for `for` readings."""
        state = self.states.setdefault((reading.host, reading.target.name), State())
        level = reading.level
        if level is None:
            return None
        if level == state.level:
            state.pending, state.count = level, 0
            return None
        state.count = state.count + 1 if level == state.pending else 1
        state.pending = level
        if state.count < reading.target.for_count:
            return None
        previous, state.level, state.count = state.level, level, 0
        if previous == 0:
            state.since = now
        since = state.since or now
        if level == 0:
            state.since = None
        status = reading.status
        return Event(reading.host, reading.target.name, "resolved" if level == 0 else "firing",
                     severity=status, value=reading.value, threshold=reading.target.threshold(status), since=since,
                     title=reading.target.title, at=now)

    def _notify(self, reading: Reading, event: Event, silenced: set[tuple[str, str]]) -> Event | None:
        if self.notifier is None or (event.host, event.check_name) in silenced:
            return None
        level = SEVERITIES.index(event.severity)
        title, body = message(reading, level, event.since, self.settings.alerts.public_url)
        try:
            outcome = self.notifier.send(title, body, event.severity)
        except Exception as exc:  # the watcher goes on whatever a notification plugin raises
            log.warning("alert notification raised %s", type(exc).__name__)
            outcome = Outcome(False, 1)
        kind = "sent" if outcome.sent else "failed"
        if not outcome.sent:
            log.warning("alert notification for %s on %s failed after %d attempts", event.check_name, event.host,
                        outcome.attempts)
        return Event(event.host, event.check_name, kind, severity=event.severity, value=event.value,
                     threshold=event.threshold, since=event.since, title=title,
                     message=f"{kind} after {outcome.attempts} attempt(s)\n{body}")

    def run_once(self) -> list[Event]:
        """One cycle: every host evaluated at once (one thread each), then what changed recorded and notified."""
        if not self._loaded:
            self._load()
        now = datetime.now(UTC)
        try:
            silenced = {(row.host, row.check_name) for row in self.history.silences(now).itertuples()}
        except StorageError as exc:  # better a notification too many than an alert nobody hears of
            log.error("alert silences unreadable, notifying as if none: %s", exc)
            silenced = set()
        events: list[Event] = []
        with ThreadPoolExecutor(max_workers=len(self.hosts), thread_name_prefix="chmonitor-alerts-host") as pool:
            per_host = list(pool.map(self.evaluate_host, range(len(self.hosts))))
        for readings in per_host:
            for reading in readings:
                event = self.step(reading, now)
                if event is None:
                    continue
                events.append(event)
                self._record(event)
                notified = self._notify(reading, event, silenced)
                if notified is not None:
                    events.append(notified)
                    self._record(notified)
        return events

    def _record(self, event: Event) -> None:
        """Store one event; when the table refuses it the notification still goes out and the cycle goes on."""
        try:
            self.history.record([event])
        except StorageError as exc:
            log.error("alert %s of %s on %s not recorded: %s", event.event, event.check_name, event.host, exc)

    def run(self, stop: threading.Event) -> None:
        """Cycle every `CHM_ALERT_INTERVAL` seconds until `stop` is set; a failed cycle is logged, never fatal."""
        while not stop.is_set():
            started = time.monotonic()
            try:
                fired = self.run_once()
                log.info("alert cycle: %d events in %.2f s", len(fired), time.monotonic() - started)
            except ChmError as exc:
                log.error("alert cycle failed: %s", exc)
            stop.wait(max(0.0, self.settings.alerts.interval - (time.monotonic() - started)))


def serve(settings: Settings, stop: threading.Event) -> None:
    """Check the rules and notify URLs (a bad one raises ConfigError at once), then watch until `stop` is set.

    The store's host may be down at start: it is asked again every interval, and the watcher starts once it answers.
    """
    targets, notifier = all_targets(settings), Notifier.from_settings(settings)
    while not stop.is_set():
        try:
            history = AlertLog.from_settings(settings, connect(settings, 0))
        except ChmError as exc:
            log.error("alert watcher waiting for the store's host: %s", exc)
            stop.wait(settings.alerts.interval)
            continue
        Watcher(settings, history, notifier, targets).run(stop)


def start_thread(settings: Settings) -> tuple[threading.Thread, threading.Event]:
    """Check the rules and notify URLs here (ConfigError stops the caller), then watch in a daemon thread; set the
    returned event to stop it."""
    all_targets(settings)
    Notifier.from_settings(settings)
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(settings, stop), name="chmonitor-alerts", daemon=True)
    thread.start()
    return thread, stop
