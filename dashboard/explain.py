"""The one EXPLAIN builder: a fixed EXPLAIN clause in front of one guarded SELECT (dashboard and assistant)."""

from __future__ import annotations

from typing import Any

from core import guard
from core.errors import ReadOnlyViolation, ValidationError

EXPLAIN_KINDS = {
    "PLAN": "PLAN",
    "INDEXES": "PLAN indexes = 1",
    "PIPELINE": "PIPELINE",
    "SYNTAX": "SYNTAX",
    "ESTIMATE": "ESTIMATE",
}


def explain_statement(conn: Any, sql: str, kind: str = "INDEXES") -> str:
    """The EXPLAIN statement for one read-only SELECT, checked on `conn`'s engine; an EXPLAIN given as is is checked
    as it is.

    An EXPLAIN cannot take its statement as a parameter, so this is the one place SQL text is composed: a clause from
    `EXPLAIN_KINDS`, then the statement as the engine formatted it after the checks, and the whole checked again.
    """
    inner = guard.check(conn, sql)
    if inner.tree["type"] == "ExplainQuery":
        return inner.statement
    if inner.tree["type"] != "SelectWithUnionQuery":
        raise ReadOnlyViolation("explain takes a SELECT or WITH query")
    clause = EXPLAIN_KINDS.get(str(kind).upper())
    if clause is None:
        raise ValidationError(f"kind must be one of {', '.join(EXPLAIN_KINDS)}")
    return guard.check(conn, " ".join(("EXPLAIN", clause, inner.statement))).statement
