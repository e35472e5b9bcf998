"""The alert watcher's settings: how often it looks, when a check fires, where notifications go, custom rules."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr

from core.settings import Area


class AlertSettings(Area, env_prefix="CHM_ALERT_"):
    """The watcher and its notifications; `CHM_ALERTS` and `CHM_PUBLIC_URL` keep the names operators know."""

    enabled: bool = Field(False, validation_alias=AliasChoices("CHM_ALERTS"), description="Run the alert watcher "
                          "inside the app process (`server.py`); run it in one replica only.")
    interval: float = Field(60.0, gt=0, le=86400, description="Seconds between two evaluations of every check on "
                            "every host by the alert watcher.")
    consecutive: int = Field(3, ge=1, le=1000, validation_alias=AliasChoices("CHM_ALERT_FOR"),
                             description="Consecutive evaluations a check must be bad before it fires, and good before "
                             "it resolves (a custom rule may set its own `for`).")
    notify: SecretStr | None = Field(None, description="Apprise URLs the alerts are sent to (Slack, Teams, email, "
                                     "`json://` webhooks…), separated by spaces or commas; they hold secrets and are "
                                     "never logged or shown. Empty: alerts are only recorded.")
    retries: int = Field(3, ge=1, le=20, description="Attempts to send one notification (exponential backoff between "
                         "them) before it is recorded as failed.")
    backoff: float = Field(1.0, ge=0, le=300, description="Seconds before the first retry of a notification; each "
                           "further retry waits twice as long.")
    rules: Path | None = Field(None, description="TOML file of custom alert rules (a panel or read-only SQL, its value "
                               "column, thresholds, `for`, severity); checked at start.")
    table: str = Field("chm_alerts", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,126}$", description="Table of alert events "
                       "and silences, in the conversation table's database; created on first use when "
                       "`CLICKHOUSE_AGENT_CONVERSATIONS_AUTO_CREATE` is on.")
    public_url: str = Field("http://localhost:8501", validation_alias=AliasChoices("CHM_PUBLIC_URL"),
                            description="Base URL the app is reached at; alert messages link to its Health page.")
