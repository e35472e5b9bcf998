"""The one error family of chmonitor's core: every failure below the UI is one of these, raised `from` its cause."""

from __future__ import annotations


class ChmError(Exception):
    """Base of every chmonitor error; `str(exc)` is a message meant for the operator."""


class ConfigError(ChmError):
    """A setting is invalid or inconsistent; the message names the variable to fix."""


class ValidationError(ChmError, ValueError):
    """Input (a user id, a role, metadata, a table name, a statement…) is not acceptable."""


class QueryError(ChmError):
    """A ClickHouse query failed; `code` and `name` are the server's (e.g. 60, `UNKNOWN_TABLE`)."""

    def __init__(
        self, message: str, *, code: int | None = None, name: str | None = None, cause: str = "", check: str = ""
    ) -> None:
        super().__init__(message)
        self.code = code
        self.name = name
        self.cause = cause
        self.check = check


class UnavailableError(QueryError):
    """The server lacks what the query needs (a system table, a function, a privilege)."""


class QueryTimeoutError(QueryError):
    """The query ran past `CLICKHOUSE_MAX_EXECUTION_TIME`."""


class UnreachableError(QueryError):
    """The server could not be reached; `cause` says why in plain words (connection refused, host name not found,
    TLS, timed out) and `check` what to look at."""


class ReadOnlyViolation(ValidationError):
    """A statement was refused by the read-only SQL guard; the message says why."""


class ParserUnavailableError(ReadOnlyViolation):
    """Neither the server nor the app's own engine can parse a statement for the guard (no `parseQueryToJSON`)."""
