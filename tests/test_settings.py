"""Settings: every variable documented, bad values named, multi-host parsing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chstore import ConfigError
from core.settings import Settings, env_name, load_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_has_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 10, name


def test_every_setting_is_in_the_readme_table() -> None:
    text = README.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\|\s*`([A-Z0-9_]+)`", text, flags=re.M))
    missing = [env_name(name) for name in Settings.model_fields if env_name(name) not in rows]
    assert missing == [], f"settings missing from README's table: {missing}"
    unknown = rows - {env_name(name) for name in Settings.model_fields}
    assert unknown == set(), f"README documents settings that do not exist: {unknown}"


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
    ],
)
def test_invalid_values_name_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str, words: list[str]) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    for word in words:
        assert word in str(info.value)


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
    assert not settings.embedded
    assert settings.hosts == ["http://ch1:8123", "https://ch2.example:8443/"]
    assert settings.host_labels == ["primary", "ch2.example:8443"]
    assert settings.credentials(0) == ("monitor", "p1")
    assert settings.credentials(1) == ("monitor", "p2")


def test_one_password_for_all_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKHOUSE_HOST", "http://a:8123,http://b:8123")
    monkeypatch.setenv("CLICKHOUSE_PASSWORD", "same")
    settings = load_settings()
    assert settings.credentials(1) == ("default", "same")


def test_defaults() -> None:
    settings = load_settings()
    assert settings.embedded and settings.host_labels == ["embedded"]
    assert settings.clickhouse_max_execution_time == 60
    assert settings.conversation_table == "default.agent_conversations"
    assert load_settings(clickhouse_database="mon").conversation_table == "mon.agent_conversations"


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("CLICKHOUSE_DATABASE=from_dotenv\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings().clickhouse_database == "from_dotenv"


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
