"""A real PostgreSQL server for the tests: started once per pytest process on 127.0.0.1, stopped at the end.

`postgres_store(request)` returns a fresh PostgresStore (its own table prefix) on that server. When the Debian
`postgresql` binaries are missing the test is skipped with the reason (`make test` installs them).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from chstore.postgres import PostgresStore

PG_BIN = Path(os.environ.get("CHM_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
_lock = threading.Lock()
_server: dict[str, str] = {}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user then."""
    if os.geteuid() != 0:
        return args
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError("running as root without `runuser`: cannot start PostgreSQL as the postgres user")
    return [runuser, "-u", "postgres", "--", *args]


def start_server() -> tuple[str, Callable[[], None]]:
    """Start a throwaway PostgreSQL on 127.0.0.1 in a temporary directory; returns (url, stop).

    Raises FileNotFoundError when the binaries are missing and RuntimeError when the server does not start.
    """
    if not (PG_BIN / "initdb").exists():
        raise FileNotFoundError(f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql)")
    base = Path(tempfile.mkdtemp(prefix="chm-pg-"))
    data = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    port = _free_port()
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    try:
        subprocess.run(_as_server_user([
            str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--locale=C.UTF-8",
        ]), **run)
        subprocess.run(_as_server_user([
            str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w", "-t", "60", "start",
            "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
        ]), **run)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {exc.stderr or exc.stdout}") from exc

    def stop() -> None:
        subprocess.run(_as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)

    return f"postgresql://postgres@127.0.0.1:{port}/postgres", stop


def _start(config: pytest.Config) -> str:
    try:
        url, stop = start_server()
    except FileNotFoundError as exc:
        pytest.skip(f"{exc}; `make test` installs them")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    config.add_cleanup(stop)
    return url


def postgres_url(request: pytest.FixtureRequest) -> str:
    """The URL of the session's PostgreSQL server, starting it on first use."""
    with _lock:
        if "url" not in _server:
            _server["url"] = _start(request.config)
        return _server["url"]


def postgres_store(request: pytest.FixtureRequest, prefix: str | None = None) -> PostgresStore:
    """A fresh PostgresStore on the session's server, with its own tables."""
    return PostgresStore(postgres_url(request), prefix=prefix or f"t{uuid.uuid4().hex[:12]}_", max_size=6)
