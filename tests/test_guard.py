"""The SQL guard: the engine parses, the checks walk its tree; what they accept, refuse and why; every shipped query
passes; the function lists are held against the engine's own catalog."""

from __future__ import annotations

import re

import pytest
from clickhouse_connect.driver.exceptions import DatabaseError

from core import guard
from core.connection import Connection
from core.errors import QueryError, ReadOnlyViolation

ACCEPTED = [
    ("SELECT 1", "SELECT 1"),
    ("select 1;", "SELECT 1"),
    ("  WITH x AS (SELECT 1) SELECT * FROM x", None),
    ("SHOW TABLES FROM system", "SHOW TABLES FROM system"),
    ("SHOW DATABASES", "SHOW DATABASES"),
    ("DESCRIBE TABLE system.one", "DESCRIBE TABLE system.one"),
    ("DESC `sys\\x74em`.one", "DESCRIBE TABLE system.one"),
    ("EXPLAIN SELECT 1", "EXPLAIN\nSELECT 1"),
    ("EXPLAIN PLAN indexes = 1 SELECT count() FROM system.parts", None),
    ("(SELECT 1) UNION ALL (SELECT 2)", None),
    ("SELECT 'url(' AS s, 'DROP TABLE x; --' AS t", None),
    ('SELECT 1 AS "remote"', None),
    ("SELECT count() FROM system.tables -- a comment with ; DROP TABLE x", "SELECT count()\nFROM system.tables"),
    ("SELECT /* ; DELETE */ 1", "SELECT 1"),
    ("SELECT $$ ; drop $$ AS heredoc", None),
    ("SELECT URLHierarchy('http://a/b')", None),
    ("SELECT * FROM numbers(3)", None),
    ("SELECT * FROM merge('system', '^query_log')", None),
    ("SELECT * FROM clusterAllReplicas('default', system.one)", None),
    ("SELECT * FROM cluster('default', 'system', 'one')", None),
    ("SELECT * FROM view(SELECT 1)", None),
    ("SELECT * FROM system.one WHERE dummy IN system.one", None),
]

REFUSED = [
    ("DROP TABLE x", "not DROP"),
    ("insert into t values (1)", "not INSERT"),
    ("/* SELECT */ DELETE FROM t WHERE 1", "not DELETE"),
    ("-- SELECT\nALTER TABLE t DELETE WHERE 1", "not ALTER"),
    ("SYSTEM FLUSH LOGS", "not SYSTEM"),
    ("SHOW CREATE TABLE system.one", "not SHOWCREATETABLE"),
    ("SeLeCt * FROM UrL('http://evil/x', CSV)", "table function UrL()"),
    ("SELECT * FROM `file`('/etc/passwd')", "table function file()"),
    ("SELECT `fi\\x6ce`('/proc/self/environ')", "function file() reaches outside"),
    ('SELECT "fi\\x6ce"(\'/proc/self/environ\')', "function file() reaches outside"),
    ("SELECT joinGet('j', 'v', 1)", "function joinGet() reaches outside"),
    ("SELECT dictGetString('d', 'a', 1)", "function dictGetString() reaches outside"),
    ("SELECT hasColumnInTable('system', 'one', 'dummy')", "function hasColumnInTable() reaches outside"),
    ("SELECT * FROM merge(currentDatabase(), concat('^agent', '_conv'))", "merge() may only read system"),
    ("SELECT * FROM `mer\\x67e`('default', '^agent')", "merge() may only read system"),
    ("SELECT * FROM cluster('default', default.t)", "cluster() may only read system"),
    ("SELECT * FROM mergeTreeIndex('default', 't')", "mergeTreeIndex() may only read system"),
    ("SELECT * FROM loop(system.one)", "table function loop()"),
    ("SELECT * FROM dictionary('d')", "table function dictionary()"),
    ("SELECT * FROM no_such_db.t", "database `no_such_db` cannot be read"),
    ("SHOW TABLES FROM no_such_db", "database `no_such_db` cannot be read"),
    ("SELECT 1 INTO OUTFILE '/tmp/x'", "INTO OUTFILE"),
    ("SELECT 1 FORMAT JSON", "FORMAT"),
    ("SELECT 1 SETTINGS readonly = 0", "SETTINGS (readonly)"),
    ("SELECT * FROM (SELECT 1 SETTINGS max_execution_time = 0)", "SETTINGS (max_execution_time)"),
    ("SELECT {x:String}", "query parameters"),
    ("EXPLAIN INSERT INTO t SELECT 1", "EXPLAIN may only explain a read-only query, not INSERT"),
    ("DESCRIBE file('x')", "DESCRIBE takes one table"),
    ("", "empty statement"),
]


@pytest.mark.parametrize(("sql", "formatted"), ACCEPTED)
def test_accepts_read_only_statements(conn: Connection, sql: str, formatted: str | None) -> None:
    checked = guard.check(conn, sql)
    assert not checked.statement.rstrip().endswith(";")
    assert checked.tree["type"] in guard.READ_KINDS
    if formatted is not None:
        assert checked.statement == formatted


@pytest.mark.parametrize(("sql", "reason"), REFUSED)
def test_refuses_with_a_reason(conn: Connection, sql: str, reason: str) -> None:
    with pytest.raises(ReadOnlyViolation) as caught:
        guard.check(conn, sql)
    assert reason in str(caught.value)


@pytest.mark.parametrize("sql", ["SELECT 1; SELECT 2", "SELECT 'unterminated", "SELECT /* unterminated", "SELEC 1"])
def test_a_parse_error_is_a_syntax_error(conn: Connection, sql: str) -> None:
    with pytest.raises(QueryError) as caught:
        guard.check(conn, sql)
    assert caught.value.name == "SYNTAX_ERROR"
    assert str(caught.value).startswith("Syntax error: ") and "In scope" not in str(caught.value)


def test_protected_tables_are_refused_however_spelled(conn: Connection) -> None:
    guard.protect("chm_guard_secret")
    for sql in ("SELECT * FROM chm_guard_secret", "SELECT * FROM default.`chm\\x5fguard_secret`",
                'SELECT * FROM "chm_guard_secret_old"', "SELECT 1 WHERE 1 IN default.chm_guard_secret",
                "DESCRIBE default.chm_guard_secret", "SELECT chm_guard_secret.content FROM system.one"):
        with pytest.raises(ReadOnlyViolation, match="conversation table"):
            guard.check(conn, sql)


def test_user_defined_functions_are_refused(conn: Connection) -> None:
    conn.command("CREATE FUNCTION IF NOT EXISTS chm_guard_udf AS (x) -> x + 1")
    with pytest.raises(ReadOnlyViolation, match="user-defined"):
        guard.check(conn, "SELECT chm_guard_udf(1)")


def test_console_policy_reads_only_the_scoped_names(conn: Connection) -> None:
    policy = guard.console_policy()
    assert guard.check(conn, "WITH m AS (SELECT * FROM messages) SELECT * FROM m", policy)
    for sql, reason in (("SELECT * FROM system.one", "not `system.one`"), ("SELECT * FROM t", "not `t`"),
                        ("SELECT * FROM (WITH m AS (SELECT 1) SELECT 1), m", "not `m`"),
                        ("SELECT * FROM merge('system', '.*')", "table function merge()"),
                        ("SHOW TABLES", "only SELECT and WITH queries")):
        with pytest.raises(ReadOnlyViolation) as caught:
            guard.check(conn, sql, policy)
        assert reason in str(caught.value), sql


def test_every_shipped_query_passes_the_guard(conn: Connection) -> None:
    assert any(name.startswith("alerts/") for name in guard.shipped_names())
    assert guard.check_shipped(conn) == {}


def test_control_statements_are_refused_by_the_guard(conn: Connection) -> None:
    from core import sqlfiles

    for name in ("control/kill_query", "control/optimize_table"):
        with pytest.raises(ReadOnlyViolation, match="are allowed here, not"):
            guard.check(conn, sqlfiles.load(name), guard.TRUSTED)


def test_server_enforces_readonly_even_past_the_guard(conn: Connection) -> None:
    assert conn.query_df(guard.check(conn, "SELECT 41 + 1 AS answer").statement, readonly=True)["answer"][0] == 42
    with pytest.raises(ReadOnlyViolation, match="SETTINGS"):  # the app's own path checks every statement too
        conn.query_df("SELECT 1 SETTINGS readonly = 0", readonly=True)
    with pytest.raises(DatabaseError) as caught:  # below the guard, the server refuses
        conn.client.query("SELECT 1 SETTINGS readonly = 0", settings=conn.query_settings(readonly=True))
    assert caught.value.name == "READONLY"


# Names and descriptions that hint a function reaches outside the query: files, the network, other tables or
# dictionaries, programs, the environment. Each engine function matching them is classified below or denied.
REACH_NAME = re.compile(r"file|url|dict|table|remote|exec|env|http|s3|join|sleep|^ai[A-Z]|catboost|model|cert|"
                        r"address|header|path|host|server|python|eval", re.IGNORECASE)
REACH_TEXT = re.compile(r"\b(reads? (from )?(a |the )?(file|table|dictionary|url)|network|executable|environment "
                        r"variable|http request|remote server|local file|file system|filesystem)\b", re.IGNORECASE)
HARMLESS = frozenset(name.lower() for name in (
    # String and URL parsing: they read the argument, not the network.
    "URLHash", "URLHierarchy", "URLPathHierarchy", "cutURLParameter", "decodeURLComponent", "decodeURLFormComponent",
    "encodeURLComponent", "encodeURLFormComponent", "extractURLParameter", "extractURLParameterNames",
    "extractURLParameters", "path", "pathFull", "base64URLDecode", "base64URLEncode", "tryBase64URLDecode",
    "basename", "currentRequestURL", "icebergHash", "icebergBucket", "icebergTruncate",
    # The server's own identity and settings, as system tables show them.
    "hostName", "FQDN", "fqdn", "getServerPort", "getServerSetting", "serverUUID", "serverTimezone", "tcpPort",
    "filesystemAvailable", "filesystemCapacity", "filesystemUnreserved", "getMaxTableNameLengthForDatabase",
    "getMergeTreeSetting", "getSetting", "getSettingOrDefault", "timezoneOf", "shardNum", "shardCount",
    "getOSKernelVersion", "buildId", "uptime", "version", "revision", "displayName", "zookeeperSessionUptime",
    "hasThreadFuzzer", "getTypeSerializationStreams", "logTrace", "errorCodeToName", "currentDatabase",
    # Joins and arrays computed in the query itself.
    "arrayJoin", "arrayStringConcat", "JSONExtractKeysAndValues", "JSONExtractKeysAndValuesRaw",
    "stringJoin", "arrayShingles", "arrayPartialShuffle",
    # Machine-learning helpers over arguments or aggregate states, no model files.
    "evalMLMethod", "stochasticLinearRegression", "stochasticLogisticRegression", "naiveBayesNgrams",
    "sqidEncode", "sqidDecode", "parseQueryToJSON", "formatQueryFromJSON",
    # Matched only by a word in the name or text ("Stable", "Paths", "network" as in IP networks).
    "JSONAllPaths", "JSONAllPathsWithTypes", "JSONDynamicPaths", "JSONDynamicPathsWithTypes", "JSONSharedDataPaths",
    "JSONSharedDataPathsWithTypes", "distinctJSONPaths", "distinctJSONPathsAndTypes", "corrStable", "covarPopStable",
    "covarSampStable", "stddevPopStable", "stddevSampStable", "varPopStable", "varSampStable", "isIPAddressInRange",
    "netloc", "uniqCombined", "randomPrintableASCII", "singleValueOrNull", "tupleToNameValuePairs",
    "timeSeriesJoinTags", "timeSeriesPredictLinearToGrid", "pgTableIsVisible",
    "currentProfiles", "defaultProfiles", "enabledProfiles",
))


def _reaching(names: list[tuple[str, str]]) -> set[str]:
    return {name for name, text in names if REACH_NAME.search(name) or REACH_TEXT.search(text or "")}


def test_every_function_that_may_reach_outside_is_classified(conn: Connection) -> None:
    rows = conn.query_rows("SELECT name, description FROM system.functions WHERE origin = 'System' AND alias_to = ''")
    unclassified = {
        name for name in _reaching(rows)
        if name.lower() not in guard.DENIED_FUNCTIONS and not name.lower().startswith(guard.DENIED_PREFIXES)
        and name.lower() not in HARMLESS
    }
    assert unclassified == set(), "classify these in core.guard.DENIED_FUNCTIONS or HARMLESS above"


def test_table_function_allowlist_matches_the_engine(conn: Connection) -> None:
    engine = {name.lower() for (name,) in conn.query_rows("SELECT name FROM system.table_functions")}
    allowed = guard.GENERATORS | guard.SYSTEM_TABLE_FUNCTIONS
    assert allowed - engine <= {"mergetreepartinfo"}, "an allowed table function the engine no longer has"
    outside = {"url", "s3", "file", "remote", "executable", "python", "eval", "filesystem", "mysql", "dictionary"}
    assert outside <= engine and not outside & allowed
