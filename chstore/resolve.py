"""Which conversation store to use: a pure function of the settings, in the documented order (README, "Conversation store")."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import ConfigError
from core.settings import CoreSettings

PERSISTENT = ("agentstate", "d1", "durable-object", "clickhouse", "postgres")
FITTING_STORES = "clickhouse or postgres (or memory for development)"


@dataclass(frozen=True)
class StoreChoice:
    """The resolved store: its kind, why it was chosen, and warnings to log."""

    kind: str
    reason: str
    warnings: tuple[str, ...] = ()

    @property
    def persistent(self) -> bool:
        """True when conversations outlive the process."""
        return self.kind in PERSISTENT


def persistence_enabled(settings: CoreSettings) -> tuple[bool, tuple[str, ...]]:
    """Whether server persistence is on, honouring the deprecated alias (with a warning)."""
    warnings: tuple[str, ...] = ()
    alias = settings.store.next_public_feature_conversation_db
    if alias is not None:
        warnings = (
            "NEXT_PUBLIC_FEATURE_CONVERSATION_DB is deprecated: set AGENT_CONVERSATION_PERSISTENCE=true instead.",
        )
    if settings.store.agent_conversation_persistence is not None:
        return settings.store.agent_conversation_persistence, warnings
    return bool(alias), warnings


def _check_agentstate(settings: CoreSettings) -> None:
    key = settings.store.agentstate_api_key.get_secret_value() if settings.store.agentstate_api_key else ""
    if not key.startswith("as_live_"):
        raise ConfigError("AGENTSTATE_API_KEY must be an AgentState key starting with `as_live_`.")


def resolve_store(settings: CoreSettings) -> StoreChoice:
    """Pick the conversation store for these settings; raise ConfigError for impossible combinations."""
    enabled, warnings = persistence_enabled(settings)
    explicit = settings.store.agent_conversation_store
    untouched = (
        settings.store.agent_conversation_persistence is None
        and settings.store.next_public_feature_conversation_db is None
        and explicit is None
    )
    if untouched and settings.clickhouse.embedded:
        return StoreChoice("clickhouse", "zero-configuration default: the embedded engine keeps conversations")
    if not enabled:
        if explicit not in (None, "local"):
            warnings += (
                f"AGENT_CONVERSATION_STORE={explicit} is ignored because AGENT_CONVERSATION_PERSISTENCE is not true; "
                "history stays in the browser session (local).",
            )
        return StoreChoice("local", "persistence is off: history kept by the browser session", warnings)

    store = explicit or "auto"
    if store == "auto":
        return _auto(settings, warnings)
    if store == "memory" and settings.app.env == "production":
        raise ConfigError(
            "AGENT_CONVERSATION_STORE=memory is not accepted when CHM_ENV=production: choose a persistent store "
            f"({FITTING_STORES})."
        )
    if store == "postgres" and settings.store.database_url is None:
        raise ConfigError("AGENT_CONVERSATION_STORE=postgres needs DATABASE_URL (or POSTGRES_URL / POSTGRES_PRISMA_URL).")
    if store == "agentstate":
        _check_agentstate(settings)
    if store == "d1" and not settings.store.conversations_d1_database_id:
        raise ConfigError("AGENT_CONVERSATION_STORE=d1 needs CONVERSATIONS_D1_DATABASE_ID.")
    return StoreChoice(store, f"AGENT_CONVERSATION_STORE={store}", warnings)


def _auto(settings: CoreSettings, warnings: tuple[str, ...]) -> StoreChoice:
    if settings.store.agentstate_api_key is not None:
        _check_agentstate(settings)
        return StoreChoice("agentstate", "auto: AGENTSTATE_API_KEY is set", warnings)
    if settings.store.conversations_d1_database_id:
        return StoreChoice("d1", "auto: CONVERSATIONS_D1_DATABASE_ID is set", warnings)
    # Durable Object comes next in the documented order, but its binding only exists inside Cloudflare Workers.
    if settings.store.database_url is not None:
        return StoreChoice("postgres", "auto: DATABASE_URL is set", warnings)
    if settings.clickhouse_store.table:
        return StoreChoice("clickhouse", "auto: CLICKHOUSE_AGENT_CONVERSATIONS_TABLE is set", warnings)
    if settings.clickhouse.embedded:
        return StoreChoice("clickhouse", "auto: the embedded engine is available", warnings)
    if settings.app.env != "production":
        return StoreChoice("memory", f"auto: nothing persistent configured ({settings.app.env} only)", warnings)
    raise ConfigError(
        "AGENT_CONVERSATION_STORE=auto found no persistent store and CHM_ENV=production refuses memory: set "
        "DATABASE_URL, CLICKHOUSE_AGENT_CONVERSATIONS_TABLE, CONVERSATIONS_D1_DATABASE_ID or AGENTSTATE_API_KEY."
    )
