"""One in-thread HTTP stand-in server per test session, per server class (the D1 and AgentState stand-ins)."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from typing import TypeVar

import pytest

Server = TypeVar("Server", bound=ThreadingHTTPServer)

_lock = threading.Lock()
_running: dict[type, ThreadingHTTPServer] = {}


def session_server(request: pytest.FixtureRequest, factory: type[Server]) -> Server:
    """The session's `factory()` server, started on first use and shut down at the end of the session."""
    with _lock:
        if factory not in _running:
            server = factory()
            threading.Thread(target=server.serve_forever, daemon=True).start()

            def stop() -> None:
                server.shutdown()
                server.server_close()

            request.config.add_cleanup(stop)
            _running[factory] = server
        return _running[factory]  # type: ignore[return-value]
