"""Settings: the sub-models of the core, and how any composition of sub-models is loaded, explained and documented.

Every setting is a field of one sub-model (an `Area`), read from the environment (and `.env`) under that area's
prefix: `ClickHouseSettings.host` is `CLICKHOUSE_HOST`. A variable whose name does not fit its area's prefix (an
operator-facing name kept from before, an alternative spelling) says so with `validation_alias`, its documented
name first.

Where the line runs: this module holds what the core and the conversation store run on (the ClickHouse hosts, the
engine and its query limits, who the user is, where conversations live), composed as `CoreSettings`, and imports no
other area. The areas that sit on top declare their own sub-models beside their code (`assistant/settings.py`,
`alerts/settings.py`, the health thresholds built from the checks in `dashboard/catalog.py`), and the app's one
`Settings` is composed from all of them in `config.py`, the only module that imports every area. The store's
sub-models stay here: `chstore` loads what it runs on by itself (`open_store()` without settings loads
`CoreSettings`), and `CoreSettings` cannot import a `chstore.settings` module, which would first run the `chstore`
package, which imports this one.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import ConfigError

StoreName = Literal["auto", "agentstate", "d1", "durable-object", "clickhouse", "postgres", "memory", "local"]
STORE_NAMES: tuple[str, ...] = StoreName.__args__


class Area(BaseSettings):
    """One area's settings: read from the environment and `.env` under the subclass's `env_prefix`; frozen."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True, frozen=True
    )

    @classmethod
    def variables(cls, field: str) -> tuple[str, ...]:
        """The environment variables `field` is read from, the documented one first."""
        alias = cls.model_fields[field].validation_alias
        if isinstance(alias, AliasChoices):
            return tuple(str(choice) for choice in alias.choices)
        if isinstance(alias, str):
            return (alias,)
        return ((cls.model_config.get("env_prefix", "") + field).upper(),)

    @classmethod
    def is_secret(cls, field: str) -> bool:
        """Whether `field` holds a secret (a `SecretStr`): never shown, logged or left in the environment."""
        return "SecretStr" in str(cls.model_fields[field].annotation)


# --- the core's areas ----------------------------------------------------------------------------------------------


class ClickHouseSettings(Area, env_prefix="CLICKHOUSE_"):
    """Which ClickHouse servers are monitored, as whom, and how their answers are shown."""

    host: str = Field("", description="Comma-separated ClickHouse HTTP(S) URLs, e.g. "
                      "`http://ch1:8123,https://ch2:8443`. Empty: the embedded engine (chdb) under `CHM_DATA_DIR`.")
    user: str = Field("default", description="User name; one for all hosts or comma-separated, one per host.")
    password: SecretStr = Field(SecretStr(""),
                                description="Password; one for all hosts or comma-separated, one per host.")
    name: str = Field("", description="Comma-separated labels for the hosts, shown in the host switcher.")
    database: str = Field("default",
                          description="Default database; also the default database of the conversation table.")
    max_execution_time: int = Field(
        60, ge=1, le=3600, description="Seconds any dashboard or assistant query may run (`max_execution_time`).")
    tz: str = Field("", description="Time zone for displayed times (IANA name, e.g. `Europe/Berlin`); empty: the "
                    "server's.")

    @field_validator("host")
    @classmethod
    def _hosts_are_urls(cls, value: str) -> str:
        for host in _split(value):
            if not host.startswith(("http://", "https://")):
                raise ValueError(f"each host must be an http:// or https:// URL, got {host!r}")
        return value

    @field_validator("tz")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        if value:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Berlin") from exc
        return value

    @property
    def hosts(self) -> list[str]:
        """The configured host URLs; empty means the embedded engine."""
        return _split(self.host)

    @property
    def embedded(self) -> bool:
        """True when the app runs on the in-process engine."""
        return not self.hosts

    @property
    def host_labels(self) -> list[str]:
        """One display label per host (`CLICKHOUSE_NAME`, else the URL's host part); `embedded` for chdb."""
        if self.embedded:
            return ["embedded"]
        names = _split(self.name)
        return [names[i] if i < len(names) else _host_part(url) for i, url in enumerate(self.hosts)]

    def credentials(self, index: int) -> tuple[str, str]:
        """User and password for host number `index` (one value for all hosts, or one per host)."""
        return _pick(_split(self.user) or ["default"], index), _pick(
            self.password.get_secret_value().split(","), index
        )


class EngineSettings(Area, env_prefix="CHM_"):
    """The embedded engine's place and pool, the limits every query runs under, and how long a down host rests."""

    data_dir: Path = Field(Path("data"), description="Directory of the embedded engine's data (used when "
                           "`CLICKHOUSE_HOST` is empty).")
    max_result_rows: int = Field(10000, ge=1, le=1_000_000, description="Row cap of every dashboard and assistant "
                                 "query (`max_result_rows`).")
    max_query_memory: int = Field(2_000_000_000, ge=10_000_000, description="Bytes of memory any one dashboard or "
                                  "assistant query may use (`max_memory_usage`).")
    embedded_clients: int = Field(4, ge=1, le=32, description="Clients opened on the embedded engine; queries of "
                                  "different sessions run side by side on them (user-typed SQL may hold all but one).")
    embedded_readonly: int = Field(0, ge=0, le=2, description="`1` or `2` opens the embedded engine's sessions with "
                                   "that `readonly` level, as a monitoring user's profile would (to try the read-only "
                                   "mode; the conversation store then cannot write).")
    adhoc_max_execution_time: int = Field(10, ge=1, le=3600, description="Seconds a user-typed statement (chat "
                                          "`run_sql`, the History console) may run.")
    adhoc_max_result_bytes: int = Field(64 * 1024 * 1024, ge=1024, description="Byte cap of a user-typed "
                                        "statement's result (`max_result_bytes`, the result is cut there).")
    retry_after: float = Field(10.0, ge=0, le=600, description="Seconds an unreachable ClickHouse host is not "
                               "retried (pages fail fast, then recover by themselves).")


class AppSettings(Area, env_prefix="CHM_"):
    """The web app: what kind of deployment it is, who the user is, what they may do and which extras run."""

    env: Literal["development", "test", "production"] = Field(
        "development", description="`development`, `test` or `production`; production refuses the memory store.")
    enable_control_actions: bool = Field(False, description="Allow kill query / kill mutation / optimize table "
                                         "(each asks for confirmation).")
    demo: bool = Field(False, description="Start the demo workload (a `demo` database with a few minutes of "
                       "activity) at the first page view; embedded engine only.")
    trusted_user_header: str = Field("", description="HTTP header set by an authenticating proxy that names the user "
                                     "(e.g. `X-Forwarded-User`).")
    admin_users: str = Field("", description="Comma-separated user ids allowed to see every user's conversations.")
    local_user: str = Field("local", min_length=1, description="User id of the single local user when no sign-in or "
                            "proxy header is configured.")
    shared_password: SecretStr | None = Field(None, description="If set, every browser session must enter this "
                                              "password once before any page opens.")
    export_secret: SecretStr | None = Field(
        None, description="Key signing the Conversations page's export download links (valid 10 minutes). Set the "
        "same value on every replica behind one address; empty: a random key per process (links die with a "
        "restart). When set: at least 32 random bytes (e.g. "
        "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`).")

    @field_validator("export_secret")
    @classmethod
    def _export_secret_is_strong(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            check_signing_secret(value.get_secret_value())
        return value

    @property
    def admins(self) -> frozenset[str]:
        """User ids allowed to see all users' conversations."""
        return frozenset(_split(self.admin_users))


class StoreSettings(Area, env_prefix=""):
    """Where the assistant's conversations live: the variables shared with chmonitor's TypeScript twin, whose names share no prefix."""

    agent_conversation_persistence: bool | None = Field(
        None, description="`true` turns server-side conversation persistence on.")
    next_public_feature_conversation_db: bool | None = Field(
        None, description="Deprecated alias of `AGENT_CONVERSATION_PERSISTENCE=true` (logs a warning).")
    agent_conversation_store: StoreName | None = Field(
        None, description="Where conversations live: " + ", ".join(f"`{n}`" for n in STORE_NAMES) + ". Default "
        "`auto`.")
    agentstate_api_key: SecretStr | None = Field(None, description="AgentState API key (must start with `as_live_`).")
    agentstate_api_base: str = Field("https://agentstate.app/api", description="AgentState API base URL.")
    conversations_d1_database_id: str | None = Field(
        None, validation_alias=AliasChoices("CONVERSATIONS_D1_DATABASE_ID", "AGENT_CONVERSATIONS_D1_DATABASE_ID"),
        description="Cloudflare D1 database id (alias `AGENT_CONVERSATIONS_D1_DATABASE_ID`).")
    agent_conversations_do_binding: str = Field(
        "AGENT_CONVERSATIONS_DO", description="Durable Object binding name (Cloudflare Workers only).")
    database_url: SecretStr | None = Field(
        None, validation_alias=AliasChoices("DATABASE_URL", "POSTGRES_URL", "POSTGRES_PRISMA_URL"),
        description="PostgreSQL URL for the postgres store (also read from `POSTGRES_URL` or `POSTGRES_PRISMA_URL`).")
    postgres_conversations_table_prefix: str = Field(
        "agent_", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,40}$", description="Prefix of the Postgres store's tables "
        "(`<prefix>threads`, `<prefix>messages`); letters, digits, underscores.")
    cloudflare_account_id: str | None = Field(None, description="Cloudflare account id owning the D1 database (the "
                                              "d1 store talks to D1's HTTP API).")
    cloudflare_api_token: SecretStr | None = Field(None, description="Cloudflare API token with D1 read and write "
                                                   "permission, for the d1 store.")
    cloudflare_api_base: str = Field("https://api.cloudflare.com/client/v4", description="Cloudflare API base URL "
                                     "(change only to point the d1 store at a stand-in).")


class ClickHouseStoreSettings(Area, env_prefix="CLICKHOUSE_AGENT_CONVERSATIONS_"):
    """The ClickHouse conversation store: its table, the user it writes as, and how the table is made."""

    table: str | None = Field(None, description="`db.table` of the ClickHouse conversation store; default "
                              "`${CLICKHOUSE_DATABASE}.agent_conversations` (threads and their messages, one table). "
                              "Setting it includes ClickHouse in `auto`.")
    user: str | None = Field(None, description="User the ClickHouse conversation store connects as (SELECT/INSERT on "
                             "its table, CREATE TABLE for auto-create); default: the dashboard's `CLICKHOUSE_USER`, "
                             "so a read-only monitoring user and a writing store user can share one cluster.")
    password: SecretStr | None = Field(None, description="Password of `CLICKHOUSE_AGENT_CONVERSATIONS_USER`; "
                                       "default: the dashboard's `CLICKHOUSE_PASSWORD`.")
    auto_create: bool | None = Field(None, description="Create the conversation table on first write. Default: true "
                                     "on the embedded engine, false on a server.")
    cluster: str | None = Field(None, description="Create the conversation table `ON CLUSTER` this cluster with "
                                "Replicated engines.")
    ttl_days: int | None = Field(None, ge=1, description="Drop conversations this many days after they were created "
                                 "(table TTL).")

    @field_validator("table")
    @classmethod
    def _table_name(cls, value: str | None) -> str | None:
        if value is not None:
            from core.names import validate_table_name

            validate_table_name(value)
        return value


class StoreLimitSettings(Area, env_prefix="CHM_STORE_MAX_"):
    """The largest message, title and metadata any conversation store accepts."""

    message_bytes: int = Field(1 << 20, ge=1024, description="Largest message content (UTF-8 bytes) the conversation "
                               "store accepts; a larger one is refused.")
    title_bytes: int = Field(1 << 10, ge=80, description="Largest conversation title (UTF-8 bytes) the conversation "
                             "store accepts.")
    metadata_bytes: int = Field(64 << 10, ge=1024, description="Largest metadata of a message or conversation (bytes "
                                "of JSON) the conversation store accepts.")


class CoreSettings(BaseModel):
    """The areas the core and the conversation store run on; `config.Settings` adds the other areas to these."""

    model_config = ConfigDict(frozen=True)

    clickhouse: ClickHouseSettings = Field(default_factory=ClickHouseSettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)
    app: AppSettings = Field(default_factory=AppSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    clickhouse_store: ClickHouseStoreSettings = Field(default_factory=ClickHouseStoreSettings)
    store_limits: StoreLimitSettings = Field(default_factory=StoreLimitSettings)

    @model_validator(mode="after")
    def _demo_on_embedded_only(self) -> CoreSettings:
        if self.app.demo and not self.clickhouse.embedded:
            raise ValueError("CHM_DEMO: the demo workload writes, so it runs only on the embedded engine; unset "
                             "CLICKHOUSE_HOST")
        return self

    def store_credentials(self) -> tuple[str, str] | None:
        """User and password of the ClickHouse store's own connection, or None to share the dashboard's (host 0)."""
        user, password = self.clickhouse_store.user, self.clickhouse_store.password
        if user is None and password is None:
            return None
        default_user, default_password = self.clickhouse.credentials(0)
        return user or default_user, password.get_secret_value() if password is not None else default_password

    @property
    def conversation_table(self) -> str:
        """The ClickHouse conversation table, `db.table`."""
        return self.clickhouse_store.table or f"{self.clickhouse.database}.agent_conversations"


# --- loading, explaining and documenting any composition of areas -------------------------------------------------

Composed = TypeVar("Composed", bound=CoreSettings)


def areas(model: type[CoreSettings]) -> dict[str, type[Area]]:
    """The areas a composition holds, by field name, in declaration order."""
    return {name: info.annotation for name, info in model.model_fields.items()}  # type: ignore[misc]


def load(model: type[Composed], **overrides: object) -> Composed:
    """Build `model` from the environment and the launcher's pipe of secrets; `overrides` are set as if they were
    the environment variables they are named after, in any case (`clickhouse_host=url` sets `CLICKHOUSE_HOST`).
    A bad value raises ConfigError naming the variable to fix."""
    parts = areas(model)
    where = {variable.lower(): (name, field) for name, area in parts.items() for field in area.model_fields
             for variable in area.variables(field)}
    unknown = sorted(key for key in overrides if key.lower() not in where)
    if unknown:
        raise TypeError(f"no setting is read from {unknown}")
    given: dict[str, dict[str, object]] = {name: {} for name in parts}
    for key, value in overrides.items():
        name, field = where[key.lower()]
        given[name][field] = value
    handed = handed_over_secrets()
    built: dict[str, Area] = {}
    problems: list[str] = []
    causes: list[ValidationError] = []
    for name, area in parts.items():
        try:
            built[name] = area(**{**_from_launcher(area, handed), **given[name]})
        except ValidationError as exc:
            problems.extend(_explain(area, exc))
            causes.append(exc)
    if not causes:
        try:
            return model(**built)
        except ValidationError as exc:
            problems.extend(str(err["ctx"]["error"]) if "error" in err.get("ctx", {}) else err["msg"]
                            for err in exc.errors())
            causes.append(exc)
    raise ConfigError("Invalid configuration — fix these environment variables:\n" + "\n".join(problems)) from causes[0]


def _explain(area: type[Area], exc: ValidationError) -> Iterator[str]:
    """One line per error of an area: the variable's name, what is wrong, the value (hidden for a secret)."""
    aliases = {variable.lower(): field for field in area.model_fields for variable in area.variables(field)}
    for err in exc.errors():
        given = str(err["loc"][0]) if err["loc"] else ""
        field = given if given in area.model_fields else aliases.get(given.lower(), "")
        name = given.upper() if field != given or not field else area.variables(field)[0]
        allowed = err.get("ctx", {}).get("expected")
        hint = f" (accepted: {allowed})" if allowed else ""
        shown = "<hidden>" if field and area.is_secret(field) else repr(err.get("input"))
        yield f"{name}: {err['msg']}{hint}; got {shown}"


def documented(model: type[CoreSettings]) -> Iterator[tuple[str, Any, str]]:
    """Every variable of a composition: (its documented name, its default, its description), area by area."""
    for area in areas(model).values():
        for field, info in area.model_fields.items():
            yield area.variables(field)[0], info.default, info.description or ""


def settings_table(model: type[CoreSettings]) -> str:
    """README's settings table (Markdown), generated from the declarations."""
    lines = ["| Variable | Default | Description |", "|---|---|---|"]
    for variable, default, description in documented(model):
        shown = default.get_secret_value() if isinstance(default, SecretStr) else default
        lines.append(f"| `{variable}` | {f'`{shown}`' if shown not in ('', None) else '—'} | {description} |")
    return "\n".join(lines)


def secret_variables(model: type[CoreSettings]) -> frozenset[str]:
    """Every environment variable that can carry a secret setting of `model` (each `SecretStr` field's names)."""
    return frozenset(variable for area in areas(model).values() for field in area.model_fields
                     if area.is_secret(field) for variable in area.variables(field))


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


SECRETS_FD_VARIABLE = "CHM_SECRETS_FD"
"""Set by `python -m core.launch`: the file descriptor of a pipe holding the secret settings (read once)."""
_handed_over: dict[str, str] | None = None
_handed_over_lock = threading.Lock()


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


def _from_launcher(area: type[Area], handed: dict[str, str]) -> dict[str, str]:
    """The launcher's secrets as an area's field values (by each field's first variable that was handed over)."""
    values: dict[str, str] = {}
    for field in area.model_fields:
        given = next((handed[name] for name in area.variables(field) if name in handed), None)
        if given is not None:
            values[field] = given
    return values
