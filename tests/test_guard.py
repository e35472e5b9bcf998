"""The read-only SQL guard: what it accepts, what it refuses and why, and that every shipped query passes it."""

from __future__ import annotations

import pytest

from chstore import guard, sqlfiles
from chstore.errors import QueryError, ReadOnlyViolation

# Writes by design: the conversation store (ClickHouse and PostgreSQL DDL and writes), the benchmark that seeds it,
# the control actions that run only after confirmation, and the demo workload (embedded engine only).
WRITE_AREAS = (
    "store/", "postgres/", "d1/", "bench/", "control/", "alerts/create_table", "demo/",
)

ACCEPTED = [
    "SELECT 1",
    "select 1;",
    "  WITH x AS (SELECT 1) SELECT * FROM x",
    "SHOW TABLES FROM system",
    "DESCRIBE TABLE system.one",
    "DESC system.one",
    "EXPLAIN SELECT 1",
    "EXPLAIN PLAN indexes = 1 SELECT count() FROM system.parts",
    "(SELECT 1) UNION ALL (SELECT 2)",
    "SELECT 'url(' AS s, 'DROP TABLE x; --' AS t",
    'SELECT 1 AS "remote"',
    "SELECT count() FROM system.tables -- a comment with ; DROP TABLE x",
    "SELECT /* ; DELETE */ 1",
    "SELECT $$ ; drop $$ AS heredoc",
    "SELECT * FROM cluster('default', system.one)",
    "SELECT URLHierarchy('http://a/b')",
    "SELECT * FROM numbers(3)",
    "SELECT {start:DateTime} AS s",
]

REFUSED = [
    ("", "empty"),
    ("-- only a comment", "only comments"),
    ("SELECT 1; SELECT 2", "one statement"),
    ("SELECT 1; DROP TABLE x", "one statement"),
    ("DROP TABLE x", "not 'DROP'"),
    ("insert into t values (1)", "not 'insert'"),
    ("/* SELECT */ DELETE FROM t WHERE 1", "not 'DELETE'"),
    ("-- SELECT\nALTER TABLE t DELETE WHERE 1", "not 'ALTER'"),
    ("SeLeCt * FROM UrL('http://evil/x', CSV)", "url()"),
    ("SELECT * FROM s3('https://bucket/x')", "s3()"),
    ("SELECT * FROM `file`('/etc/passwd')", "file()"),
    ('SELECT * FROM "remote"(\'h:9000\', system.one)', "remote()"),
    ("SELECT * FROM remote/**/('h', system.one)", "remote()"),
    ("SELECT * FROM mysql('h:3306', 'db', 't', 'u', 'p')", "mysql()"),
    ("SELECT * FROM postgresql('h', 'db', 't', 'u', 'p')", "postgresql()"),
    ("SELECT * FROM executable('x.sh', TSV, 'a Int')", "executable()"),
    ("SELECT * FROM icebergS3('https://b/x')", "iceberg"),
    ("SELECT * FROM system.one WHERE 1 IN (SELECT * FROM url('http://x', CSV, 'a Int'))", "url()"),
    ("DESCRIBE url('http://x/data.csv')", "url()"),
    ("SELECT 1 INTO OUTFILE '/tmp/x'", "INTO OUTFILE"),
    ("EXPLAIN INSERT INTO t SELECT 1", "EXPLAIN may only"),
    ("SELECT 'unterminated", "unterminated"),
    ("SELECT /* /* nested */ 1 */ 2", "nested"),
    ("SELECT 1 #comment", "'#'"),
    ("SELECT 1 /* ; */ ; DROP TABLE x", "one statement"),
]


@pytest.mark.parametrize("sql", ACCEPTED)
def test_accepts_read_only_statements(sql: str) -> None:
    assert guard.is_readonly(sql)
    assert not guard.check(sql).endswith(";")


@pytest.mark.parametrize(("sql", "reason"), REFUSED)
def test_refuses_with_a_reason(sql: str, reason: str) -> None:
    with pytest.raises(ReadOnlyViolation) as caught:
        guard.check(sql)
    assert reason.lower() in str(caught.value).lower()


def test_tokenizer_keeps_strings_identifiers_and_drops_comments() -> None:
    tokens = guard.tokenize("SELECT 'a''b' AS `x y`, \"z\" -- tail\n/* block */ FROM t")
    kinds = [(t.kind, t.text) for t in tokens]
    assert ("string", "'a''b'") in kinds
    assert ("ident", "`x y`") in kinds
    assert ("ident", '"z"') in kinds
    assert all("tail" not in t.text and "block" not in t.text for t in tokens)


def test_every_shipped_query_passes_the_guard() -> None:
    names = [n for n in sqlfiles.all_names() if not n.startswith(WRITE_AREAS)]
    assert any(n.startswith("dashboard/") for n in names)
    refused = {}
    for name in names:
        try:
            guard.check(sqlfiles.load(name))
        except ReadOnlyViolation as exc:
            refused[name] = str(exc)
    assert refused == {}


def test_control_statements_are_refused_by_the_guard() -> None:
    for name in ("control/kill_query", "control/optimize_table"):
        assert not guard.is_readonly(sqlfiles.load(name))


def test_server_enforces_readonly_even_past_the_guard(conn) -> None:
    assert guard.run_readonly(conn, "SELECT 41 + 1 AS answer").iloc[0]["answer"] == 42
    with pytest.raises(QueryError) as caught:
        conn.query_df("SELECT 1 SETTINGS readonly = 0", readonly=True)
    assert caught.value.name == "READONLY"


def test_statement_drops_only_the_leading_comments() -> None:
    for name in sqlfiles.all_names():
        text, statement = sqlfiles.load(name), sqlfiles.statement(name)
        assert text.rstrip().endswith(statement.rstrip()) and statement.strip(), name
        assert not statement.lstrip().startswith("--"), name
        assert sqlfiles.placeholders(statement) == sqlfiles.placeholders(text), name
