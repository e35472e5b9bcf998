"""chstore: chmonitor's conversation store (the ClickHouse data layer it runs on lives in `core`).

    from chstore import open_store, Message
    store = open_store()
    tid = store.create_thread("alice")
    store.append("alice", tid, [Message(role="user", content="what is running now?")])
"""

from __future__ import annotations

import logging
import threading

from chstore.errors import DisabledError, NotFoundError, StorageError
from chstore.model import (
    BaseStore,
    ClickHouseTable,
    ConversationStore,
    Message,
    StoreLimits,
    Thread,
    ThreadSummary,
    set_limits,
)
from chstore.resolve import StoreChoice, resolve_store
from core.errors import ChmError, ConfigError, ValidationError
from core.settings import Settings, load_settings

__all__ = [
    "BaseStore", "ChmError", "ClickHouseTable", "ConfigError", "ConversationStore", "DisabledError", "Message", "NotFoundError", "Settings",
    "StorageError", "StoreChoice", "Thread", "ThreadSummary", "ValidationError", "load_settings", "open_named_store",
    "open_store", "resolve_store",
]

log = logging.getLogger("chstore")
_memory_lock = threading.Lock()
_memory_store: ConversationStore | None = None


def _shared_memory_store() -> ConversationStore:
    global _memory_store
    from chstore.memory import MemoryStore

    with _memory_lock:
        if _memory_store is None:
            _memory_store = MemoryStore()
        return _memory_store


def open_store(settings: Settings | None = None, connection: object | None = None) -> ConversationStore:
    """Open the conversation store the settings resolve to (see README, "Conversation store")."""
    settings = settings or load_settings()
    choice = resolve_store(settings)
    for warning in choice.warnings:
        log.warning(warning)
    return open_named_store(choice.kind, settings, connection)


def open_named_store(kind: str, settings: Settings, connection: object | None = None) -> ConversationStore:
    """Open the store `kind` (`clickhouse`, `postgres`, `d1`, `memory`…) configured from `settings`."""
    set_limits(StoreLimits(settings.chm_store_max_message_bytes, settings.chm_store_max_title_bytes,
                           settings.chm_store_max_metadata_bytes))
    if kind == "local":
        raise DisabledError(
            "Server-side persistence is off (AGENT_CONVERSATION_PERSISTENCE is not true): history is kept by the "
            "browser session only."
        )
    if kind == "memory":
        return _shared_memory_store()
    if kind == "clickhouse":
        from chstore.clickhouse import ClickHouseStore
        from core.connection import connect

        auto_create = settings.clickhouse_agent_conversations_auto_create
        return ClickHouseStore(
            connection or connect(settings, 0, credentials=settings.store_credentials()),
            settings.conversation_table,
            auto_create=settings.embedded if auto_create is None else auto_create,
            cluster=settings.clickhouse_agent_conversations_cluster,
            ttl_days=settings.clickhouse_agent_conversations_ttl_days,
            default_database=settings.clickhouse_database,
        )
    if kind == "postgres":
        if settings.database_url is None:
            raise ConfigError("the postgres store needs DATABASE_URL (or POSTGRES_URL / POSTGRES_PRISMA_URL).")
        from chstore.postgres import PostgresStore

        return PostgresStore(
            settings.database_url.get_secret_value(), prefix=settings.postgres_conversations_table_prefix
        )
    if kind == "d1":
        return _d1_store(settings)
    if kind == "durable-object":
        raise DisabledError(
            "AGENT_CONVERSATION_STORE=durable-object needs a Cloudflare Workers binding "
            f"({settings.agent_conversations_do_binding}), which a Python server cannot hold; use clickhouse, "
            "postgres or d1 here."
        )
    if kind == "agentstate":
        return _agentstate_store(settings)
    raise DisabledError(f"AGENT_CONVERSATION_STORE={kind} is not supported by this server yet; use clickhouse, postgres or d1.")


def _agentstate_store(settings: Settings) -> ConversationStore:
    from chstore.agentstate import AgentStateClient, AgentStateStore

    if settings.agentstate_api_key is None:
        raise ConfigError("the agentstate store needs AGENTSTATE_API_KEY (an `as_live_` key).")
    client = AgentStateClient(settings.agentstate_api_key.get_secret_value(), api_base=settings.agentstate_api_base)
    return AgentStateStore(client)


def _d1_store(settings: Settings) -> ConversationStore:
    from chstore.d1 import D1Client, D1Store

    missing = [
        name for name, value in (
            ("CONVERSATIONS_D1_DATABASE_ID", settings.conversations_d1_database_id),
            ("CLOUDFLARE_ACCOUNT_ID", settings.cloudflare_account_id),
            ("CLOUDFLARE_API_TOKEN", settings.cloudflare_api_token),
        ) if not value
    ]
    if missing:
        raise ConfigError(f"the d1 store talks to D1's HTTP API and needs {', '.join(missing)}.")
    token = settings.cloudflare_api_token.get_secret_value()  # type: ignore[union-attr]
    client = D1Client(
        settings.cloudflare_account_id, settings.conversations_d1_database_id, token,  # type: ignore[arg-type]
        api_base=settings.cloudflare_api_base,
    )
    return D1Store(client)
