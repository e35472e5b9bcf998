"""The app's one `Settings`: the core's areas plus every other area's, each owned by the code that uses it.

This is the composition root, the one module that imports every area's settings: the assistant's
(`assistant/settings.py`), the alert watcher's (`alerts/settings.py`) and the health thresholds, made from the
checks' declarations (`dashboard/catalog.py`). It cannot live in `core`: the health area is made from the catalog,
whose panels import the connection, which imports `core.settings`; and `core` never imports the areas.

    python -m config      # prints README's settings table
"""

from __future__ import annotations

from pydantic import Field

from alerts.settings import AlertSettings
from assistant.settings import AssistantSettings, LLMSettings
from core.settings import CoreSettings, load, secret_variables, settings_table
from dashboard.catalog import HealthSettings


class Settings(CoreSettings):
    """chmonitor's configuration, read from the environment and an optional `.env` file, area by area."""

    llm: LLMSettings = Field(default_factory=LLMSettings)
    assistant: AssistantSettings = Field(default_factory=AssistantSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)


SECRET_VARIABLES = secret_variables(Settings)
"""Every environment variable that can carry a secret (the launcher moves these out of the environment)."""


def load_settings(**overrides: object) -> Settings:
    """Build Settings from the environment and the launcher's pipe, `overrides` named after the variables they set
    (`load_settings(clickhouse_host=url)`); a bad value raises ConfigError naming the variable to fix."""
    return load(Settings, **overrides)


if __name__ == "__main__":
    print(settings_table(Settings))
