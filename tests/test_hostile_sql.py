"""Hostile SQL against every way a user's statement reaches the engine: chat, the `run_sql` tool, the console.

Two suites. The corpus in `tests/hostile_cases.py` asserts each statement's exact outcome on each surface (refused
with its reason, a syntax error, a server error, or the rows it may return) and that no result shows another user's
words or the environment. The canary corpus below asserts that, whatever the outcome, nothing changed on the server
and the engine still accepts the store's writes.
"""

from __future__ import annotations

import ast
import os
import time

import pytest

from assistant.builtin import BuiltinAssistant
from assistant.tools import ToolRun, build_tools, run_tool
from assistant.turn import Turn
from chstore.clickhouse import ClickHouseStore
from chstore.model import Message
from core import guard
from core.connection import Connection
from core.errors import ChmError, QueryError, ReadOnlyViolation
from history import console
from history.queries import Scope
from tests.hostile_cases import CASES, Case

CANARY = "chm_canary"

WRITES = [
    "INSERT INTO chm_canary.t VALUES (666)",
    "INSERT INTO chm_canary.t SELECT number FROM numbers(10)",
    "INSERT INTO chm_canary.t FORMAT Values (1)",
    "INSERT INTO FUNCTION file('pwn.csv', 'CSV', 'a UInt8') SELECT 1",
    "ALTER TABLE chm_canary.t DELETE WHERE 1",
    "ALTER TABLE chm_canary.t UPDATE a = 0 WHERE 1",
    "ALTER TABLE chm_canary.t ADD COLUMN b UInt8",
    "ALTER TABLE chm_canary.t DROP COLUMN a",
    "ALTER TABLE chm_canary.t MODIFY TTL now()",
    "ALTER TABLE chm_canary.t DROP PARTITION tuple()",
    "ALTER TABLE chm_canary.t FREEZE",
    "ALTER TABLE chm_canary.t MATERIALIZE INDEX i",
    "DELETE FROM chm_canary.t WHERE 1",
    "UPDATE chm_canary.t SET a = 0 WHERE 1",
    "TRUNCATE TABLE chm_canary.t",
    "TRUNCATE chm_canary.t",
    "DROP TABLE chm_canary.t",
    "DROP TABLE IF EXISTS chm_canary.t SYNC",
    "DROP DATABASE chm_canary",
    "DROP VIEW chm_canary.t",
    "DROP DICTIONARY chm_canary.d",
    "DROP USER default",
    "CREATE TABLE chm_canary.evil (a UInt8) ENGINE = Memory",
    "CREATE TABLE chm_canary.evil AS chm_canary.t",
    "CREATE DATABASE evil",
    "CREATE VIEW chm_canary.v AS SELECT 1",
    "CREATE MATERIALIZED VIEW chm_canary.mv ENGINE = Memory AS SELECT * FROM chm_canary.t",
    "CREATE OR REPLACE TABLE chm_canary.t (a UInt8) ENGINE = Memory",
    "CREATE FUNCTION evil AS (x) -> x",
    "CREATE USER evil IDENTIFIED BY 'x'",
    "CREATE ROLE evil",
    "CREATE SETTINGS PROFILE evil SETTINGS readonly = 0",
    "GRANT ALL ON *.* TO default",
    "REVOKE SELECT ON *.* FROM default",
    "RENAME TABLE chm_canary.t TO chm_canary.t2",
    "EXCHANGE TABLES chm_canary.t AND chm_canary.t2",
    "OPTIMIZE TABLE chm_canary.t FINAL",
    "ATTACH TABLE chm_canary.gone",
    "DETACH TABLE chm_canary.t",
    "DETACH TABLE chm_canary.t PERMANENTLY",
    "UNDROP TABLE chm_canary.gone",
    "BACKUP TABLE chm_canary.t TO File('backup')",
    "RESTORE TABLE chm_canary.t FROM File('backup')",
    "CHECK TABLE chm_canary.t",
    "MOVE USER default TO local_directory",
    "REPLACE TABLE chm_canary.t (a UInt8) ENGINE = Memory",
]
SYSTEM = [
    "SYSTEM FLUSH LOGS",
    "SYSTEM STOP MERGES",
    "SYSTEM START MERGES",
    "SYSTEM DROP DNS CACHE",
    "SYSTEM DROP MARK CACHE",
    "SYSTEM DROP QUERY CACHE",
    "SYSTEM RELOAD CONFIG",
    "SYSTEM RELOAD DICTIONARIES",
    "SYSTEM SHUTDOWN",
    "SYSTEM KILL",
    "SYSTEM SYNC REPLICA chm_canary.t",
    "SYSTEM STOP TTL MERGES",
    "SYSTEM DISABLE FAILPOINT x",
    "KILL QUERY WHERE 1",
    "KILL QUERY WHERE query_id = 'x' SYNC",
    "KILL MUTATION WHERE 1",
    "KILL MUTATION WHERE database = 'chm_canary' ASYNC",
]
SETTINGS_CHANGES = [
    "SET readonly = 0",
    "SET max_execution_time = 0",
    "SET allow_ddl = 1",
    "SET max_memory_usage = 0",
    "USE system",
    "SELECT 1 SETTINGS readonly = 0",
    "SELECT 1 SETTINGS max_execution_time = 0",
    "SELECT count() FROM numbers(10) SETTINGS max_result_rows = 0",
    "SELECT 1 SETTINGS max_memory_usage = 0",
    "WITH 1 AS x SELECT x SETTINGS readonly = 2",
]
MULTI = [
    "SELECT 1; DROP TABLE chm_canary.t",
    "SELECT 1;DROP TABLE chm_canary.t;",
    "SELECT ';' ; DROP TABLE chm_canary.t",
    "SELECT 1 -- comment\n; DROP TABLE chm_canary.t",
    "SELECT 1 /* ; */ ; INSERT INTO chm_canary.t VALUES (1)",
    "SELECT 1\n;\nTRUNCATE chm_canary.t",
    "SELECT 1; SELECT 2",
    "SELECT \"a;\" FROM (SELECT 1 AS \"a;\"); DROP TABLE chm_canary.t",
    "SELECT `x;y` FROM (SELECT 1 AS `x;y`); DROP DATABASE chm_canary",
    "SELECT $$;$$; DROP TABLE chm_canary.t",
    ";DROP TABLE chm_canary.t",
]
TRICKS = [
    "SELECT '\\'; DROP TABLE chm_canary.t; --'",  # one string literal: \' escapes the quote
    "/* SELECT */ DROP TABLE chm_canary.t",
    "-- SELECT\nDROP TABLE chm_canary.t",
    "DrOp TaBlE chm_canary.t",
    "  \n\t drop table chm_canary.t",
    "/*!SELECT*/ DROP TABLE chm_canary.t",
    "#!SELECT\nDROP TABLE chm_canary.t",
    "# SELECT\nDROP TABLE chm_canary.t",
    "SELECT 1 /* unterminated",
    "/* /* nested */ SELECT */ DROP TABLE chm_canary.t",
    "(DROP TABLE chm_canary.t)",
    "((INSERT INTO chm_canary.t VALUES (1)))",
    "EXPLAIN DROP TABLE chm_canary.t",
    "EXPLAIN PIPELINE INSERT INTO chm_canary.t VALUES (1)",
    "EXPLAIN AST ALTER TABLE chm_canary.t DELETE WHERE 1",
    "EXPLAIN SYNTAX SYSTEM FLUSH LOGS",
    "DESCRIBE TABLE chm_canary.t; DROP TABLE chm_canary.t",
    "SHOW TABLES; DROP TABLE chm_canary.t",
    "WITH x AS (SELECT 1) INSERT INTO chm_canary.t SELECT * FROM x",
    "SELECT 1 UNION ALL INSERT INTO chm_canary.t VALUES (1)",
    "SELECT * FROM chm_canary.t INTO OUTFILE '/tmp/chm-pwn.txt'",
    "SELECT 1 INTO OUTFILE '/tmp/chm-pwn.txt' TRUNCATE",
    "SELECT 1 iNtO oUtFiLe '/tmp/chm-pwn.txt'",
    "SELECT 1 INTO /* x */ OUTFILE '/tmp/chm-pwn.txt'",
    "\ufeffDROP TABLE chm_canary.t",
    "\u00a0DROP TABLE chm_canary.t",
    "",
    "   ",
    "-- only a comment",
    "/* only a comment */",
    "SELECT 1;;",
]
OUTWARD = [
    "SELECT * FROM url('http://169.254.169.254/latest/meta-data/', CSV, 'a String')",
    "SELECT * FROM URL('http://127.0.0.1:1/', CSV, 'a String')",
    "SELECT * FROM `url`('http://127.0.0.1:1/', CSV, 'a String')",
    "SELECT * FROM \"url\"('http://127.0.0.1:1/', CSV, 'a String')",
    "SELECT * FROM url /* gap */ ('http://127.0.0.1:1/', CSV, 'a String')",
    "SELECT * FROM urlCluster('default', 'http://127.0.0.1:1/', CSV, 'a String')",
    "SELECT * FROM s3('http://127.0.0.1:1/bucket/x.csv', CSV, 'a String')",
    "SELECT * FROM S3('http://127.0.0.1:1/bucket/x.csv')",
    "SELECT * FROM s3Cluster('default', 'http://127.0.0.1:1/b/x.csv')",
    "SELECT * FROM gcs('http://127.0.0.1:1/b/x.csv')",
    "SELECT * FROM azureBlobStorage('http://127.0.0.1:1', 'c', 'x.csv')",
    "SELECT * FROM hdfs('hdfs://127.0.0.1:1/x', CSV, 'a String')",
    "SELECT * FROM file('/etc/passwd', LineAsString)",
    "SELECT * FROM FILE('/etc/passwd', LineAsString)",
    "SELECT * FROM fileCluster('default', '/etc/passwd', LineAsString)",
    "SELECT * FROM remote('127.0.0.1:9000', system.one)",
    "SELECT * FROM remoteSecure('127.0.0.1:9440', system.one)",
    "SELECT * FROM executable('cat /etc/passwd', TSV, 'a String')",
    "SELECT * FROM executable('sh -c id', TSV, 'a String')",
    "SELECT * FROM mysql('127.0.0.1:3306', 'db', 't', 'u', 'p')",
    "SELECT * FROM postgresql('127.0.0.1:5432', 'db', 't', 'u', 'p')",
    "SELECT * FROM mongodb('127.0.0.1:27017', 'db', 'c', 'u', 'p', 'a String')",
    "SELECT * FROM redis('127.0.0.1:6379', 'k', 'k String')",
    "SELECT * FROM sqlite('/etc/passwd.db', 't')",
    "SELECT * FROM jdbc('jdbc:x', 't')",
    "SELECT * FROM odbc('DSN=x', 't')",
    "SELECT * FROM input('a String')",
    "SELECT * FROM iceberg('http://127.0.0.1:1/t')",
    "SELECT * FROM icebergS3('http://127.0.0.1:1/t')",
    "SELECT * FROM deltaLake('http://127.0.0.1:1/t')",
    "SELECT * FROM hudi('http://127.0.0.1:1/t')",
    "SELECT * FROM system.one WHERE dummy IN (SELECT 0 FROM file('/etc/passwd', LineAsString))",
    "SELECT * FROM numbers(1) AS n JOIN url('http://127.0.0.1:1/', CSV, 'a String') AS u ON 1",
    "WITH (SELECT count() FROM url('http://127.0.0.1:1/', CSV, 'a String')) AS c SELECT c",
    "SELECT * FROM loop(url('http://127.0.0.1:1/', CSV, 'a String')) LIMIT 1",
    "EXPLAIN SELECT * FROM url('http://127.0.0.1:1/', CSV, 'a String')",
    "SELECT * FROM (SELECT * FROM s3('http://127.0.0.1:1/b/x.csv'))",
    "select * from remote('127.0.0.1', system.one)",
]
BOMBS = [
    "SELECT count() FROM numbers(10000000000000)",
    "SELECT * FROM numbers(10000000000)",
    "SELECT * FROM system.numbers",
    "SELECT groupArray(number) FROM numbers(10000000000)",
    "SELECT sum(sleepEachRow(1)) FROM numbers(50) SETTINGS max_block_size = 1",
    "SELECT arrayMap(x -> range(1000000), range(100000))",
    "SELECT * FROM numbers(1000000000) ORDER BY rand()",
    "SELECT length(repeat('x', 1000000000)) FROM numbers(10)",
    "SELECT count() FROM numbers(100000) AS a CROSS JOIN numbers(100000) AS b",
    "SELECT uniqExact(number) FROM numbers(10000000000)",
    "SELECT * FROM numbers(10) AS a, numbers(10) AS b, numbers(10) AS c, numbers(10) AS d, numbers(10) AS e",
    "SELECT number FROM numbers(100000000) GROUP BY number",
]

CORPUS = [(sql, "write") for sql in WRITES] + [(sql, "system") for sql in SYSTEM]
CORPUS += [(sql, "settings") for sql in SETTINGS_CHANGES] + [(sql, "multi") for sql in MULTI]
CORPUS += [(sql, "trick") for sql in TRICKS] + [(sql, "outward") for sql in OUTWARD]
CORPUS += [(sql, "bomb") for sql in BOMBS]
# The same attacks dressed up: lower case, a leading comment, a trailing semicolon.
CORPUS += [(sql.lower(), f"{kind}/lower") for sql, kind in CORPUS[:40]]
CORPUS += [(f"/* look: SELECT */ {sql}", f"{kind}/comment") for sql, kind in CORPUS[:30]]


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 150
    assert len({sql for sql, _ in CORPUS}) >= 150


def snapshot(conn: Connection) -> tuple:
    rows = conn.query_rows("SELECT count(), sum(a) FROM chm_canary.t")
    tables = conn.query_rows("SELECT database, name FROM system.tables WHERE database NOT IN ('system') ORDER BY 1, 2")
    databases = conn.query_rows("SELECT name FROM system.databases ORDER BY name")
    functions = conn.query_rows("SELECT count() FROM system.functions WHERE origin != 'System'")
    return rows, tables, databases, functions


@pytest.fixture(scope="module")
def limited(conn: Connection) -> Connection:
    conn.command("CREATE DATABASE IF NOT EXISTS chm_canary")
    conn.command("CREATE TABLE IF NOT EXISTS chm_canary.t (a UInt32, INDEX i a TYPE minmax) ENGINE = MergeTree ORDER BY a")
    conn.command("CREATE TABLE IF NOT EXISTS chm_canary.scratch (a UInt8) ENGINE = Memory")
    conn.insert("chm_canary.t", [[1], [2], [3]], ["a"])
    return Connection("limited", conn.client, embedded=True, max_execution_time=2, max_result_rows=1000,
                      max_memory_usage=500_000_000)


@pytest.mark.parametrize(("sql", "kind"), CORPUS, ids=[f"{i}-{k}" for i, (_, k) in enumerate(CORPUS)])
def test_hostile_statement_changes_nothing(limited: Connection, sql: str, kind: str) -> None:
    before = snapshot(limited)
    started = time.monotonic()
    try:
        statement = guard.check(limited, sql).statement
    except ReadOnlyViolation as exc:
        assert str(exc), "a refusal says why"
        refused = True
    except QueryError as exc:
        assert exc.name == "SYNTAX_ERROR", f"the parse step failed otherwise: {exc}"
        refused = True
    else:
        refused = False
        assert not kind.startswith(("write", "system", "multi", "outward")), f"guard let through: {sql!r}"
        try:
            frame = limited.query_df(statement, readonly=True)
        except ChmError:
            pass  # stopped by the server (limits): what matters is the aftermath
        else:
            assert len(frame) <= 1000, "the row cap holds"
    assert time.monotonic() - started < 30, "the time limit holds"
    assert snapshot(limited) == before, f"{sql!r} changed something (refused by guard: {refused})"
    limited.command("INSERT INTO chm_canary.scratch VALUES (1)")  # the engine is still writable, never stuck read-only


BOB_WORDS = ("zebra", "bob secret")
PLANTED = "plant-7f3a9c"
"""A value planted in the environment: no result may show it."""


@pytest.fixture(scope="module")
def hostile(conn: Connection) -> ClickHouseStore:
    os.environ["CHM_PLANTED_SECRET"] = PLANTED
    conn.command("CREATE DATABASE IF NOT EXISTS chm_data")
    conn.command("CREATE TABLE IF NOT EXISTS chm_data.t (a UInt8) ENGINE = MergeTree ORDER BY a")
    conn.command("TRUNCATE TABLE chm_data.t")
    conn.insert("chm_data.t", [[1], [2], [3]], ["a"])
    conn.command("CREATE DATABASE IF NOT EXISTS chm_hostile")
    conn.command("DROP TABLE IF EXISTS chm_hostile.agent_conversations SYNC")
    store = ClickHouseStore(conn, "chm_hostile.agent_conversations", auto_create=True)
    for user, words in (("alice", ("alice hello", "alice reply")), ("bob", ("bob secret zebra", "bob zebra reply"))):
        thread = store.create_thread(user)
        store.append(user, thread, [Message(role="user", content=words[0]), Message(role="assistant", content=words[1])])
    yield store
    del os.environ["CHM_PLANTED_SECRET"]


def _outcome(call) -> tuple[str, list]:  # noqa: ANN001
    """What a surface did with a statement: (`refused:<reason>` | `syntax` | `error:<NAME>` | `rows`, first column)."""
    try:
        frame = call()
    except ReadOnlyViolation as exc:
        return f"refused:{exc}", []
    except QueryError as exc:
        return ("syntax" if exc.name == "SYNTAX_ERROR" else f"error:{exc.name}"), []
    return "rows", (list(frame.iloc[:, 0]) if len(frame.columns) else [])


def _from_run(run: ToolRun):  # noqa: ANN202
    """Raise a tool run's reported failure again, so chat and the tool are judged like the console."""
    if run.error_name == "READONLY_GUARD":
        raise ReadOnlyViolation(run.error)
    if run.error:
        raise QueryError(run.error, name=run.error_name)
    return run.frame


def _judge(case: Case, expected: str, outcome: tuple[str, list], rendered: str) -> None:
    actual, rows = outcome
    assert not any(word in rendered for word in BOB_WORDS), f"{case.sql!r} showed bob's words"
    assert PLANTED not in rendered, f"{case.sql!r} showed the environment"
    kind, _, detail = expected.partition(":")
    if kind == "refused":
        assert actual.startswith("refused:") and detail in actual, f"{case.sql!r}: {actual}"
    elif kind in ("syntax", "error"):
        assert actual == expected, f"{case.sql!r}: {actual}"
    elif kind == "ok":
        assert actual == "rows", f"{case.sql!r}: {actual}"
    else:
        assert actual == "rows" and rows == ast.literal_eval(detail), f"{case.sql!r}: {actual} {rows}"


def test_corpus_has_two_hundred_hostile_statements() -> None:
    assert len({case.sql for case in CASES}) >= 200
    refused = [case for case in CASES if not case.chat.startswith(("rows", "ok"))]
    assert len(refused) >= 200


@pytest.mark.parametrize("case", CASES, ids=[f"{i}" for i in range(len(CASES))])
def test_run_sql_tool(conn: Connection, hostile: ClickHouseStore, tools: dict, case: Case) -> None:
    run = run_tool(conn, tools["run_sql"], {"sql": case.sql})
    outcome = _outcome(lambda: _from_run(run))
    _judge(case, case.chat, outcome, repr(run.frame) if run.frame is not None else "")


@pytest.mark.parametrize("case", [c for c in CASES if c.sql.strip()], ids=[f"{i}" for i, c in enumerate(CASES)
                                                                          if c.sql.strip()])
def test_chat(conn: Connection, hostile: ClickHouseStore, tools: dict, case: Case) -> None:
    turn = Turn()
    events = list(BuiltinAssistant(conn, tools).respond(f"```sql\n{case.sql}\n```", [], turn))
    runs = [event for event in events if isinstance(event, ToolRun)]
    assert [run.tool for run in runs] == ["run_sql"]
    outcome = _outcome(lambda: _from_run(runs[0]))
    shown = " ".join(str(event) for event in events if isinstance(event, str))
    shown += " ".join(message.content + repr(message.metadata) for message in turn.messages)
    _judge(case, case.chat, outcome, shown + (repr(runs[0].frame) if runs[0].frame is not None else ""))


@pytest.mark.parametrize("case", CASES, ids=[f"{i}" for i in range(len(CASES))])
def test_console(hostile: ClickHouseStore, case: Case) -> None:
    frames = []

    def call():  # noqa: ANN202
        frames.append(console.run(hostile, case.sql, Scope("alice"), admin=False))
        return frames[-1]

    outcome = _outcome(call)
    _judge(case, case.console_outcome, outcome, repr(frames[-1].to_dict()) if frames else "")


@pytest.fixture(scope="module")
def tools(settings) -> dict:  # noqa: ANN001
    return build_tools(settings)
