"""The one EXPLAIN builder: a fixed EXPLAIN clause in front of one guarded SELECT (dashboard and assistant)."""

from __future__ import annotations

from chstore import guard
from chstore.errors import ReadOnlyViolation, ValidationError

EXPLAIN_KINDS = {
    "PLAN": "PLAN",
    "INDEXES": "PLAN indexes = 1",
    "PIPELINE": "PIPELINE",
    "SYNTAX": "SYNTAX",
    "ESTIMATE": "ESTIMATE",
}


def explain_statement(sql: str, kind: str = "INDEXES") -> str:
    """The EXPLAIN statement for one read-only SELECT; an EXPLAIN given as is is passed through the guard.

    An EXPLAIN cannot take its statement as a parameter, so this is the one place SQL text is composed: a clause from
    `EXPLAIN_KINDS`, then the statement the guard accepted, and the whole checked again.
    """
    inner = guard.check(sql)
    first = guard.tokenize(inner)[0].upper
    if first == "EXPLAIN":
        return inner
    if first not in ("SELECT", "WITH"):
        raise ReadOnlyViolation("explain takes a SELECT or WITH query")
    clause = EXPLAIN_KINDS.get(str(kind).upper())
    if clause is None:
        raise ValidationError(f"kind must be one of {', '.join(EXPLAIN_KINDS)}")
    return guard.check(" ".join(("EXPLAIN", clause, inner)))
