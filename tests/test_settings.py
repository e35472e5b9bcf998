"""Settings: every variable documented (README's table is the generated one), bad values named, the areas'
prefixes and aliases, the health thresholds made from the checks' declarations, multi-host parsing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chstore import ConfigError
from config import SECRET_VARIABLES, Settings, load_settings
from core.settings import documented, settings_table
from dashboard.catalog import PANELS
from dashboard.panels import Check, health_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_has_a_description() -> None:
    for variable, _, description in documented(Settings):
        assert len(description) > 10, variable


def test_readme_table_is_the_generated_one() -> None:
    text = README.read_text(encoding="utf-8")
    table = re.search(r"^\| Variable \| Default \| Description \|\n(?:\|.*\n)+", text, flags=re.M)
    assert table is not None, "README has no settings table"
    assert table.group(0).rstrip("\n") == settings_table(Settings), "regenerate it: python -m config"
    variables = [variable for variable, _, _ in documented(Settings)]
    assert len(variables) == len(set(variables)), "two settings read the same variable"


AREA_VARIABLES = {
    "CLICKHOUSE_DATABASE": "mon", "CHM_MAX_RESULT_ROWS": "77", "CHM_LOCAL_USER": "ann",
    "CHM_STORE_MAX_TITLE_BYTES": "200",
    "CLICKHOUSE_AGENT_CONVERSATIONS_TTL_DAYS": "9", "POSTGRES_PRISMA_URL": "postgres://prisma",
    "AGENT_CONVERSATIONS_D1_DATABASE_ID": "d1-id", "OPENAI_API_KEY": "sk-fallback", "CHM_LLM_TIMEOUT": "5",
    "CHM_ALERTS": "true", "CHM_ALERT_FOR": "4", "CHM_PUBLIC_URL": "https://mon.example",
    "CHM_HEALTH_DISK_USED_CRITICAL": "95",
}
"""One variable or more of every area, aliases and names outside the area's prefix among them."""


def test_each_area_reads_its_prefix_and_its_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, value in AREA_VARIABLES.items():
        monkeypatch.setenv(variable, value)
    settings = load_settings()
    assert settings.clickhouse.database == "mon" and settings.engine.max_result_rows == 77
    assert settings.app.local_user == "ann" and settings.store_limits.title_bytes == 200
    assert settings.clickhouse_store.ttl_days == 9 and settings.conversation_table == "mon.agent_conversations"
    assert settings.store.database_url.get_secret_value() == "postgres://prisma"
    assert settings.store.conversations_d1_database_id == "d1-id"
    assert settings.llm.api_key.get_secret_value() == "sk-fallback" and settings.assistant.llm_timeout == 5
    assert settings.alerts.enabled and settings.alerts.consecutive == 4
    assert settings.alerts.public_url == "https://mon.example"
    assert settings.health.levels(PANELS["health_disk_used"].check) == (80.0, 95.0)


def test_overrides_are_named_after_their_variables() -> None:
    settings = load_settings(clickhouse_database="mon", CHM_ALERT_FOR=5, postgres_url="postgres://x",
                             chm_health_uptime_warning=1.0)
    assert settings.clickhouse.database == "mon" and settings.alerts.consecutive == 5
    assert settings.store.database_url.get_secret_value() == "postgres://x"
    assert settings.health.levels(PANELS["health_uptime"].check) == (1.0, 300.0)
    with pytest.raises(TypeError, match="clickhouse_databse"):
        load_settings(clickhouse_databse="typo")


def test_every_check_reads_the_thresholds_it_declares() -> None:
    settings = load_settings()
    checks = [panel.check for panel in PANELS.values() if panel.check]
    assert len(checks) == 24
    for check in checks:
        assert settings.health.levels(check) == (check.warning, check.critical), check.name
        assert check.source and check.unit, check.name
    documented_health = {variable for variable, _, _ in documented(Settings) if variable.startswith("CHM_HEALTH_")}
    assert len(documented_health) == 2 * len(checks)


def test_a_new_check_takes_no_edit_to_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    new = Check(name="merges_behind", meaning="merges falling behind.", action="Look at the Merges pages.",
                unit="parts", warning=10, critical=100, source="a made-up source for the test.")
    model = health_settings([new])
    assert model.variables("merges_behind_warning") == ("CHM_HEALTH_MERGES_BEHIND_WARNING",)
    assert "a made-up source for the test." in model.model_fields["merges_behind_critical"].description
    assert model().levels(new) == (10.0, 100.0)
    monkeypatch.setenv("CHM_HEALTH_MERGES_BEHIND_WARNING", "12.5")
    assert model().levels(new) == (12.5, 100.0)
    with pytest.raises(ValueError, match="two health checks"):
        health_settings([new, new])


def test_secrets_are_known_in_every_area() -> None:
    assert {"CLICKHOUSE_PASSWORD", "CHM_SHARED_PASSWORD", "CHM_EXPORT_SECRET", "AGENTSTATE_API_KEY", "DATABASE_URL",
            "POSTGRES_URL", "POSTGRES_PRISMA_URL", "CLOUDFLARE_API_TOKEN", "CLICKHOUSE_AGENT_CONVERSATIONS_PASSWORD",
            "LLM_API_KEY", "OPENAI_API_KEY", "CHM_ALERT_NOTIFY"} == SECRET_VARIABLES


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("CHM_ENV", "prod", ["CHM_ENV", "development", "test", "production"]),
        ("CLICKHOUSE_MAX_EXECUTION_TIME", "soon", ["CLICKHOUSE_MAX_EXECUTION_TIME"]),
        ("CLICKHOUSE_MAX_EXECUTION_TIME", "0", ["CLICKHOUSE_MAX_EXECUTION_TIME"]),
        ("CLICKHOUSE_HOST", "ch1:8123", ["CLICKHOUSE_HOST", "http://"]),
        ("AGENT_CONVERSATION_PERSISTENCE", "maybe", ["AGENT_CONVERSATION_PERSISTENCE"]),
        ("CLICKHOUSE_AGENT_CONVERSATIONS_TABLE", "db.t; DROP TABLE x", ["CLICKHOUSE_AGENT_CONVERSATIONS_TABLE"]),
        ("CLICKHOUSE_AGENT_CONVERSATIONS_TTL_DAYS", "-3", ["CLICKHOUSE_AGENT_CONVERSATIONS_TTL_DAYS"]),
        ("CHM_HEALTH_DISK_USED_WARNING", "lots", ["CHM_HEALTH_DISK_USED_WARNING"]),
        ("CHM_ALERT_FOR", "0", ["CHM_ALERT_FOR", "greater than or equal to 1"]),
        ("CHM_ALERT_INTERVAL", "never", ["CHM_ALERT_INTERVAL"]),
        ("CHM_STORE_MAX_TITLE_BYTES", "10", ["CHM_STORE_MAX_TITLE_BYTES"]),
    ],
)
def test_invalid_values_name_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str, words: list[str]) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    for word in words:
        assert word in str(info.value)


def test_every_bad_variable_of_every_area_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKHOUSE_MAX_EXECUTION_TIME", "0")
    monkeypatch.setenv("CHM_ALERT_RETRIES", "many")
    monkeypatch.setenv("CHM_HEALTH_UPTIME_CRITICAL", "soon")
    with pytest.raises(ConfigError) as info:
        load_settings()
    for variable in ("CLICKHOUSE_MAX_EXECUTION_TIME", "CHM_ALERT_RETRIES", "CHM_HEALTH_UPTIME_CRITICAL"):
        assert variable in str(info.value)


def test_secret_values_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKHOUSE_PASSWORD", "hunter2-secret")
    monkeypatch.setenv("CHM_ENV", "bogus")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "hunter2" not in str(info.value)
    settings = load_settings(chm_env="test")
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings.model_dump())


def test_hosts_labels_and_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKHOUSE_HOST", "http://ch1:8123, https://ch2.example:8443/")
    monkeypatch.setenv("CLICKHOUSE_NAME", "primary")
    monkeypatch.setenv("CLICKHOUSE_USER", "monitor")
    monkeypatch.setenv("CLICKHOUSE_PASSWORD", "p1,p2")
    settings = load_settings()
    assert not settings.clickhouse.embedded
    assert settings.clickhouse.hosts == ["http://ch1:8123", "https://ch2.example:8443/"]
    assert settings.clickhouse.host_labels == ["primary", "ch2.example:8443"]
    assert settings.clickhouse.credentials(0) == ("monitor", "p1")
    assert settings.clickhouse.credentials(1) == ("monitor", "p2")


def test_one_password_for_all_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKHOUSE_HOST", "http://a:8123,http://b:8123")
    monkeypatch.setenv("CLICKHOUSE_PASSWORD", "same")
    settings = load_settings()
    assert settings.clickhouse.credentials(1) == ("default", "same")


def test_defaults() -> None:
    settings = load_settings()
    assert settings.clickhouse.embedded and settings.clickhouse.host_labels == ["embedded"]
    assert settings.clickhouse.max_execution_time == 60
    assert settings.conversation_table == "default.agent_conversations"
    assert load_settings(clickhouse_database="mon").conversation_table == "mon.agent_conversations"


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("CLICKHOUSE_DATABASE=from_dotenv\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings().clickhouse.database == "from_dotenv"


def test_time_zone_is_validated_and_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKHOUSE_TZ", "Mars/Olympus")
    with pytest.raises(ConfigError, match="CLICKHOUSE_TZ"):
        load_settings()
    monkeypatch.setenv("CLICKHOUSE_TZ", "Asia/Tokyo")
    from core.connection import connect

    conn = connect(load_settings())
    assert conn.query_rows("SELECT timezone()")[0][0] == "Asia/Tokyo"


def test_a_refused_secret_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHM_EXPORT_SECRET", "8c" * 32)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "CHM_EXPORT_SECRET" in str(info.value) and "8c8c" not in str(info.value) and "<hidden>" in str(info.value)
