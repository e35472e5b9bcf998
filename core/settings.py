"""Every setting of chmonitor, declared once with its help text (README's table is checked against it)."""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import threading
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import ConfigError

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
    chm_max_query_memory: int = Field(
        2_000_000_000,
        ge=10_000_000,
        validation_alias=_env("CHM_MAX_QUERY_MEMORY"),
        description="Bytes of memory any one dashboard or assistant query may use (`max_memory_usage`).",
    )
    chm_embedded_clients: int = Field(
        4,
        ge=1,
        le=32,
        validation_alias=_env("CHM_EMBEDDED_CLIENTS"),
        description="Clients opened on the embedded engine; queries of different sessions run side by side on them "
        "(user-typed SQL may hold all but one).",
    )
    chm_embedded_readonly: int = Field(
        0,
        ge=0,
        le=2,
        validation_alias=_env("CHM_EMBEDDED_READONLY"),
        description="`1` or `2` opens the embedded engine's sessions with that `readonly` level, as a monitoring "
        "user's profile would (to try the read-only mode; the conversation store then cannot write).",
    )
    chm_adhoc_max_execution_time: int = Field(
        10,
        ge=1,
        le=3600,
        validation_alias=_env("CHM_ADHOC_MAX_EXECUTION_TIME"),
        description="Seconds a user-typed statement (chat `run_sql`, the History console) may run.",
    )
    chm_adhoc_max_result_bytes: int = Field(
        64 * 1024 * 1024,
        ge=1024,
        validation_alias=_env("CHM_ADHOC_MAX_RESULT_BYTES"),
        description="Byte cap of a user-typed statement's result (`max_result_bytes`, the result is cut there).",
    )
    chm_retry_after: float = Field(
        10.0,
        ge=0,
        le=600,
        validation_alias=_env("CHM_RETRY_AFTER"),
        description="Seconds an unreachable ClickHouse host is not retried (pages fail fast, then recover by themselves).",
    )
    chm_enable_control_actions: bool = Field(
        False,
        validation_alias=_env("CHM_ENABLE_CONTROL_ACTIONS"),
        description="Allow kill query / kill mutation / optimize table (each asks for confirmation).",
    )
    chm_demo: bool = Field(
        False,
        validation_alias=_env("CHM_DEMO"),
        description="Start the demo workload (a `demo` database with a few minutes of activity) at the first page "
        "view; embedded engine only.",
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
    chm_shared_password: SecretStr | None = Field(
        None,
        validation_alias=_env("CHM_SHARED_PASSWORD"),
        description="If set, every browser session must enter this password once before any page opens.",
    )
    chm_export_secret: SecretStr | None = Field(
        None,
        validation_alias=_env("CHM_EXPORT_SECRET"),
        description="Key signing the Conversations page's export download links (valid 10 minutes). Set the same "
        "value on every replica behind one address; empty: a random key per process (links die with a restart). "
        "When set: at least 32 random bytes (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`).",
    )
    chm_store_max_message_bytes: int = Field(
        1 << 20,
        ge=1024,
        validation_alias=_env("CHM_STORE_MAX_MESSAGE_BYTES"),
        description="Largest message content (UTF-8 bytes) the conversation store accepts; a larger one is refused.",
    )
    chm_store_max_title_bytes: int = Field(
        1 << 10,
        ge=80,
        validation_alias=_env("CHM_STORE_MAX_TITLE_BYTES"),
        description="Largest conversation title (UTF-8 bytes) the conversation store accepts.",
    )
    chm_store_max_metadata_bytes: int = Field(
        64 << 10,
        ge=1024,
        validation_alias=_env("CHM_STORE_MAX_METADATA_BYTES"),
        description="Largest metadata of a message or conversation (bytes of JSON) the conversation store accepts.",
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
        " (threads and their messages, one table). Setting it includes ClickHouse in `auto`.",
    )
    clickhouse_agent_conversations_user: str | None = Field(
        None,
        validation_alias=_env("CLICKHOUSE_AGENT_CONVERSATIONS_USER"),
        description="User the ClickHouse conversation store connects as (SELECT/INSERT on its table, CREATE TABLE for "
        "auto-create); default: the dashboard's `CLICKHOUSE_USER`, so a read-only monitoring user and a writing "
        "store user can share one cluster.",
    )
    clickhouse_agent_conversations_password: SecretStr | None = Field(
        None,
        validation_alias=_env("CLICKHOUSE_AGENT_CONVERSATIONS_PASSWORD"),
        description="Password of `CLICKHOUSE_AGENT_CONVERSATIONS_USER`; default: the dashboard's `CLICKHOUSE_PASSWORD`.",
    )
    clickhouse_agent_conversations_auto_create: bool | None = Field(
        None,
        validation_alias=_env("CLICKHOUSE_AGENT_CONVERSATIONS_AUTO_CREATE"),
        description="Create the conversation table on first write. Default: true on the embedded engine, false on a server.",
    )
    clickhouse_agent_conversations_cluster: str | None = Field(
        None,
        validation_alias=_env("CLICKHOUSE_AGENT_CONVERSATIONS_CLUSTER"),
        description="Create the conversation table `ON CLUSTER` this cluster with Replicated engines.",
    )
    clickhouse_agent_conversations_ttl_days: int | None = Field(
        None,
        ge=1,
        validation_alias=_env("CLICKHOUSE_AGENT_CONVERSATIONS_TTL_DAYS"),
        description="Drop conversations this many days after they were created (table TTL).",
    )
    postgres_conversations_table_prefix: str = Field(
        "agent_",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,40}$",
        validation_alias=_env("POSTGRES_CONVERSATIONS_TABLE_PREFIX"),
        description="Prefix of the Postgres store's tables (`<prefix>threads`, `<prefix>messages`); letters, digits, "
        "underscores.",
    )
    cloudflare_account_id: str | None = Field(
        None,
        validation_alias=_env("CLOUDFLARE_ACCOUNT_ID"),
        description="Cloudflare account id owning the D1 database (the d1 store talks to D1's HTTP API).",
    )
    cloudflare_api_token: SecretStr | None = Field(
        None,
        validation_alias=_env("CLOUDFLARE_API_TOKEN"),
        description="Cloudflare API token with D1 read and write permission, for the d1 store.",
    )
    cloudflare_api_base: str = Field(
        "https://api.cloudflare.com/client/v4",
        validation_alias=_env("CLOUDFLARE_API_BASE"),
        description="Cloudflare API base URL (change only to point the d1 store at a stand-in).",
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

    # --- Assistant (issue 4) -----------------------------------------------------------------------
    chm_assistant_max_steps: int = Field(
        6,
        ge=1,
        le=50,
        validation_alias=_env("CHM_ASSISTANT_MAX_STEPS"),
        description="Most model calls the LLM assistant makes for one question (its tool loop's step cap).",
    )
    chm_llm_timeout: float = Field(
        60.0,
        gt=0,
        le=600,
        validation_alias=_env("CHM_LLM_TIMEOUT"),
        description="Seconds to wait for the LLM endpoint before reporting a timeout.",
    )
    chm_max_chat_input: int = Field(
        4000,
        ge=100,
        le=100_000,
        validation_alias=_env("CHM_MAX_CHAT_INPUT"),
        description="Longest question (in characters) the chat accepts.",
    )

    # --- Health-check thresholds (dashboard, issue 3) -------------------------------------------
    # One warning and one critical threshold per check of the Health page; the comment above each pair cites
    # where its default comes from. A value reaching the threshold is that status (for uptime and rows_per_insert
    # a value at or below it is).
    # readonly_replicas: any read-only replica refuses inserts (ClickHouse docs, system.replicas: is_readonly).
    chm_health_readonly_replicas_warning: float = Field(
        1.0,
        validation_alias=_env("CHM_HEALTH_READONLY_REPLICAS_WARNING"),
        description="Health check `readonly_replicas`: warning threshold (tables).",
    )
    chm_health_readonly_replicas_critical: float = Field(
        1.0,
        validation_alias=_env("CHM_HEALTH_READONLY_REPLICAS_CRITICAL"),
        description="Health check `readonly_replicas`: critical threshold (tables).",
    )
    # replication_lag: warning = max_replica_delay_for_distributed_queries default 300 s (ClickHouse settings docs); critical = Altinity KB replication-lag alert, 30 min.
    chm_health_replication_lag_warning: float = Field(
        300.0,
        validation_alias=_env("CHM_HEALTH_REPLICATION_LAG_WARNING"),
        description="Health check `replication_lag`: warning threshold (s).",
    )
    chm_health_replication_lag_critical: float = Field(
        1800.0,
        validation_alias=_env("CHM_HEALTH_REPLICATION_LAG_CRITICAL"),
        description="Health check `replication_lag`: critical threshold (s).",
    )
    # replication_queue_age: Altinity KB 'stuck replication queue': entries older than minutes need a look, older than an hour are stuck.
    chm_health_replication_queue_age_warning: float = Field(
        600.0,
        validation_alias=_env("CHM_HEALTH_REPLICATION_QUEUE_AGE_WARNING"),
        description="Health check `replication_queue_age`: warning threshold (s).",
    )
    chm_health_replication_queue_age_critical: float = Field(
        3600.0,
        validation_alias=_env("CHM_HEALTH_REPLICATION_QUEUE_AGE_CRITICAL"),
        description="Health check `replication_queue_age`: critical threshold (s).",
    )
    # parts_per_partition: 33 % = parts_to_delay_insert/parts_to_throw_insert defaults 1000/3000, where inserts start being delayed (MergeTree settings docs).
    chm_health_parts_per_partition_warning: float = Field(
        33.0,
        validation_alias=_env("CHM_HEALTH_PARTS_PER_PARTITION_WARNING"),
        description="Health check `parts_per_partition`: warning threshold (%).",
    )
    chm_health_parts_per_partition_critical: float = Field(
        80.0,
        validation_alias=_env("CHM_HEALTH_PARTS_PER_PARTITION_CRITICAL"),
        description="Health check `parts_per_partition`: critical threshold (%).",
    )
    # delayed_inserts: any delayed insert means a partition passed parts_to_delay_insert (MergeTree settings docs).
    chm_health_delayed_inserts_warning: float = Field(
        1.0,
        validation_alias=_env("CHM_HEALTH_DELAYED_INSERTS_WARNING"),
        description="Health check `delayed_inserts`: warning threshold (inserts).",
    )
    chm_health_delayed_inserts_critical: float = Field(
        100.0,
        validation_alias=_env("CHM_HEALTH_DELAYED_INSERTS_CRITICAL"),
        description="Health check `delayed_inserts`: critical threshold (inserts).",
    )
    # rejected_inserts: a rejected insert is data the client must resend (TOO_MANY_PARTS, MergeTree settings docs).
    chm_health_rejected_inserts_warning: float = Field(
        1.0,
        validation_alias=_env("CHM_HEALTH_REJECTED_INSERTS_WARNING"),
        description="Health check `rejected_inserts`: warning threshold (inserts).",
    )
    chm_health_rejected_inserts_critical: float = Field(
        1.0,
        validation_alias=_env("CHM_HEALTH_REJECTED_INSERTS_CRITICAL"),
        description="Health check `rejected_inserts`: critical threshold (inserts).",
    )
    # rows_per_insert: ClickHouse docs 'Bulk inserts': insert at least 1,000 rows at a time, ideally 10,000-100,000.
    chm_health_rows_per_insert_warning: float = Field(
        1000.0,
        validation_alias=_env("CHM_HEALTH_ROWS_PER_INSERT_WARNING"),
        description="Health check `rows_per_insert`: warning threshold (rows).",
    )
    chm_health_rows_per_insert_critical: float = Field(
        10.0,
        validation_alias=_env("CHM_HEALTH_ROWS_PER_INSERT_CRITICAL"),
        description="Health check `rows_per_insert`: critical threshold (rows).",
    )
    # long_running_queries: chmonitor (TypeScript) long-running query check: 5 min; critical at 30 min.
    chm_health_long_running_queries_warning: float = Field(
        300.0,
        validation_alias=_env("CHM_HEALTH_LONG_RUNNING_QUERIES_WARNING"),
        description="Health check `long_running_queries`: warning threshold (s).",
    )
    chm_health_long_running_queries_critical: float = Field(
        1800.0,
        validation_alias=_env("CHM_HEALTH_LONG_RUNNING_QUERIES_CRITICAL"),
        description="Health check `long_running_queries`: critical threshold (s).",
    )
    # detached_parts: Altinity KB 'detached parts': any unexpected detached part deserves a look.
    chm_health_detached_parts_warning: float = Field(
        1.0,
        validation_alias=_env("CHM_HEALTH_DETACHED_PARTS_WARNING"),
        description="Health check `detached_parts`: warning threshold (parts).",
    )
    chm_health_detached_parts_critical: float = Field(
        50.0,
        validation_alias=_env("CHM_HEALTH_DETACHED_PARTS_CRITICAL"),
        description="Health check `detached_parts`: critical threshold (parts).",
    )
    # stuck_mutations: ClickHouse docs 'mutations': a failing mutation retries forever until killed.
    chm_health_stuck_mutations_warning: float = Field(
        1.0,
        validation_alias=_env("CHM_HEALTH_STUCK_MUTATIONS_WARNING"),
        description="Health check `stuck_mutations`: warning threshold (mutations).",
    )
    chm_health_stuck_mutations_critical: float = Field(
        5.0,
        validation_alias=_env("CHM_HEALTH_STUCK_MUTATIONS_CRITICAL"),
        description="Health check `stuck_mutations`: critical threshold (mutations).",
    )
    # disk_used: Grafana ClickHouse plugin / Altinity dashboards disk alerts at 80 % and 90 %.
    chm_health_disk_used_warning: float = Field(
        80.0,
        validation_alias=_env("CHM_HEALTH_DISK_USED_WARNING"),
        description="Health check `disk_used`: warning threshold (%).",
    )
    chm_health_disk_used_critical: float = Field(
        90.0,
        validation_alias=_env("CHM_HEALTH_DISK_USED_CRITICAL"),
        description="Health check `disk_used`: critical threshold (%).",
    )
    # memory_used: Altinity dashboards memory alert at 80 %/90 % of max_server_memory_usage.
    chm_health_memory_used_warning: float = Field(
        80.0,
        validation_alias=_env("CHM_HEALTH_MEMORY_USED_WARNING"),
        description="Health check `memory_used`: warning threshold (%).",
    )
    chm_health_memory_used_critical: float = Field(
        90.0,
        validation_alias=_env("CHM_HEALTH_MEMORY_USED_CRITICAL"),
        description="Health check `memory_used`: critical threshold (%).",
    )
    # dictionary_errors: a failed dictionary serves stale or no data (ClickHouse docs, system.dictionaries).
    chm_health_dictionary_errors_warning: float = Field(
        1.0,
        validation_alias=_env("CHM_HEALTH_DICTIONARY_ERRORS_WARNING"),
        description="Health check `dictionary_errors`: warning threshold (dictionaries).",
    )
    chm_health_dictionary_errors_critical: float = Field(
        1.0,
        validation_alias=_env("CHM_HEALTH_DICTIONARY_ERRORS_CRITICAL"),
        description="Health check `dictionary_errors`: critical threshold (dictionaries).",
    )
    # uptime: restart within the last hour (warning) or 5 minutes (critical), as chmonitor's recent-restart check.
    chm_health_uptime_warning: float = Field(
        3600.0,
        validation_alias=_env("CHM_HEALTH_UPTIME_WARNING"),
        description="Health check `uptime`: warning threshold (s).",
    )
    chm_health_uptime_critical: float = Field(
        300.0,
        validation_alias=_env("CHM_HEALTH_UPTIME_CRITICAL"),
        description="Health check `uptime`: critical threshold (s).",
    )
    # distribution_queue: Altinity KB: DistributedFilesToInsert growing past hundreds means a shard is not receiving.
    chm_health_distribution_queue_warning: float = Field(
        100.0,
        validation_alias=_env("CHM_HEALTH_DISTRIBUTION_QUEUE_WARNING"),
        description="Health check `distribution_queue`: warning threshold (files).",
    )
    chm_health_distribution_queue_critical: float = Field(
        1000.0,
        validation_alias=_env("CHM_HEALTH_DISTRIBUTION_QUEUE_CRITICAL"),
        description="Health check `distribution_queue`: critical threshold (files).",
    )
    # data_integrity: ClickHouse docs, ReplicatedDataLoss / ReplicatedPartChecksFailed profile events should stay 0.
    chm_health_data_integrity_warning: float = Field(
        1.0,
        validation_alias=_env("CHM_HEALTH_DATA_INTEGRITY_WARNING"),
        description="Health check `data_integrity`: warning threshold (events).",
    )
    chm_health_data_integrity_critical: float = Field(
        10.0,
        validation_alias=_env("CHM_HEALTH_DATA_INTEGRITY_CRITICAL"),
        description="Health check `data_integrity`: critical threshold (events).",
    )
    # unreachable_nodes: one host with connection errors is degraded; two or more risks a shard (system.clusters errors_count).
    chm_health_unreachable_nodes_warning: float = Field(
        1.0,
        validation_alias=_env("CHM_HEALTH_UNREACHABLE_NODES_WARNING"),
        description="Health check `unreachable_nodes`: warning threshold (hosts).",
    )
    chm_health_unreachable_nodes_critical: float = Field(
        2.0,
        validation_alias=_env("CHM_HEALTH_UNREACHABLE_NODES_CRITICAL"),
        description="Health check `unreachable_nodes`: critical threshold (hosts).",
    )
    # error_spikes: Grafana ClickHouse mixin error-rate alert order of magnitude: 10/min noisy, 100/min incident.
    chm_health_error_spikes_warning: float = Field(
        10.0,
        validation_alias=_env("CHM_HEALTH_ERROR_SPIKES_WARNING"),
        description="Health check `error_spikes`: warning threshold (errors/min).",
    )
    chm_health_error_spikes_critical: float = Field(
        100.0,
        validation_alias=_env("CHM_HEALTH_ERROR_SPIKES_CRITICAL"),
        description="Health check `error_spikes`: critical threshold (errors/min).",
    )
    # system_log_size: Altinity KB 'system tables eat my disk': logs past tens of GiB need a TTL.
    chm_health_system_log_size_warning: float = Field(
        10.0,
        validation_alias=_env("CHM_HEALTH_SYSTEM_LOG_SIZE_WARNING"),
        description="Health check `system_log_size`: warning threshold (GiB).",
    )
    chm_health_system_log_size_critical: float = Field(
        50.0,
        validation_alias=_env("CHM_HEALTH_SYSTEM_LOG_SIZE_CRITICAL"),
        description="Health check `system_log_size`: critical threshold (GiB).",
    )
    # system_log_ttl: ClickHouse docs, system log `<ttl>`: without it system logs are never trimmed.
    chm_health_system_log_ttl_warning: float = Field(
        1.0,
        validation_alias=_env("CHM_HEALTH_SYSTEM_LOG_TTL_WARNING"),
        description="Health check `system_log_ttl`: warning threshold (tables).",
    )
    chm_health_system_log_ttl_critical: float = Field(
        100.0,
        validation_alias=_env("CHM_HEALTH_SYSTEM_LOG_TTL_CRITICAL"),
        description="Health check `system_log_ttl`: critical threshold (tables).",
    )
    # table_count: percent of server setting max_table_num_to_warn (default 5000), where the server warns itself.
    chm_health_table_count_warning: float = Field(
        80.0,
        validation_alias=_env("CHM_HEALTH_TABLE_COUNT_WARNING"),
        description="Health check `table_count`: warning threshold (%).",
    )
    chm_health_table_count_critical: float = Field(
        100.0,
        validation_alias=_env("CHM_HEALTH_TABLE_COUNT_CRITICAL"),
        description="Health check `table_count`: critical threshold (%).",
    )
    # part_count: percent of server setting max_part_num_to_warn (default 100000), where the server warns itself.
    chm_health_part_count_warning: float = Field(
        80.0,
        validation_alias=_env("CHM_HEALTH_PART_COUNT_WARNING"),
        description="Health check `part_count`: warning threshold (%).",
    )
    chm_health_part_count_critical: float = Field(
        100.0,
        validation_alias=_env("CHM_HEALTH_PART_COUNT_CRITICAL"),
        description="Health check `part_count`: critical threshold (%).",
    )
    # async_insert_errors: an async insert error loses the buffered rows unless the client waited (ClickHouse docs, async inserts).
    chm_health_async_insert_errors_warning: float = Field(
        1.0,
        validation_alias=_env("CHM_HEALTH_ASYNC_INSERT_ERRORS_WARNING"),
        description="Health check `async_insert_errors`: warning threshold (inserts).",
    )
    chm_health_async_insert_errors_critical: float = Field(
        10.0,
        validation_alias=_env("CHM_HEALTH_ASYNC_INSERT_ERRORS_CRITICAL"),
        description="Health check `async_insert_errors`: critical threshold (inserts).",
    )
    # failed_queries: Grafana ClickHouse mixin failed-query ratio: 5 % warning, 20 % critical.
    chm_health_failed_queries_warning: float = Field(
        5.0,
        validation_alias=_env("CHM_HEALTH_FAILED_QUERIES_WARNING"),
        description="Health check `failed_queries`: warning threshold (%).",
    )
    chm_health_failed_queries_critical: float = Field(
        20.0,
        validation_alias=_env("CHM_HEALTH_FAILED_QUERIES_CRITICAL"),
        description="Health check `failed_queries`: critical threshold (%).",
    )

    # --- Alerts: the watcher, its notifications and custom rules ---------------------------------
    chm_alerts: bool = Field(
        False,
        validation_alias=_env("CHM_ALERTS"),
        description="Run the alert watcher inside the app process (`server.py`); run it in one replica only.",
    )
    chm_alert_interval: float = Field(
        60.0,
        gt=0,
        le=86400,
        validation_alias=_env("CHM_ALERT_INTERVAL"),
        description="Seconds between two evaluations of every check on every host by the alert watcher.",
    )
    chm_alert_for: int = Field(
        3,
        ge=1,
        le=1000,
        validation_alias=_env("CHM_ALERT_FOR"),
        description="Consecutive evaluations a check must be bad before it fires, and good before it resolves "
        "(a custom rule may set its own `for`).",
    )
    chm_alert_notify: SecretStr | None = Field(
        None,
        validation_alias=_env("CHM_ALERT_NOTIFY"),
        description="Apprise URLs the alerts are sent to (Slack, Teams, email, `json://` webhooks…), separated by "
        "spaces or commas; they hold secrets and are never logged or shown. Empty: alerts are only recorded.",
    )
    chm_alert_retries: int = Field(
        3,
        ge=1,
        le=20,
        validation_alias=_env("CHM_ALERT_RETRIES"),
        description="Attempts to send one notification (exponential backoff between them) before it is recorded "
        "as failed.",
    )
    chm_alert_backoff: float = Field(
        1.0,
        ge=0,
        le=300,
        validation_alias=_env("CHM_ALERT_BACKOFF"),
        description="Seconds before the first retry of a notification; each further retry waits twice as long.",
    )
    chm_alert_rules: Path | None = Field(
        None,
        validation_alias=_env("CHM_ALERT_RULES"),
        description="TOML file of custom alert rules (a panel or read-only SQL, its value column, thresholds, `for`, "
        "severity); checked at start.",
    )
    chm_alert_table: str = Field(
        "chm_alerts",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,126}$",
        validation_alias=_env("CHM_ALERT_TABLE"),
        description="Table of alert events and silences, in the conversation table's database; created on first "
        "use when `CLICKHOUSE_AGENT_CONVERSATIONS_AUTO_CREATE` is on.",
    )
    chm_public_url: str = Field(
        "http://localhost:8501",
        validation_alias=_env("CHM_PUBLIC_URL"),
        description="Base URL the app is reached at; alert messages link to its Health page.",
    )

    @field_validator("clickhouse_host")
    @classmethod
    def _hosts_are_urls(cls, value: str) -> str:
        for host in (h.strip() for h in value.split(",") if h.strip()):
            if not host.startswith(("http://", "https://")):
                raise ValueError(f"each host must be an http:// or https:// URL, got {host!r}")
        return value

    @field_validator("chm_export_secret")
    @classmethod
    def _export_secret_is_strong(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            check_signing_secret(value.get_secret_value())
        return value

    @field_validator("chm_demo")
    @classmethod
    def _demo_on_embedded_only(cls, value: bool, info: ValidationInfo) -> bool:
        if value and _split(info.data.get("clickhouse_host") or ""):
            raise ValueError("the demo workload writes, so it runs only on the embedded engine; unset CLICKHOUSE_HOST")
        return value

    @field_validator("clickhouse_tz")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        if value:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Berlin") from exc
        return value

    @field_validator("clickhouse_agent_conversations_table")
    @classmethod
    def _table_name(cls, value: str | None) -> str | None:
        if value is not None:
            from core.names import validate_table_name

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

    def store_credentials(self) -> tuple[str, str] | None:
        """User and password of the ClickHouse store's own connection, or None to share the dashboard's (host 0)."""
        user, password = self.clickhouse_agent_conversations_user, self.clickhouse_agent_conversations_password
        if user is None and password is None:
            return None
        default_user, default_password = self.credentials(0)
        return user or default_user, password.get_secret_value() if password is not None else default_password

    @property
    def admin_users(self) -> frozenset[str]:
        """User ids allowed to see all users' conversations."""
        return frozenset(_split(self.chm_admin_users))

    @property
    def conversation_table(self) -> str:
        """The ClickHouse conversation table, `db.table`."""
        return self.clickhouse_agent_conversations_table or f"{self.clickhouse_database}.agent_conversations"


MIN_SECRET_BYTES = 32
"""A signing secret carries at least this many bytes once decoded (hex, base64, else its UTF-8 text)."""
MIN_SECRET_DISTINCT = 16
"""…of which at least this many differ: 32 random bytes have about 30 distinct values, a repeated pattern few."""


def secret_bytes(value: str) -> bytes:
    """The bytes a secret stands for: decoded when it is hex or base64 (standard or URL-safe), else its UTF-8."""
    text = value.strip()
    if len(text) % 2 == 0 and re.fullmatch(r"[0-9a-fA-F]+", text):
        return bytes.fromhex(text)
    if re.fullmatch(r"[A-Za-z0-9+/_-]+={0,2}", text):
        try:
            return base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4),
                                    validate=True)
        except binascii.Error:
            pass
    return value.encode("utf-8")


def check_signing_secret(value: str) -> None:
    """Raise ValueError unless `value` holds at least 32 bytes that do not look like a repeated pattern."""
    raw = secret_bytes(value)
    if len(raw) < MIN_SECRET_BYTES or len(set(raw)) < MIN_SECRET_DISTINCT:
        raise ValueError(
            f"must be at least {MIN_SECRET_BYTES} random bytes (hex, base64 or text; this one gives {len(raw)} bytes "
            f"with {len(set(raw))} distinct values); make one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )


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


SECRETS_FD_VARIABLE = "CHM_SECRETS_FD"
"""Set by `python -m core.launch`: the file descriptor of a pipe holding the secret settings (read once)."""
_handed_over: dict[str, str] | None = None
_handed_over_lock = threading.Lock()


def secret_variables() -> frozenset[str]:
    """Every environment variable that can carry a secret setting (each `SecretStr` field's names)."""
    names: set[str] = set()
    for field_name, info in Settings.model_fields.items():
        if "SecretStr" in str(info.annotation):
            alias = info.validation_alias
            names.update(alias.choices if isinstance(alias, AliasChoices) else [field_name.upper()])
    return frozenset(names)


def handed_over_secrets() -> dict[str, str]:
    """The secrets the launcher passed through its pipe (read and closed at the first call; {} without one)."""
    global _handed_over
    with _handed_over_lock:
        if _handed_over is None:
            _handed_over = {}
            fd = os.environ.pop(SECRETS_FD_VARIABLE, "")
            if fd.isdigit():
                with os.fdopen(int(fd), "rb") as pipe:
                    _handed_over = json.loads(pipe.read().decode("utf-8") or "{}")
        return dict(_handed_over)


def _from_launcher() -> dict[str, object]:
    """The launcher's secrets as field values (by each field's first variable name that was handed over)."""
    handed = handed_over_secrets()
    values: dict[str, object] = {}
    for field_name, info in Settings.model_fields.items():
        alias = info.validation_alias
        for name in alias.choices if isinstance(alias, AliasChoices) else []:
            if name in handed:
                values[field_name] = handed[name]
                break
    return values


def load_settings(**overrides: object) -> Settings:
    """Build Settings from the environment (and the launcher's pipe of secrets); a bad value raises ConfigError
    naming the variable to fix."""
    try:
        return Settings(**{**_from_launcher(), **overrides})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else ""
            name = env_name(field) if field in Settings.model_fields else field.upper()
            allowed = err.get("ctx", {}).get("expected")
            hint = f" (accepted: {allowed})" if allowed else ""
            secret = (field in Settings.model_fields and "Secret" in str(Settings.model_fields[field].annotation)) or (
                field.upper() in secret_variables())
            shown = "<hidden>" if secret else repr(err.get("input"))
            problems.append(f"{name}: {err['msg']}{hint}; got {shown}")
        raise ConfigError("Invalid configuration — fix these environment variables:\n" + "\n".join(problems)) from exc
