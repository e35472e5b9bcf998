"""Which store the settings resolve to: every documented rule, plus our zero-configuration default."""

from __future__ import annotations

import logging

import pytest

from chstore import ConfigError, DisabledError, open_store, resolve_store
from chstore.memory import MemoryStore
from config import load_settings

SERVER = {"clickhouse_host": "http://127.0.0.1:1"}
PG = {"database_url": "postgresql://u:p@127.0.0.1:5432/db"}
AS_KEY = {"agentstate_api_key": "as_live_abc"}
D1 = {"conversations_d1_database_id": "0b7e0e4a-0000-4000-8000-000000000000"}
CH_TABLE = {"clickhouse_agent_conversations_table": "monitoring.agent_conversations"}
ON = {"agent_conversation_persistence": True}


def kind(**values: object) -> str:
    return resolve_store(load_settings(**values)).kind


def test_zero_configuration_embedded_uses_clickhouse() -> None:
    choice = resolve_store(load_settings())
    assert choice.kind == "clickhouse" and choice.persistent and "zero-configuration" in choice.reason


def test_server_without_persistence_is_local() -> None:
    assert kind(**SERVER) == "local"


@pytest.mark.parametrize("store", ["clickhouse", "memory", "postgres", "auto"])
def test_store_without_persistence_is_local_with_warning(store: str) -> None:
    choice = resolve_store(load_settings(agent_conversation_store=store, **SERVER))
    assert choice.kind == "local"
    assert any("AGENT_CONVERSATION_PERSISTENCE" in w for w in choice.warnings)


def test_explicit_persistence_false_on_embedded_is_local() -> None:
    assert kind(agent_conversation_persistence=False) == "local"


def test_local_explicit() -> None:
    assert kind(agent_conversation_store="local", **ON) == "local"


def test_deprecated_alias_enables_persistence_with_warning(caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(next_public_feature_conversation_db=True, agent_conversation_store="memory", **SERVER)
    choice = resolve_store(settings)
    assert choice.kind == "memory"
    assert any("deprecated" in w for w in choice.warnings)
    with caplog.at_level(logging.WARNING, logger="chstore"):
        assert isinstance(open_store(settings), MemoryStore)
    assert "NEXT_PUBLIC_FEATURE_CONVERSATION_DB is deprecated" in caplog.text


def test_explicit_persistence_false_beats_alias() -> None:
    assert kind(agent_conversation_persistence=False, next_public_feature_conversation_db=True, **SERVER) == "local"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({**AS_KEY, **D1, **PG, **CH_TABLE}, "agentstate"),
        ({**D1, **PG, **CH_TABLE}, "d1"),
        ({**PG, **CH_TABLE}, "postgres"),
        (CH_TABLE, "clickhouse"),
        ({}, "memory"),
    ],
)
def test_auto_order_on_a_server(extra: dict, expected: str) -> None:
    assert kind(agent_conversation_store="auto", **ON, **SERVER, **extra) == expected


def test_auto_is_the_default_when_persistence_is_on() -> None:
    assert kind(**ON, **SERVER, **PG) == "postgres"
    assert kind(**ON, **SERVER) == "memory"


def test_auto_counts_the_embedded_engine_after_the_seed_order_before_memory() -> None:
    assert kind(agent_conversation_store="auto", **ON) == "clickhouse"
    assert kind(agent_conversation_store="auto", **ON, **PG) == "postgres"


def test_clickhouse_only_when_table_explicit_on_a_server() -> None:
    assert kind(agent_conversation_store="auto", **ON, **SERVER) == "memory"
    assert kind(agent_conversation_store="auto", **ON, **SERVER, **CH_TABLE) == "clickhouse"


def test_auto_fails_closed_in_production() -> None:
    with pytest.raises(ConfigError, match="production"):
        kind(agent_conversation_store="auto", chm_env="production", **ON, **SERVER)
    assert kind(agent_conversation_store="auto", chm_env="production", **ON, **SERVER, **PG) == "postgres"
    assert kind(agent_conversation_store="auto", chm_env="production", **ON) == "clickhouse"


@pytest.mark.parametrize("env", ["development", "test"])
def test_memory_allowed_outside_production(env: str) -> None:
    assert kind(agent_conversation_store="memory", chm_env=env, **ON, **SERVER) == "memory"


def test_memory_refused_in_production() -> None:
    with pytest.raises(ConfigError, match="CHM_ENV=production"):
        kind(agent_conversation_store="memory", chm_env="production", **ON)


def test_agentstate_key_prefix() -> None:
    with pytest.raises(ConfigError, match="as_live_"):
        kind(agent_conversation_store="agentstate", agentstate_api_key="sk_test", **ON)
    with pytest.raises(ConfigError, match="as_live_"):
        kind(agent_conversation_store="agentstate", **ON)
    with pytest.raises(ConfigError, match="as_live_"):
        kind(agent_conversation_store="auto", agentstate_api_key="wrong", **ON)
    assert kind(agent_conversation_store="agentstate", **AS_KEY, **ON) == "agentstate"


def test_explicit_stores_need_their_settings() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        kind(agent_conversation_store="postgres", **ON)
    with pytest.raises(ConfigError, match="CONVERSATIONS_D1_DATABASE_ID"):
        kind(agent_conversation_store="d1", **ON)
    assert kind(agent_conversation_store="durable-object", **ON) == "durable-object"


def test_d1_alias_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_CONVERSATIONS_D1_DATABASE_ID", "abc")
    assert load_settings().store.conversations_d1_database_id == "abc"


@pytest.mark.parametrize("name", ["DATABASE_URL", "POSTGRES_URL", "POSTGRES_PRISMA_URL"])
def test_postgres_url_aliases(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "postgresql://x@127.0.0.1/db")
    monkeypatch.setenv("AGENT_CONVERSATION_PERSISTENCE", "true")
    monkeypatch.setenv("CLICKHOUSE_HOST", "http://127.0.0.1:1")
    assert resolve_store(load_settings()).kind == "postgres"


def test_unknown_store_names_allowed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_CONVERSATION_STORE", "sqlite")
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "AGENT_CONVERSATION_STORE" in message
    for allowed in ("auto", "agentstate", "d1", "durable-object", "clickhouse", "postgres", "memory", "local"):
        assert allowed in message


@pytest.mark.parametrize(
    ("store", "extra", "words"),
    [
        ("durable-object", {}, "Cloudflare Workers binding"),
    ],
)
def test_unsupported_stores_fail_clearly(store: str, extra: dict, words: str) -> None:
    with pytest.raises(DisabledError, match=words) as info:
        open_store(load_settings(agent_conversation_store=store, **ON, **extra))
    assert "clickhouse" in str(info.value) and "postgres" in str(info.value) and "d1" in str(info.value)


def test_durable_object_names_its_binding() -> None:
    settings = load_settings(agent_conversation_store="durable-object", agent_conversations_do_binding="MY_DO", **ON)
    with pytest.raises(DisabledError, match="MY_DO"):
        open_store(settings)


def test_auto_never_picks_the_durable_object_binding_a_python_server_cannot_hold() -> None:
    settings = load_settings(agent_conversation_store="auto", agent_conversations_do_binding="MY_DO", **ON, **SERVER)
    assert resolve_store(settings).kind == "memory"
    assert kind(agent_conversation_store="auto", agent_conversations_do_binding="MY_DO", **ON, **SERVER, **PG) == "postgres"


def test_d1_without_cloudflare_credentials_names_them() -> None:
    with pytest.raises(ConfigError, match="CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN"):
        open_store(load_settings(agent_conversation_store="d1", **ON, **D1))
    with pytest.raises(ConfigError, match="CLOUDFLARE_API_TOKEN"):
        open_store(load_settings(agent_conversation_store="auto", cloudflare_account_id="acc", **ON, **SERVER, **D1))


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({**D1, **PG}, "d1"),
        (PG, "postgres"),
        ({}, "clickhouse"),
    ],
)
def test_auto_order_in_production_never_memory(extra: dict, expected: str) -> None:
    assert kind(agent_conversation_store="auto", chm_env="production", **ON, **extra) == expected


def test_local_store_is_disabled_on_the_server() -> None:
    with pytest.raises(DisabledError, match="browser session"):
        open_store(load_settings(**SERVER))


def test_memory_store_is_shared_within_the_process() -> None:
    settings = load_settings(agent_conversation_store="memory", **ON, **SERVER)
    assert open_store(settings) is open_store(settings)
