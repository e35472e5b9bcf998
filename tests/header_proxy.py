"""An authenticating proxy for browser tests: forwards to the app and sets the user header on every request, the
WebSocket upgrade included, and drops one a client sent (Chromium does not add Playwright's extra headers to
WebSocket handshakes, where Streamlit reads them)."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress


def _pipe(source: socket.socket, target: socket.socket) -> None:
    with suppress(OSError):
        while chunk := source.recv(65536):
            target.sendall(chunk)
    with suppress(OSError):
        target.shutdown(socket.SHUT_WR)


class _Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target: tuple[str, int], header: str, user: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.target = target
        self.header = header.lower().encode() + b":"
        self.line = f"{header}: {user}".encode()


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: _Proxy = self.server  # type: ignore[assignment]
        client = self.request
        with socket.create_connection(server.target) as upstream:
            threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
            buffer = b""
            with suppress(OSError):
                while True:
                    while b"\r\n\r\n" not in buffer:
                        chunk = client.recv(65536)
                        if not chunk:
                            return
                        buffer += chunk
                    head, _, buffer = buffer.partition(b"\r\n\r\n")
                    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(server.header)]
                    lines.insert(1, server.line)
                    upstream.sendall(b"\r\n".join(lines) + b"\r\n\r\n")
                    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(b":") for line in lines[1:])}
                    if fields.get(b"upgrade", b"").lower() == b"websocket":
                        upstream.sendall(buffer)
                        _pipe(client, upstream)
                        return
                    length = int(fields.get(b"content-length", b"0"))
                    while len(buffer) < length:
                        chunk = client.recv(65536)
                        if not chunk:
                            return
                        buffer += chunk
                    upstream.sendall(buffer[:length])
                    buffer = buffer[length:]


@contextmanager
def proxy(base: str, header: str, user: str) -> Iterator[str]:
    """Serve `base` (http://host:port) through a proxy that says every request comes from `user`; yields its URL."""
    host, _, port = base.removeprefix("http://").partition(":")
    server = _Proxy((host, int(port)), header, user)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
