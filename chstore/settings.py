"""Every setting of chmonitor, declared once with its help text (README's table is checked against it)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from chstore.errors import ConfigError

StoreName = Literal["auto", "agentstate", "d1", "durable-object", "clickhouse", "postgres", "memory", "local"]
STORE_NAMES: tuple[str, ...] = StoreName.__args__


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """chmonitor's configuration, read from the environment and an optional `.env` file."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True, frozen=True
    )

    # --- ClickHouse connection -------------------------------------------------------------------
    clickhouse_host: str = Field(
        "",
        validation_alias=_env("CLICKHOUSE_HOST"),
        description="Comma-separated ClickHouse HTTP(S) URLs, e.g. `http://ch1:8123,https://ch2:8443`. "
        "Empty: the embedded engine (chdb) under `CHM_DATA_DIR`.",
    )
    clickhouse_user: str = Field(
        "default",
        validation_alias=_env("CLICKHOUSE_USER"),
        description="User name; one for all hosts or comma-separated, one per host.",
    )
    clickhouse_password: SecretStr = Field(
        SecretStr(""),
        validation_alias=_env("CLICKHOUSE_PASSWORD"),
        description="Password; one for all hosts or comma-separated, one per host.",
    )
    clickhouse_name: str = Field(
        "",
        validation_alias=_env("CLICKHOUSE_NAME"),
        description="Comma-separated labels for the hosts, shown in the host switcher.",
    )
    clickhouse_database: str = Field(
        "default",
        validation_alias=_env("CLICKHOUSE_DATABASE"),
        description="Default database; also the default database of the conversation table.",
    )
    clickhouse_max_execution_time: int = Field(
        60,
        ge=1,
        le=3600,
        validation_alias=_env("CLICKHOUSE_MAX_EXECUTION_TIME"),
        description="Seconds any dashboard or assistant query may run (`max_execution_time`).",
    )
    clickhouse_tz: str = Field(
        "",
        validation_alias=_env("CLICKHOUSE_TZ"),
        description="Time zone for displayed times (IANA name, e.g. `Europe/Berlin`); empty: the server's.",
    )

    # --- chmonitor itself ------------------------------------------------------------------------
    chm_env: Literal["development", "test", "production"] = Field(
        "development",
        validation_alias=_env("CHM_ENV"),
        description="`development`, `test` or `production`; production refuses the memory store.",
    )
    chm_data_dir: Path = Field(
        Path("data"),
        validation_alias=_env("CHM_DATA_DIR"),
        description="Directory of the embedded engine's data (used when `CLICKHOUSE_HOST` is empty).",
    )
    chm_max_result_rows: int = Field(
        10000,
        ge=1,
        le=1_000_000,
        validation_alias=_env("CHM_MAX_RESULT_ROWS"),
        description="Row cap of every dashboard and assistant query (`max_result_rows`).",
    )
    chm_enable_control_actions: bool = Field(
        False,
        validation_alias=_env("CHM_ENABLE_CONTROL_ACTIONS"),
        description="Allow kill query / kill mutation / optimize table (each asks for confirmation).",
    )
    chm_trusted_user_header: str = Field(
        "",
        validation_alias=_env("CHM_TRUSTED_USER_HEADER"),
        description="HTTP header set by an authenticating proxy that names the user (e.g. `X-Forwarded-User`).",
    )
    chm_admin_users: str = Field(
        "",
        validation_alias=_env("CHM_ADMIN_USERS"),
        description="Comma-separated user ids allowed to see every user's conversations.",
    )
    chm_local_user: str = Field(
        "local",
        min_length=1,
        validation_alias=_env("CHM_LOCAL_USER"),
        description="User id of the single local user when no sign-in or proxy header is configured.",
    )

    # --- Conversation store (semantics of the seed document) -------------------------------------
    agent_conversation_persistence: bool | None = Field(
        None,
        validation_alias=_env("AGENT_CONVERSATION_PERSISTENCE"),
        description="`true` turns server-side conversation persistence on.",
    )
    next_public_feature_conversation_db: bool | None = Field(
        None,
        validation_alias=_env("NEXT_PUBLIC_FEATURE_CONVERSATION_DB"),
        description="Deprecated alias of `AGENT_CONVERSATION_PERSISTENCE=true` (logs a warning).",
    )
    agent_conversation_store: StoreName | None = Field(
        None,
        validation_alias=_env("AGENT_CONVERSATION_STORE"),
        description="Where conversations live: " + ", ".join(f"`{n}`" for n in STORE_NAMES) + ". Default `auto`.",
    )
    agentstate_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("AGENTSTATE_API_KEY"),
        description="AgentState API key (must start with `as_live_`).",
    )
    agentstate_api_base: str = Field(
        "https://agentstate.app/api",
        validation_alias=_env("AGENTSTATE_API_BASE"),
        description="AgentState API base URL.",
    )
    conversations_d1_database_id: str | None = Field(
        None,
        validation_alias=_env("CONVERSATIONS_D1_DATABASE_ID", "AGENT_CONVERSATIONS_D1_DATABASE_ID"),
        description="Cloudflare D1 database id (alias `AGENT_CONVERSATIONS_D1_DATABASE_ID`).",
    )
    agent_conversations_do_binding: str = Field(
        "AGENT_CONVERSATIONS_DO",
        validation_alias=_env("AGENT_CONVERSATIONS_DO_BINDING"),
        description="Durable Object binding name (Cloudflare Workers only).",
    )
    database_url: SecretStr | None = Field(
        None,
        validation_alias=_env("DATABASE_URL", "POSTGRES_URL", "POSTGRES_PRISMA_URL"),
        description="PostgreSQL URL for the postgres store (also read from `POSTGRES_URL` or `POSTGRES_PRISMA_URL`).",
    )
    clickhouse_agent_conversations_table: str | None = Field(
        None,
        validation_alias=_env("CLICKHOUSE_AGENT_CONVERSATIONS_TABLE"),
        description="`db.table` of the ClickHouse conversation store; default `${CLICKHOUSE_DATABASE}.agent_conversations`"
        " (messages go to `<table>_messages`). Setting it includes ClickHouse in `auto`.",
    )
    clickhouse_agent_conversations_auto_create: bool | None = Field(
        None,
        validation_alias=_env("CLICKHOUSE_AGENT_CONVERSATIONS_AUTO_CREATE"),
        description="Create the conversation tables on first write. Default: true on the embedded engine, false on a server.",
    )
    clickhouse_agent_conversations_cluster: str | None = Field(
        None,
        validation_alias=_env("CLICKHOUSE_AGENT_CONVERSATIONS_CLUSTER"),
        description="Create the conversation tables `ON CLUSTER` this cluster with Replicated engines.",
    )
    clickhouse_agent_conversations_ttl_days: int | None = Field(
        None,
        ge=1,
        validation_alias=_env("CLICKHOUSE_AGENT_CONVERSATIONS_TTL_DAYS"),
        description="Drop conversations this many days after they were created (table TTL).",
    )

    # --- Assistant LLM ---------------------------------------------------------------------------
    llm_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("LLM_API_KEY", "OPENAI_API_KEY"),
        description="API key of an OpenAI-compatible chat-completions endpoint (fallback `OPENAI_API_KEY`). "
        "Empty: the built-in assistant.",
    )
    llm_api_base: str = Field(
        "",
        validation_alias=_env("LLM_API_BASE"),
        description="Base URL of the OpenAI-compatible API (e.g. `http://localhost:11434/v1`); empty: OpenAI's.",
    )
    llm_model: str = Field(
        "gpt-4o-mini",
        validation_alias=_env("LLM_MODEL"),
        description="Model name sent to the LLM endpoint.",
    )

    @field_validator("clickhouse_host")
    @classmethod
    def _hosts_are_urls(cls, value: str) -> str:
        for host in (h.strip() for h in value.split(",") if h.strip()):
            if not host.startswith(("http://", "https://")):
                raise ValueError(f"each host must be an http:// or https:// URL, got {host!r}")
        return value

    @field_validator("clickhouse_agent_conversations_table")
    @classmethod
    def _table_name(cls, value: str | None) -> str | None:
        if value is not None:
            from chstore.names import validate_table_name

            validate_table_name(value)
        return value

    # --- derived values (pure) -------------------------------------------------------------------
    @property
    def hosts(self) -> list[str]:
        """The configured host URLs; empty means the embedded engine."""
        return _split(self.clickhouse_host)

    @property
    def embedded(self) -> bool:
        """True when the app runs on the in-process engine."""
        return not self.hosts

    @property
    def host_labels(self) -> list[str]:
        """One display label per host (`CLICKHOUSE_NAME`, else the URL's host part); `embedded` for chdb."""
        if self.embedded:
            return ["embedded"]
        names = _split(self.clickhouse_name)
        return [names[i] if i < len(names) else _host_part(url) for i, url in enumerate(self.hosts)]

    def credentials(self, index: int) -> tuple[str, str]:
        """User and password for host number `index` (one value for all hosts, or one per host)."""
        return _pick(_split(self.clickhouse_user) or ["default"], index), _pick(
            self.clickhouse_password.get_secret_value().split(","), index
        )

    @property
    def admin_users(self) -> frozenset[str]:
        """User ids allowed to see all users' conversations."""
        return frozenset(_split(self.chm_admin_users))

    @property
    def conversation_table(self) -> str:
        """The ClickHouse conversation table, `db.table`."""
        return self.clickhouse_agent_conversations_table or f"{self.clickhouse_database}.agent_conversations"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _pick(values: list[str], index: int) -> str:
    return values[index] if index < len(values) else values[0]


def _host_part(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


def env_name(field_name: str) -> str:
    """The primary environment variable of a settings field."""
    alias = Settings.model_fields[field_name].validation_alias
    return alias.choices[0] if isinstance(alias, AliasChoices) else field_name.upper()


def load_settings(**overrides: object) -> Settings:
    """Build Settings from the environment; a bad value raises ConfigError naming the variable to fix."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else ""
            name = env_name(field) if field in Settings.model_fields else field.upper()
            allowed = err.get("ctx", {}).get("expected")
            hint = f" (accepted: {allowed})" if allowed else ""
            secret = field in Settings.model_fields and "Secret" in str(Settings.model_fields[field].annotation)
            shown = "<hidden>" if secret else repr(err.get("input"))
            problems.append(f"{name}: {err['msg']}{hint}; got {shown}")
        raise ConfigError("Invalid configuration — fix these environment variables:\n" + "\n".join(problems)) from exc
