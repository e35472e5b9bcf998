"""Start `tests/ch_http.py` (the ClickHouse HTTP interface over a real embedded engine) as a subprocess."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A running HTTP front; `url` for CLICKHOUSE_HOST; `stop()` ends it, `start()` brings it back on the same port."""

    def __init__(self, data_dir: Path, password: str = "", stall: bool = False, port: int | None = None,
                 readonly: int = 0, python: str = sys.executable) -> None:
        self.data_dir, self.password, self.stall, self.readonly = data_dir, password, stall, readonly
        self.python = python
        """The interpreter, hence the engine: an older chdb's venv (`bench/compat.py`) serves an older ClickHouse."""
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> ServerProcess:
        args = [self.python, str(HERE / "ch_http.py"), "--port", str(self.port), "--data", str(self.data_dir),
                "--password", self.password]
        if self.stall:
            args.append("--stall")
        if self.readonly:
            args += ["--readonly", str(self.readonly)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ch_http exited: {self.proc.stdout.read().decode()[-2000:]}")
            try:
                if self.stall:
                    with closing(socket.create_connection(("127.0.0.1", self.port), timeout=1)):
                        return self
                with urllib.request.urlopen(f"{self.url}/ping", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("ch_http did not start within 60 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
