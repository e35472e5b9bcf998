"""Notifications through apprise (Slack, Teams, Discord, email, PagerDuty, JSON webhooks… by URL), with retries.

The URLs come from `CHM_ALERT_NOTIFY` (a secret): they are handed to apprise and never logged, shown or stored.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import apprise
from tenacity import Retrying, retry_if_result, stop_after_attempt, wait_exponential

from config import Settings
from core.errors import ConfigError

log = logging.getLogger(__name__)

_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Outcome:
    """What became of one notification: sent or not, after how many attempts."""

    sent: bool
    attempts: int


class Notifier:
    """Sends one message to every configured URL, retrying with exponential backoff."""

    def __init__(self, urls: list[str], *, retries: int = 3, backoff: float = 1.0) -> None:
        self._apprise = apprise.Apprise()
        for url in urls:
            if not self._apprise.add(url):
                raise ConfigError("CHM_ALERT_NOTIFY holds a URL apprise does not understand (not shown: it may hold "
                                 "a secret); see https://github.com/caronc/apprise/wiki")
        self.retries, self.backoff = retries, backoff

    @classmethod
    def from_settings(cls, settings: Settings) -> Notifier | None:
        """The notifier of `CHM_ALERT_NOTIFY`, or None when it is empty (alerts are then only recorded)."""
        secret = settings.alerts.notify.get_secret_value() if settings.alerts.notify else ""
        urls = [url for url in _SEPARATORS.split(secret) if url]
        if not urls:
            return None
        return cls(urls, retries=settings.alerts.retries, backoff=settings.alerts.backoff)

    def __repr__(self) -> str:
        return f"Notifier({len(self._apprise)} URLs, retries={self.retries})"

    def send(self, title: str, body: str, severity: str) -> Outcome:
        """Send to every URL; True only when all of them took it. Retries the whole send when any refused."""
        kind = {"critical": apprise.NotifyType.FAILURE, "warning": apprise.NotifyType.WARNING,
                "ok": apprise.NotifyType.SUCCESS}.get(severity, apprise.NotifyType.INFO)
        retrying = Retrying(stop=stop_after_attempt(self.retries), retry=retry_if_result(lambda sent: not sent),
                            wait=wait_exponential(multiplier=self.backoff, max=300),
                            retry_error_callback=lambda state: False)
        sent = retrying(self._apprise.notify, body=body, title=title, notify_type=kind)
        return Outcome(bool(sent), retrying.statistics["attempt_number"])
