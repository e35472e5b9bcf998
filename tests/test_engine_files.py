"""What the embedded engine reads from the local file system when a statement skips the SQL guard.

Each statement runs straight on the connection (no parser check, no `readonly`), as if the guard had missed it. The
cases the engine does not stop are marked `xfail(strict=True)` with the reason: chdb runs ClickHouse as a *local*
application, and ClickHouse confines `file()` to `user_files_path` only in a server (`FunctionFile`:
`need_check = getApplicationType() != LOCAL`; `StorageFile::checkCreationIsAllowed` returns early outside SERVER),
and chdb 26.9 resolves relative paths against the working directory whatever `user_files_path` says. A strict xfail
fails the suite the day the engine starts confining them, so the marks cannot go stale.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from config import Settings
from core.connection import Connection
from core.errors import ChmError

UNCONFINED = pytest.mark.xfail(
    strict=True, reason="chdb (ClickHouse local mode) does not confine file readers to user_files_path")

# What a leak looks like: any variable of this process's start-up environment, or /etc/passwd's first line.
ENVIRON_MARK = "PATH="
PASSWD_MARK = "root:x:0:0"


@pytest.fixture(scope="module")
def link(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding symlinks to /etc and /proc/self/environ (the symlink tricks)."""
    folder = tmp_path_factory.mktemp("user_files")
    (folder / "etc").symlink_to("/etc")
    (folder / "env").symlink_to("/proc/self/environ")
    return folder


CASES = [
    pytest.param("SELECT * FROM file('/proc/self/environ', 'LineAsString')", id="table-file-environ",
                 marks=UNCONFINED),
    pytest.param("SELECT * FROM file('../../../../../../etc/passwd', 'LineAsString')", id="table-file-dotdot",
                 marks=UNCONFINED),
    pytest.param("SELECT * FROM file('/etc/pass*', 'LineAsString')", id="table-file-glob", marks=UNCONFINED),
    pytest.param("SELECT file('/proc/self/environ')", id="scalar-file-environ", marks=UNCONFINED),
    pytest.param("SELECT file('../../../../../../etc/passwd')", id="scalar-file-dotdot", marks=UNCONFINED),
    pytest.param("SELECT `fi\\x6ce`('/proc/self/environ')", id="scalar-file-escaped", marks=UNCONFINED),
    pytest.param("SELECT * FROM `fi\\x6ce`('/etc/passwd', 'LineAsString')", id="table-file-escaped",
                 marks=UNCONFINED),
    pytest.param("SELECT file('{link}/env')", id="scalar-file-symlink", marks=UNCONFINED),
    pytest.param("SELECT * FROM file('{link}/etc/passwd', 'LineAsString')", id="table-file-symlink",
                 marks=UNCONFINED),
    pytest.param("SELECT * FROM `/etc/passwd`", id="filesystem-database-table", marks=UNCONFINED),
    pytest.param("SELECT * FROM default.`/proc/self/environ`", id="filesystem-database-environ"),
    pytest.param("SELECT content FROM filesystem('/etc') WHERE name = 'passwd' AND path = '/etc'",
                 id="filesystem-table-function", marks=UNCONFINED),
    pytest.param("SELECT * FROM url('file:///etc/passwd', 'LineAsString')", id="url-file-scheme", marks=UNCONFINED),
    pytest.param("SELECT * FROM icebergLocal('/etc')", id="icebergLocal"),
    pytest.param("SELECT * FROM deltaLakeLocal('/etc')", id="deltaLakeLocal"),
    pytest.param("SELECT * FROM executable('cat /proc/self/environ', 'LineAsString', 'x String')", id="executable"),
    pytest.param("SELECT * FROM sqlite('/etc/passwd', 'x')", id="sqlite"),
    pytest.param("SELECT * FROM python(os)", id="python-table-function"),
    pytest.param("SELECT * FROM eval('SELECT 1')", id="eval"),
]


@pytest.mark.parametrize("sql", CASES)
def test_no_environment_or_file_content_comes_back(conn: Connection, link: Path, sql: str) -> None:
    statement = sql.replace("{link}", str(link))
    assert os.environ.get("PATH"), "the process has a PATH, so a leak of its environment would show"
    try:
        rows = conn.query_rows(statement)
    except ChmError as refused:
        text = str(refused)
    else:
        text = repr(rows)
    assert ENVIRON_MARK not in text and PASSWD_MARK not in text, statement


def test_a_dictionary_with_a_file_source_is_confined(conn: Connection) -> None:
    name = {"d": "chm_test", "n": f"dict_{os.getpid()}"}
    conn.command("CREATE DICTIONARY {d:Identifier}.{n:Identifier} (line String) PRIMARY KEY line "
                 "SOURCE(FILE(path '/etc/passwd' format 'LineAsString')) LAYOUT(COMPLEX_KEY_HASHED()) LIFETIME(0)",
                 name)
    try:
        with pytest.raises(ChmError, match="PATH_ACCESS_DENIED") as refused:
            conn.query_rows("SELECT * FROM dictionary({full:String})", {"full": f"{name['d']}.{name['n']}"})
        assert PASSWD_MARK not in str(refused.value)
    finally:
        conn.command("DROP DICTIONARY IF EXISTS {d:Identifier}.{n:Identifier}", name)


def test_the_engine_has_an_empty_user_files_directory_of_its_own(conn: Connection, settings: Settings) -> None:
    own = Path(settings.engine.data_dir).resolve() / "user_files"
    assert conn.query_rows("SELECT value FROM system.server_settings WHERE name = 'user_files_path'") == [(f"{own}/",)]
    assert own.is_dir() and not any(own.iterdir())
