"""The hostile corpus: statements a user may type into chat, the `run_sql` tool or the History console, each with
the exact outcome on each surface. Data only; `tests/test_hostile_sql.py` runs it.

An outcome is `refused:<words of the reason>`, `syntax` (the engine's syntax error), `error:<NAME>` (the guard let
it through and the server refused it), `rows:<Python literal of the first column>` or `ok` (ran; the rows are the
server's own, e.g. `system.query_log`, and are only checked to hold no other user's words).

The conversation table of the fixture is `chm_hostile.agent_conversations`; `chm_data.t` holds 1, 2, 3.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    """One statement and its outcome through chat / `run_sql` and through the console (None: the same)."""

    sql: str
    chat: str
    console: str | None = None

    @property
    def console_outcome(self) -> str:
        """The outcome through the console."""
        return self.chat if self.console is None else self.console


CONV = "refused:is the conversation table"
ONLY = "refused:are allowed here, not"
CONSOLE_ONLY = "refused:the console reads only"
REACH = "refused:reaches outside the query"
TABLE_FN = "refused:is not allowed here (allowed:"
SYSTEM_ONLY = "refused:may only read system tables"

# Every way of writing the conversation table's name: quoting styles, \xHH escapes, case, a suffix.
SPELLINGS = [
    "agent_conversations", "`agent_conversations`", '"agent_conversations"', "`agent\\x5fconversations`",
    '"agent\\x5fconversations"', "`\\x61gent_conversations`", "`agent_conv\\x65rsations`", "AGENT_CONVERSATIONS",
    "`Agent_Conversations`", "`agent_conversations_old`", "`agent\\x5Fconversations`", '"\\x61\\x67ent_conversations"',
]
DATABASES = ["chm_hostile", "`chm\\x5fhostile`", '"chm_hostile"']
FORMS = [
    ("SELECT user_id, content FROM {db}.{t}", CONV, None),
    ("SELECT count() FROM {t}", CONV, None),
    ("WITH x AS (SELECT * FROM {db}.{t}) SELECT content FROM x", CONV, None),
    ("SELECT 1 FROM system.one WHERE 'bob' IN (SELECT user_id FROM {db}.{t})", CONV, "refused:not `system.one`"),
    ("DESCRIBE {db}.{t}", None, "refused:only SELECT and WITH queries"),
]

CASES: list[Case] = []
for index, spelling in enumerate(SPELLINGS):
    for form, chat, console in FORMS:
        sql = form.format(db=DATABASES[index % len(DATABASES)], t=spelling)
        CASES.append(Case(sql, chat or CONV, console))

CASES += [
    # Spellings that decode to another name: no such table, nothing read.
    Case('SELECT * FROM chm_hostile."agent""_conversations"', "error:UNKNOWN_TABLE", CONSOLE_ONLY),
    Case("SELECT * FROM chm_hostile.`agent``_conversations`", "error:UNKNOWN_TABLE", CONSOLE_ONLY),
    Case("SELECT * FROM chm_hostile.`agent\\\\_conversations`", "error:UNKNOWN_TABLE", CONSOLE_ONLY),
    Case("SELECT * FROM chm_hostile.`agent＿conversations`", "error:UNKNOWN_TABLE", CONSOLE_ONLY),
    Case("SELECT * FROM chm_hostile./* gap */agent_conversations", CONV),
    Case("SELECT * FROM chm_hostile . agent_conversations -- trailing", CONV),
    Case("SELECT * FROM chm_hostile.agent_conversations FINAL", CONV),
    Case("SELECT * FROM chm_hostile.agent_conversations AS threads", CONV),
    Case("SELECT agent_conversations.content FROM system.one", CONV),
    Case("SELECT * FROM threads WHERE user_id IN chm_hostile.agent_conversations", CONV),
    Case("SELECT * FROM system.one WHERE dummy IN agent_conversations", CONV, "refused:not `system.one`"),
    Case("SELECT * FROM system.one AS a JOIN chm_hostile.agent_conversations AS b ON 1", CONV,
         "refused:not `system.one`"),
]

# Table functions, old and new: only generators, and merge/cluster/mergeTree* over system tables (chat only).
CASES += [
    Case("SELECT user_id FROM merge('chm_hostile', '^agent')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT user_id FROM merge(currentDatabase(), concat('^agent', '_conv'))", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT user_id FROM `mer\\x67e`('chm_hostile', '^agent_conv')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT user_id FROM \"merge\"('chm_hostile', '.*')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT user_id FROM MERGE('chm_hostile', '.*')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM merge(REGEXP('^chm'), '.*')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM merge(concat('sys', 'tem'), '^query_log')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM merge('chm_hostile', '.*') AS m", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM merge(chm_hostile, '.*')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM merge('.*')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT count() > 0 FROM merge('system', '^one$')", "rows:[True]", TABLE_FN),
    Case("SELECT count() >= 0 FROM merge(system, '^query_log')", "rows:[True]", TABLE_FN),
    Case("SELECT * FROM mergeTreeIndex('chm_hostile', 'agent_conversations', with_marks = true)", SYSTEM_ONLY,
         TABLE_FN),
    Case("SELECT * FROM `mergeTreeInde\\x78`('chm_hostile', 'agent_conversations')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM mergeTreeIndex(currentDatabase(), 'agent_conversations')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM mergeTreeProjection('chm_hostile', 'agent_conversations', 'p')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM mergeTreeAnalyzeIndexes('chm_hostile', 'agent_conversations')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM mergeTreeTextIndex('chm_hostile', 'agent_conversations', 'i')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM mergeTreeCodecBlockCounts('chm_hostile', 'agent_conversations')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM mergeTreeAnalyzeIndexesUUID('00000000-0000-0000-0000-000000000000')", TABLE_FN),
    Case("SELECT * FROM cluster('default', chm_hostile.agent_conversations)", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM clusterAllReplicas('default', 'chm_hostile', 'agent_conversations')", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM cluster('default', merge('chm_hostile', '.*'))", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM cluster('default', view(SELECT * FROM chm_hostile.agent_conversations))", SYSTEM_ONLY,
         TABLE_FN),
    Case("SELECT * FROM `clusterAllR\\x65plicas`('default', chm_data.t)", SYSTEM_ONLY, TABLE_FN),
    Case("SELECT * FROM cluster('default', currentDatabase(), 'agent_conversations')", SYSTEM_ONLY, TABLE_FN),
    # Allowed over system tables; the embedded engine has no cluster `default`, so the server says so.
    Case("SELECT count() FROM clusterAllReplicas('default', system.one)", "error:CLUSTER_DOESNT_EXIST", TABLE_FN),
    Case("SELECT count() FROM cluster(default, `sys\\x74em`.one)", "error:CLUSTER_DOESNT_EXIST", TABLE_FN),
    Case("SELECT * FROM view(SELECT user_id FROM chm_hostile.agent_conversations)", CONV),
    Case("SELECT * FROM view(SELECT 7 AS x)", "rows:[7]"),
    Case("SELECT * FROM loop(chm_hostile.agent_conversations) LIMIT 1", TABLE_FN),
    Case("SELECT * FROM loop(numbers(1)) LIMIT 1", TABLE_FN),
    Case("SELECT * FROM viewIfPermitted(SELECT 1 ELSE null('a UInt8'))", TABLE_FN),
    Case("SELECT * FROM viewExplain('EXPLAIN', '', (SELECT 1))", TABLE_FN),
    Case("SELECT * FROM remote('127.0.0.1:9000', chm_hostile.agent_conversations)", TABLE_FN),
    Case("SELECT * FROM remoteSecure('127.0.0.1:9440', system.one)", TABLE_FN),
    Case("SELECT * FROM url('http://169.254.169.254/latest/meta-data/', CSV, 'a String')", TABLE_FN),
    Case("SELECT * FROM `u\\x72l`('http://127.0.0.1:1/', CSV, 'a String')", TABLE_FN),
    Case("SELECT * FROM urlCluster('default', 'http://127.0.0.1:1/', CSV, 'a String')", TABLE_FN),
    Case("SELECT * FROM s3('http://127.0.0.1:1/bucket/x.csv', CSV, 'a String')", TABLE_FN),
    Case("SELECT * FROM s3Cluster('default', 'http://127.0.0.1:1/b/x.csv')", TABLE_FN),
    Case("SELECT * FROM gcs('http://127.0.0.1:1/b/x.csv')", TABLE_FN),
    Case("SELECT * FROM azureBlobStorage('http://127.0.0.1:1', 'c', 'x.csv')", TABLE_FN),
    Case("SELECT * FROM hdfs('hdfs://127.0.0.1:1/x', CSV, 'a String')", TABLE_FN),
    Case("SELECT * FROM file('/proc/self/environ', 'LineAsString')", TABLE_FN),
    Case("SELECT * FROM `fi\\x6ce`('/proc/self/environ', 'LineAsString')", TABLE_FN),
    Case("SELECT * FROM \"fi\\x6ce\"('/etc/passwd', 'LineAsString')", TABLE_FN),
    Case("SELECT * FROM FILE('/etc/passwd', LineAsString)", TABLE_FN),
    Case("SELECT * FROM fileCluster('default', '/etc/passwd', LineAsString)", TABLE_FN),
    Case("SELECT * FROM filesystem('/')", TABLE_FN),
    Case("SELECT * FROM executable('cat /proc/self/environ', TSV, 'a String')", TABLE_FN),
    Case("SELECT * FROM python('x')", TABLE_FN),
    Case("SELECT * FROM eval('SELECT 1')", TABLE_FN),
    Case("SELECT * FROM dictionary('d')", TABLE_FN),
    Case("SELECT * FROM input('a String')", TABLE_FN),
    Case("SELECT * FROM format(CSV, 'a\\n1')", TABLE_FN),
    Case("SELECT * FROM fuzzJSON('{}', random_seed = 1) LIMIT 1", TABLE_FN),
    Case("SELECT * FROM fuzzQuery('SELECT 1') LIMIT 1", TABLE_FN),
    Case("SELECT * FROM mysql('127.0.0.1:3306', 'db', 't', 'u', 'p')", TABLE_FN),
    Case("SELECT * FROM postgresql('127.0.0.1:5432', 'db', 't', 'u', 'p')", TABLE_FN),
    Case("SELECT * FROM mongodb('127.0.0.1:27017', 'db', 'c', 'u', 'p', 'a String')", TABLE_FN),
    Case("SELECT * FROM redis('127.0.0.1:6379', 'k', 'k String')", TABLE_FN),
    Case("SELECT * FROM sqlite('/etc/passwd.db', 't')", TABLE_FN),
    Case("SELECT * FROM jdbc('jdbc:x', 't')", TABLE_FN),
    Case("SELECT * FROM odbc('DSN=x', 't')", TABLE_FN),
    Case("SELECT * FROM iceberg('http://127.0.0.1:1/t')", TABLE_FN),
    Case("SELECT * FROM icebergLocal('/tmp/t')", TABLE_FN),
    Case("SELECT * FROM deltaLakeLocal('/tmp/t')", TABLE_FN),
    Case("SELECT * FROM hudi('http://127.0.0.1:1/t')", TABLE_FN),
    Case("SELECT * FROM paimonLocal('/tmp/t')", TABLE_FN),
    Case("SELECT * FROM ytsaurus('http://127.0.0.1:1', '//t', 'x')", TABLE_FN),
    Case("SELECT * FROM arrowFlight('127.0.0.1:1', 'x')", TABLE_FN),
    Case("SELECT * FROM bigquery('x')", TABLE_FN),
    Case("SELECT * FROM prometheusQuery('x', 'up', now())", TABLE_FN),
    Case("SELECT * FROM timeSeriesData(chm_hostile.agent_conversations)", TABLE_FN),
    Case("SELECT * FROM system.one WHERE dummy IN (SELECT 0 FROM file('/etc/passwd', LineAsString))", TABLE_FN,
         "refused:not `system.one`"),
    Case("WITH (SELECT count() FROM url('http://127.0.0.1:1/', CSV, 'a String')) AS c SELECT c", TABLE_FN),
    Case("SELECT * FROM numbers(3)", "rows:[0, 1, 2]"),
    Case("SELECT * FROM numbers_mt(2)", "rows:[0, 1]"),
    Case("SELECT * FROM zeros(2)", "error:READONLY"),  # the server refuses zeros() at readonly=1
    Case("SELECT * FROM generate_series(1, 3)", "rows:[1, 2, 3]"),
    Case("SELECT * FROM values('a UInt8', 4, 5)", "rows:[4, 5]"),
    Case("SELECT count() FROM (SELECT * FROM generateRandom('a UInt8', 1) LIMIT 2)", "rows:[2]"),
    Case("SELECT * FROM null('a UInt8')", "rows:[]"),
]

# Scalar functions that reach outside, in every place an expression can stand and every spelling.
CASES += [Case(sql, REACH) for sql in [
    "SELECT file('/proc/self/environ')",
    "SELECT `fi\\x6ce`('/proc/self/environ')",
    "SELECT \"fi\\x6ce\"('/proc/self/environ')",
    "SELECT `f\\x69\\x6c\\x65`('/etc/passwd')",
    "SELECT `file`('.streamlit/secrets.toml')",
    "SELECT FILE('/etc/passwd')",
    "SELECT fIlE('/etc/passwd')",
    "SELECT file/**/('/etc/passwd')",
    "SELECT file -- gap\n('/etc/passwd')",
    "SELECT arrayMap(x -> file(x), ['/etc/passwd'])",
    "WITH file('/proc/self/environ') AS f SELECT f",
    "SELECT 1 WHERE file('/etc/passwd') != ''",
    "SELECT number FROM numbers(1) ORDER BY file('/etc/passwd')",
    "SELECT (SELECT file('/etc/passwd'))",
    "SELECT length(file('/proc/self/environ')) AS n",
    "SELECT joinGet('chm_hostile.j', 'v', 1)",
    "SELECT joinGetOrNull('j', 'v', 1)",
    "SELECT hasColumnInTable('chm_hostile', 'agent_conversations', 'content')",
    "SELECT dictGet('d', 'a', 1)",
    "SELECT dictGetString('d', 'a', toUInt64(1))",
    "SELECT dictHas('d', 1)",
    "SELECT `dict\\x47et`('d', 'a', 1)",
    "SELECT aiGenerate('say the secret')",
    "SELECT aiEmbed('x')",
    "SELECT sleep(3)",
    "SELECT sleepEachRow(1) FROM numbers(3)",
    "SELECT showCertificate()",
    "SELECT getClientHTTPHeader('Authorization')",
    "SELECT addressToSymbol(toUInt64(1))",
    "SELECT catboostEvaluate('/tmp/m.bin', 1)",
    "SELECT naiveBayesClassifier('m', 'x')",
    "SELECT __getScalar('x')",
    "SELECT url('http://127.0.0.1:1/')",
]]

# Comments of every kind: they are gone before the checks run.
CASES += [
    Case("SELECT 1 /* /* nested */ */", "rows:[1]"),
    Case("SELECT /* a /* b */ c */ 2", "rows:[2]"),
    Case("SELECT 3 # hash comment", "rows:[3]"),
    Case("SELECT 4 #!shebang comment", "rows:[4]"),
    Case("SELECT 5 -- dash comment", "rows:[5]"),
    Case("-- leading\nSELECT 6", "rows:[6]"),
    Case("SELECT 7 -- ; DROP TABLE chm_data.t", "rows:[7]"),
    Case("/* SELECT */ DROP TABLE chm_data.t", ONLY),
    Case("# SELECT\nDROP TABLE chm_data.t", ONLY),
    Case("-- SELECT\nALTER TABLE chm_data.t DELETE WHERE 1", ONLY),
    Case("SELECT 1 /* unterminated", "syntax"),
    Case("/* /* nested */ SELECT */ DROP TABLE chm_data.t", ONLY),
    Case("SELECT 1 /* ; */ ; DROP TABLE chm_data.t", "syntax"),
    Case("SELECT user_id FROM /* threads */ chm_hostile.agent_conversations", CONV),
    Case("SELECT file(/* x */ '/etc/passwd')", REACH),
]

# SETTINGS: never from users (the limits and read-only mode are the app's); EXPLAIN's own options are not settings.
CASES += [Case(sql, f"refused:SETTINGS ({name})") for sql, name in [
    ("SELECT 1 SETTINGS readonly = 0", "readonly"),
    ("SELECT 1 SETTINGS `read\\x6fnly` = 0", "readonly"),
    ("SELECT count() FROM numbers(10) SETTINGS max_result_rows = 0", "max_result_rows"),
    ("SELECT 1 SETTINGS max_execution_time = 0", "max_execution_time"),
    ("SELECT 1 SETTINGS max_memory_usage = 0", "max_memory_usage"),
    ("SELECT 1 SETTINGS additional_table_filters = {'chm_hostile.agent_conversations': '1'}",
     "additional_table_filters"),
    ("SELECT 1 SETTINGS allow_introspection_functions = 1", "allow_introspection_functions"),
    ("WITH 1 AS x SELECT x SETTINGS readonly = 2", "readonly"),
    ("SELECT * FROM (SELECT 1 SETTINGS max_threads = 1)", "max_threads"),
    ("SELECT 1 UNION ALL SELECT 2 SETTINGS max_threads = 1", "max_threads"),
    ("SELECT 1 SETTINGS max_threads = 1, readonly = 0", "max_threads, readonly"),
]]
CASES += [
    Case("EXPLAIN SELECT 1 SETTINGS readonly = 0", "refused:SETTINGS (readonly)", "refused:only SELECT and WITH"),
    Case("EXPLAIN indexes = 1 SELECT count() FROM system.one", "ok", "refused:only SELECT and WITH"),
    Case("SET readonly = 0", ONLY),
    Case("SET additional_table_filters = {}", ONLY),
    Case("USE system", ONLY),
]

# INTO OUTFILE and FORMAT: the app decides where results go and in which format.
CASES += [Case(sql, "refused:INTO OUTFILE") for sql in [
    "SELECT 1 INTO OUTFILE '/tmp/chm-pwn.txt'",
    "SELECT 1 INTO OUTFILE '/tmp/chm-pwn.txt' TRUNCATE",
    "SELECT 1 INTO OUTFILE '/tmp/chm-pwn.txt' APPEND",
    "SELECT 1 iNtO oUtFiLe '/tmp/chm-pwn.txt'",
    "SELECT 1 INTO /* x */ OUTFILE '/tmp/chm-pwn.txt'",
    "SELECT 1 INTO OUTFILE '/tmp/chm-pwn.gz' COMPRESSION 'gzip'",
    "SELECT 1 INTO OUTFILE '/tmp/chm-pwn.txt' AND STDOUT",
    "SELECT * FROM chm_data.t INTO OUTFILE '/tmp/chm-pwn.csv' FORMAT CSV",
]]
CASES += [Case(sql, "refused:FORMAT is chosen by the app") for sql in [
    "SELECT 1 FORMAT JSON", "SELECT 1 FORMAT TSV", "SELECT * FROM system.one FORMAT Native",
]]

# More than one statement, however the separator hides.
CASES += [Case(sql, "syntax") for sql in [
    "SELECT 1; DROP TABLE chm_data.t",
    "SELECT 1;DROP TABLE chm_data.t;",
    "SELECT ';' ; DROP TABLE chm_data.t",
    "SELECT 1 -- comment\n; DROP TABLE chm_data.t",
    "SELECT 1\n;\nTRUNCATE chm_data.t",
    "SELECT 1; SELECT 2",
    "SELECT \"a;\" FROM (SELECT 1 AS \"a;\"); DROP TABLE chm_data.t",
    "SELECT `x;y` FROM (SELECT 1 AS `x;y`); DROP DATABASE chm_data",
    "SELECT $$;$$; DROP TABLE chm_data.t",
    ";DROP TABLE chm_data.t",
    "SELECT 1) UNION ALL (SELECT user_id FROM chm_hostile.agent_conversations",
    "SELECT 'unterminated",
]]

# Statements that write or change the server: refused by kind, on both surfaces.
CASES += [Case(sql, ONLY) for sql in [
    "INSERT INTO chm_data.t VALUES (666)",
    "INSERT INTO chm_data.t SELECT number FROM numbers(10)",
    "INSERT INTO FUNCTION file('pwn.csv', 'CSV', 'a UInt8') SELECT 1",
    "ALTER TABLE chm_data.t DELETE WHERE 1",
    "ALTER TABLE chm_hostile.agent_conversations UPDATE content = '' WHERE 1",
    "ALTER TABLE chm_data.t ADD COLUMN b UInt8",
    "DELETE FROM chm_data.t WHERE 1",
    "UPDATE chm_data.t SET a = 0 WHERE 1",
    "TRUNCATE TABLE chm_data.t",
    "DROP TABLE chm_data.t",
    "DROP TABLE IF EXISTS chm_hostile.agent_conversations SYNC",
    "DROP DATABASE chm_data",
    "CREATE TABLE chm_data.evil (a UInt8) ENGINE = Memory",
    "CREATE VIEW chm_data.v AS SELECT * FROM chm_hostile.agent_conversations",
    "CREATE FUNCTION evil AS (x) -> x",
    "CREATE USER evil IDENTIFIED BY 'x'",
    "GRANT ALL ON *.* TO default",
    "RENAME TABLE chm_data.t TO chm_data.t2",
    "OPTIMIZE TABLE chm_data.t FINAL",
    "DETACH TABLE chm_data.t",
    "BACKUP TABLE chm_data.t TO File('backup')",
    "SYSTEM FLUSH LOGS",
    "SYSTEM SHUTDOWN",
    "SYSTEM DROP MARK CACHE",
    "KILL QUERY WHERE 1",
    "SHOW CREATE TABLE chm_hostile.agent_conversations",
    "EXISTS TABLE chm_hostile.agent_conversations",
    "SHOW PROCESSLIST",
    "CHECK TABLE chm_data.t",
    "WITH x AS (SELECT 1) INSERT INTO chm_data.t SELECT * FROM x",
]]
CASES += [
    Case("EXPLAIN DROP TABLE chm_data.t", "syntax"),
    Case("EXPLAIN AST ALTER TABLE chm_data.t DELETE WHERE 1", "refused:EXPLAIN may only explain", ONLY),
    Case("EXPLAIN SYNTAX SYSTEM FLUSH LOGS", "refused:EXPLAIN may only explain", ONLY),
    Case("EXPLAIN PIPELINE INSERT INTO chm_data.t VALUES (1)", "refused:EXPLAIN may only explain a read-only query, "
         "not INSERT"),
]

# CTE and alias shadowing: a name never turns into another table, and the scoped names keep their scope.
CASES += [
    Case("WITH threads AS (SELECT * FROM chm_hostile.agent_conversations) SELECT content FROM threads", CONV),
    Case("WITH `threads` AS (SELECT user_id FROM `chm\\x5fhostile`.`agent\\x5fconversations`) SELECT * FROM threads",
         CONV),
    Case("WITH agent_conversations AS (SELECT 1 AS a) SELECT a FROM agent_conversations", CONV),
    Case("WITH messages AS (SELECT 'x' AS content) SELECT content FROM messages", "rows:['x']"),
    Case("SELECT a FROM (SELECT 1 AS a) AS agent_conversations", "rows:[1]"),
    Case("SELECT 1 AS agent_conversations", "rows:[1]"),
    Case("SELECT content AS agent_conversations FROM messages ORDER BY content", "error:UNKNOWN_TABLE",
         "rows:['alice hello', 'alice reply']"),
    Case("SELECT DISTINCT user_id FROM threads AS messages", "error:UNKNOWN_TABLE", "rows:['alice']"),
    Case("WITH x AS (SELECT * FROM system.one) SELECT dummy FROM x", "rows:[0]", "refused:not `system.one`"),
    Case("SELECT * FROM (WITH m AS (SELECT 1) SELECT 1) AS s, m", "error:UNKNOWN_TABLE", "refused:not `m`"),
    Case("WITH m AS (SELECT * FROM messages) SELECT DISTINCT user_id FROM m", "error:UNKNOWN_TABLE",
         "rows:['alice']"),
    Case("SELECT DISTINCT user_id FROM messages WHERE thread_id IN (SELECT thread_id FROM threads)",
         "error:UNKNOWN_TABLE", "rows:['alice']"),
]

# What the console offers, and nothing else: the user's own rows; no system table, no other database.
CASES += [
    Case("SELECT DISTINCT user_id FROM messages", "error:UNKNOWN_TABLE", "rows:['alice']"),
    Case("SELECT count() FROM messages WHERE user_id = 'bob'", "error:UNKNOWN_TABLE", "rows:[0]"),
    Case("SELECT count() FROM messages WHERE content LIKE concat('%zeb', 'ra%')", "error:UNKNOWN_TABLE", "rows:[0]"),
    Case("SELECT count() FROM threads", "error:UNKNOWN_TABLE", "rows:[1]"),
    Case("SELECT * FROM {db:Identifier}.{table:Identifier}", "refused:query parameters"),
    Case("SELECT {user_id:String}", "refused:query parameters"),
    Case("SELECT dummy FROM system.one", "rows:[0]", "refused:not `system.one`"),
    Case("SELECT count() >= 0 FROM `sys\\x74em`.query_log", "rows:[True]", "refused:not `system.query_log`"),
    Case('SELECT count() > 0 FROM "system"."tables"', "rows:[True]", "refused:not `system.tables`"),
    Case("SELECT count() > 0 FROM INFORMATION_SCHEMA.TABLES", "rows:[True]",
         "refused:not `INFORMATION_SCHEMA.TABLES`"),
    Case("SELECT a FROM chm_data.t ORDER BY a", "rows:[1, 2, 3]", "refused:not `chm_data.t`"),
    Case("SELECT a FROM `chm\\x5fdata`.t ORDER BY a", "rows:[1, 2, 3]", "refused:not `chm_data.t`"),
    Case("SELECT * FROM no_such_db.t", "refused:database `no_such_db` cannot be read", "refused:not `no_such_db.t`"),
    Case("SHOW TABLES FROM chm_data", "rows:['t']", "refused:only SELECT and WITH"),
    Case("DESCRIBE chm_data.t", "rows:['a']", "refused:only SELECT and WITH"),
    Case("", "refused:empty statement"),
]
