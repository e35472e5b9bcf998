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
from core.settings import CoreSettings, load

__all__ = [
    "BaseStore", "ChmError", "ClickHouseTable", "ConfigError", "ConversationStore", "DisabledError", "Message",
    "NotFoundError", "StorageError", "StoreChoice", "Thread", "ThreadSummary", "ValidationError", "open_named_store",
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


def open_store(settings: CoreSettings | None = None, connection: object | None = None) -> ConversationStore:
    """Open the conversation store the settings resolve to (see README, "Conversation store")."""
    settings = settings or load(CoreSettings)
    choice = resolve_store(settings)
    for warning in choice.warnings:
        log.warning(warning)
    return open_named_store(choice.kind, settings, connection)


def open_named_store(kind: str, settings: CoreSettings, connection: object | None = None) -> ConversationStore:
    """Open the store `kind` (`clickhouse`, `postgres`, `d1`, `memory`…) configured from `settings`."""
    set_limits(StoreLimits(settings.store_limits.message_bytes, settings.store_limits.title_bytes,
                           settings.store_limits.metadata_bytes))
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

        auto_create = settings.clickhouse_store.auto_create
        return ClickHouseStore(
            connection or connect(settings, 0, credentials=settings.store_credentials()),
            settings.conversation_table,
            auto_create=settings.clickhouse.embedded if auto_create is None else auto_create,
            cluster=settings.clickhouse_store.cluster,
            ttl_days=settings.clickhouse_store.ttl_days,
            default_database=settings.clickhouse.database,
        )
    if kind == "postgres":
        if settings.store.database_url is None:
            raise ConfigError("the postgres store needs DATABASE_URL (or POSTGRES_URL / POSTGRES_PRISMA_URL).")
        from chstore.postgres import PostgresStore

        return PostgresStore(
            settings.store.database_url.get_secret_value(), prefix=settings.store.postgres_conversations_table_prefix
        )
    if kind == "d1":
        return _d1_store(settings)
    if kind == "durable-object":
        raise DisabledError(
            "AGENT_CONVERSATION_STORE=durable-object needs a Cloudflare Workers binding "
            f"({settings.store.agent_conversations_do_binding}), which a Python server cannot hold; use clickhouse, "
            "postgres or d1 here."
        )
    if kind == "agentstate":
        return _agentstate_store(settings)
    raise DisabledError(f"AGENT_CONVERSATION_STORE={kind} is not supported by this server yet; use clickhouse, postgres or d1.")


def _agentstate_store(settings: CoreSettings) -> ConversationStore:
    from chstore.agentstate import AgentStateClient, AgentStateStore

    if settings.store.agentstate_api_key is None:
        raise ConfigError("the agentstate store needs AGENTSTATE_API_KEY (an `as_live_` key).")
    client = AgentStateClient(settings.store.agentstate_api_key.get_secret_value(),
                              api_base=settings.store.agentstate_api_base)
    return AgentStateStore(client)


def _d1_store(settings: CoreSettings) -> ConversationStore:
    from chstore.d1 import D1Client, D1Store

    missing = [
        name for name, value in (
            ("CONVERSATIONS_D1_DATABASE_ID", settings.store.conversations_d1_database_id),
            ("CLOUDFLARE_ACCOUNT_ID", settings.store.cloudflare_account_id),
            ("CLOUDFLARE_API_TOKEN", settings.store.cloudflare_api_token),
        ) if not value
    ]
    if missing:
        raise ConfigError(f"the d1 store talks to D1's HTTP API and needs {', '.join(missing)}.")
    token = settings.store.cloudflare_api_token.get_secret_value()  # type: ignore[union-attr]
    store = settings.store
    client = D1Client(
        store.cloudflare_account_id, store.conversations_d1_database_id, token,  # type: ignore[arg-type]
        api_base=store.cloudflare_api_base,
    )
    return D1Store(client)
