"""The read-only SQL guard: decides, without a server, whether a statement may run as a read-only query.

The guard is the first of two locks: it accepts exactly one SELECT / WITH / SHOW / DESCRIBE / EXPLAIN statement
and refuses table functions that reach outside the server; the statement then runs with ClickHouse `readonly=1`,
which the server enforces whatever the guard missed. The tokenizer knows strings, quoted identifiers, heredocs and
comments, so keywords hidden in a comment or a string neither count nor bypass it, and casing does not matter.
Anything ambiguous between this tokenizer and ClickHouse's lexer (nested block comments, `#` not followed by a
space) is refused rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chstore.errors import ReadOnlyViolation

ALLOWED_STARTS = frozenset({"SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXPLAIN"})

# Table functions (and same-named scalar functions) that read or write outside the server: other hosts, object
# stores, the local file system, external databases, or programs. `cluster`/`clusterAllReplicas` stay allowed: they
# only reach the replicas the server itself is configured with, which is how a cluster is monitored. `dictionary`
# stays allowed: it reads a dictionary the administrator declared. `input` only makes sense inside INSERT.
DENIED_FUNCTIONS = frozenset(
    name.lower()
    for name in (
        "url", "urlCluster", "s3", "s3Cluster", "gcs", "oss", "cosn", "azureBlobStorage", "azureBlobStorageCluster",
        "hdfs", "hdfsCluster", "file", "fileCluster", "remote", "remoteSecure", "executable", "executablePool",
        "mysql", "postgresql", "mongodb", "redis", "sqlite", "jdbc", "odbc", "input", "hive", "arrowFlight",
        "arrowflight", "ytsaurus", "deltaLake", "hudi",
    )
)
DENIED_PREFIXES = ("iceberg", "deltalake", "hudi", "paimon")

# Statement keywords that only ever start a write. Inside a read (a CTE followed by INSERT, a UNION with INSERT…)
# they are refused wherever they stand as bare words, unless used as a name (`t.insert`, `insert(`, `insert AS`).
WRITE_WORDS = frozenset({
    "INSERT", "ALTER", "DROP", "CREATE", "TRUNCATE", "RENAME", "ATTACH", "DETACH", "OPTIMIZE", "GRANT", "REVOKE",
    "KILL", "UNDROP", "EXCHANGE", "BACKUP", "RESTORE",
})

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_NUMBER = re.compile(r"[0-9][0-9A-Za-z_.]*([eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"\$([A-Za-z0-9_]*)\$")


@dataclass(frozen=True)
class Token:
    """One lexical token: kind is `word`, `ident` (quoted identifier), `string`, `number` or `punct`."""

    kind: str
    text: str
    pos: int

    @property
    def upper(self) -> str:
        """The token's text in upper case (keywords are case-insensitive)."""
        return self.text.upper()


def _skip_quoted(sql: str, start: int, quote: str) -> int:
    """Index just past the closing `quote` of a literal opened at `start` (backslash and doubled-quote escapes)."""
    i = start + 1
    while i < len(sql):
        char = sql[i]
        if char == "\\":
            i += 2
            continue
        if char == quote:
            if i + 1 < len(sql) and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    raise ReadOnlyViolation(f"unterminated {quote} quote starting at character {start + 1}")


def tokenize(sql: str) -> list[Token]:
    """Split SQL into tokens, dropping whitespace and comments; raises ReadOnlyViolation on what it cannot read."""
    tokens: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char.isspace():
            i += 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif char == "#":
            if not sql.startswith(("# ", "#!"), i):
                raise ReadOnlyViolation(f"unexpected '#' at character {i + 1} (only '# ' starts a comment)")
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end < 0:
                raise ReadOnlyViolation(f"unterminated /* comment starting at character {i + 1}")
            if "/*" in sql[i + 2:end]:
                raise ReadOnlyViolation("nested /* comments are not accepted")
            i = end + 2
        elif char in "'\"`":
            end = _skip_quoted(sql, i, char)
            tokens.append(Token("string" if char == "'" else "ident", sql[i:end], i))
            i = end
        elif char == "$" and (match := _HEREDOC.match(sql, i)):
            tag = match.group(0)
            end = sql.find(tag, match.end())
            if end < 0:
                raise ReadOnlyViolation(f"unterminated {tag} string starting at character {i + 1}")
            tokens.append(Token("string", sql[i:end + len(tag)], i))
            i = end + len(tag)
        elif match := _WORD.match(sql, i):
            tokens.append(Token("word", match.group(0), i))
            i = match.end()
        elif match := _NUMBER.match(sql, i):
            tokens.append(Token("number", match.group(0), i))
            i = match.end()
        else:
            tokens.append(Token("punct", char, i))
            i += 1
    return tokens


def _name(token: Token) -> str:
    """An identifier's name without its quotes, lower-cased."""
    if token.kind == "ident":
        return token.text[1:-1].replace("\\", "").lower()
    return token.text.lower()


def _denied(name: str) -> bool:
    return name in DENIED_FUNCTIONS or name.startswith(DENIED_PREFIXES)


def _check_explained(tokens: list[Token]) -> None:
    """EXPLAIN may only explain a read: the first statement keyword after it must be SELECT, WITH, SHOW or DESCRIBE."""
    statement_words = ALLOWED_STARTS | {
        "INSERT", "CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME", "OPTIMIZE", "SYSTEM", "KILL", "GRANT", "REVOKE",
        "DELETE", "UPDATE", "ATTACH", "DETACH", "EXCHANGE", "SET", "USE", "BACKUP", "RESTORE", "UNDROP", "MOVE",
    } - {"EXPLAIN"}
    for token in tokens[1:]:
        if token.kind == "punct" and token.text == "(":
            return
        if token.kind == "word" and token.upper in statement_words:
            if token.upper in ALLOWED_STARTS:
                return
            raise ReadOnlyViolation(f"EXPLAIN may only explain a read-only query, not {token.upper}")
    raise ReadOnlyViolation("EXPLAIN needs a SELECT query to explain")


def check(sql: Any) -> str:
    """Return the statement (without a trailing `;`) if it is one read-only statement; else raise ReadOnlyViolation."""
    if not isinstance(sql, str) or not sql.strip():
        raise ReadOnlyViolation("empty statement: write one SELECT, WITH, SHOW, DESCRIBE or EXPLAIN query")
    return _check_text(sql)


@lru_cache(maxsize=512)
def _check_text(sql: str) -> str:
    """`check` of a non-empty text; remembered, since the app's own statements are checked on every run."""
    tokens = tokenize(sql)
    if not tokens:
        raise ReadOnlyViolation("the statement is only comments: write one SELECT, WITH, SHOW, DESCRIBE or EXPLAIN")
    end = len(sql)
    semicolons = [i for i, t in enumerate(tokens) if t.kind == "punct" and t.text == ";"]
    if semicolons:
        if any(i != len(tokens) - 1 for i in semicolons):
            raise ReadOnlyViolation("only one statement is allowed (found a ';' before the end)")
        end = tokens[-1].pos
        tokens = tokens[:-1]
        if not tokens:
            raise ReadOnlyViolation("empty statement before ';'")
    first = next((t for t in tokens if not (t.kind == "punct" and t.text == "(")), tokens[0])
    if first.kind != "word" or first.upper not in ALLOWED_STARTS:
        raise ReadOnlyViolation(
            f"only SELECT, WITH, SHOW, DESCRIBE and EXPLAIN are allowed here, not {first.text[:40]!r}"
        )
    if first.upper == "EXPLAIN":
        _check_explained(tokens[tokens.index(first):])
    for before, here, after in zip([None, *tokens], tokens, [*tokens[1:], None], strict=False):
        if (
            here.kind == "word" and here.upper in WRITE_WORDS
            and not (before is not None and before.kind == "punct" and before.text == ".")
            and not (after is not None and after.kind == "punct" and after.text in ".(")
            and not (after is not None and after.kind == "word" and after.upper == "AS")
        ):
            raise ReadOnlyViolation(f"{here.upper} writes or changes the server: not allowed in a read-only query")
    for here, after in zip(tokens, tokens[1:], strict=False):
        if here.kind == "word" and here.upper == "INTO" and after.kind == "word" and after.upper == "OUTFILE":
            raise ReadOnlyViolation("INTO OUTFILE writes a file: not allowed in a read-only query")
        if here.kind in ("word", "ident") and after.kind == "punct" and after.text == "(" and _denied(_name(here)):
            raise ReadOnlyViolation(
                f"the function {_name(here)}() reaches outside the server (network, files, other databases or "
                "programs) and is not allowed here; query the server's own tables instead"
            )
    return sql[:end].strip()


def is_readonly(sql: str) -> bool:
    """True when `check` accepts the statement."""
    try:
        check(sql)
    except ReadOnlyViolation:
        return False
    return True


def run_readonly(conn: Any, sql: str, params: dict[str, Any] | None = None) -> Any:
    """Run a statement through `Connection.query_df` with `readonly=1` and the app's limits (which guards it)."""
    return conn.query_df(sql, params, readonly=True)
