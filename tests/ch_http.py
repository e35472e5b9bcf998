"""A ClickHouse HTTP interface in front of the real embedded engine, for tests of the `CLICKHOUSE_HOST` path.

No ClickHouse server can be installed on this machine, so tests start this as a subprocess: it speaks the parts of
ClickHouse's HTTP protocol that clickhouse-connect uses (query in body or URL, `param_*` server-side parameters,
settings as URL parameters, long parameters as multipart form fields, Native/TabSeparated results, Native inserts, error codes in `X-ClickHouse-Exception-Code`,
basic authentication) and runs every statement on a real chdb engine. `--stall` makes it accept connections and
never answer (a hung server).

    python tests/ch_http.py --port 18123 --data /tmp/engine [--user u --password p] [--stall] [--readonly 1|2]

Run by an older chdb's Python (`.compat/24.8/bin/python`, see `bench/compat.py`) it is a ClickHouse 24.8 server.

`--readonly N` gives the user a read-only profile: the engine's session is switched to `readonly=N` before the first
request, so the engine itself refuses what such a server refuses (a changed setting, a write).
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import tempfile
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

PROTOCOL_PARAMS = {
    "query", "database", "query_id", "session_id", "session_timeout", "session_check", "default_format", "compress",
    "decompress", "user", "password", "wait_end_of_query", "send_progress_in_http_headers", "role",
    "http_headers_progress_interval_ms", "enable_http_compression", "client_protocol_version", "quota_key",
}
TRAILING_FORMAT = re.compile(r"\s+FORMAT\s+(\w+)\s*;?\s*$", re.I)
INSERT_HEAD = re.compile(r"^\s*INSERT\s+INTO\s+", re.I)
INSERT_WITH_DATA = re.compile(rb"^(\s*INSERT\s+INTO\s.*?\bFORMAT\s+\w+)[ \t]*\r?\n", re.I | re.S)
ERROR_NAME = re.compile(r"\(([A-Z][A-Z0-9_]+)\)")
ERROR_CODE = re.compile(r"Code:\s*(\d+)")
LEADING_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
READ_ONLY_HEADS = ("select", "with", "show", "describe", "desc", "explain", "exists", "(")


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _settings_clause(settings: dict[str, str]) -> str:
    return ", ".join(f"{k} = {_literal(v)}" for k, v in settings.items() if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k))


def _form_fields(content_type: str, body: bytes) -> dict[str, str]:
    """The fields of a `multipart/form-data` body: how clickhouse-connect sends a query whose parameters are too long
    for a URL (`query` and `param_*` as form fields), which a server reads like URL parameters."""
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    return {str(part.get_param("name", header="content-disposition")): part.get_payload(decode=True).decode("utf-8")
            for part in message.iter_parts()}


class Engine:
    """One chdb engine, serialised. chdb 3 and later keep a connection with server-side parameters; older wheels
    (ClickHouse 24.8, for tests of an older server) run each call on its own, so parameters and the read-only
    profile go ahead of every statement as `SET`s, which the engine itself applies."""

    def __init__(self, data: str, config: str | None, readonly: int = 0) -> None:
        import chdb

        # With the app's config, the app's log level too (core.connection.engine_options): chdb logs at trace otherwise.
        target = data if not config else f"{data}?config-file={config}&log-level=information"
        self.readonly = int(readonly)
        self.lock = threading.Lock()
        self.conn = chdb.connect(target) if hasattr(chdb, "connect") else None
        if self.conn is None:
            from chdb.session import Session

            self.session = Session(data)
        elif readonly:
            self.conn.query("SYSTEM FLUSH LOGS")
            self.conn.query(f"SET readonly = {self.readonly}")

    def run(self, sql: str, fmt: str, params: dict[str, str]) -> bytes:
        with self.lock:
            if self.conn is not None:
                result = self.conn.query(sql, fmt, params=params)
            else:
                sets = "".join(f"SET param_{name} = {_literal(value)};\n" for name, value in params.items())
                profile = f"SET readonly = {self.readonly};\n" if self.readonly else ""
                result = self.session.query(sets + profile + sql, fmt)
        data = result.bytes() if hasattr(result, "bytes") else bytes(result)
        return data


class Handler(BaseHTTPRequestHandler):
    """Answers one HTTP request the way a ClickHouse server would."""

    server_version = "ClickHouse"
    protocol_version = "HTTP/1.1"
    engine: Engine
    user = "default"
    password = ""
    stall = False

    def log_message(self, *args: object) -> None:
        """Quiet."""

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _fail(self, message: str) -> None:
        code = ERROR_CODE.search(message)
        names = ERROR_NAME.findall(message)
        body = message if message.startswith("Code:") else f"Code: 1000. DB::Exception: {message}"
        status = 404 if names and names[-1] in ("UNKNOWN_TABLE", "UNKNOWN_DATABASE") else 500
        if names and names[-1] == "AUTHENTICATION_FAILED":
            status = 403
        self._send(status, body.encode(), {"X-ClickHouse-Exception-Code": code.group(1) if code else "1000"})

    def _authorised(self, params: dict[str, str]) -> bool:
        user = self.headers.get("X-ClickHouse-User") or params.get("user")
        password = self.headers.get("X-ClickHouse-Key") or params.get("password") or ""
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        return (user or "default") == self.user and password == self.password

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            data = b"".join(chunks)
        else:
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else b""
        encoding = (self.headers.get("Content-Encoding") or "").lower()
        if encoding == "lz4":
            import lz4.frame

            data = lz4.frame.decompress(data)
        elif encoding == "zstd":
            import zstandard

            data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
        elif encoding == "gzip":
            import gzip

            data = gzip.decompress(data)
        return data

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        """`/ping` and GET queries."""
        if self.stall:
            time.sleep(3600)
        path = urlsplit(self.path)
        if path.path in ("/ping", "/"):
            self._send(200, b"Ok.\n")
            return
        self._handle(dict(parse_qsl(path.query, keep_blank_values=True)), b"")

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        """Queries and inserts."""
        if self.stall:
            time.sleep(3600)
        params, body = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)), self._body()
        content_type = self.headers.get("Content-Type") or ""
        if content_type.startswith("multipart/form-data"):
            params.update(_form_fields(content_type, body))
            body = b""
        self._handle(params, body)

    def _handle(self, params: dict[str, str], body: bytes) -> None:
        if not self._authorised(params):
            self._fail("Code: 516. DB::Exception: default: Authentication failed: password is incorrect. (AUTHENTICATION_FAILED)")
            return
        query = params.get("query")
        data = b""
        if query is None:
            head = INSERT_WITH_DATA.match(body)
            if head:
                query, data = head.group(1).decode("utf-8"), body[head.end():]
            else:
                query = body.decode("utf-8", "surrogateescape")
        else:
            data = body
            if body and not INSERT_HEAD.match(query):
                query = query + "\n" + body.decode("utf-8", "surrogateescape")
                data = b""
        bind = {k[6:]: v for k, v in params.items() if k.startswith("param_")}
        settings = {k: v for k, v in params.items() if k not in PROTOCOL_PARAMS and not k.startswith("param_")}
        try:
            out, fmt = self._execute(query, data, bind, settings, params)
        except Exception as exc:  # the engine's error, passed on like a server would
            self._fail(str(exc))
            return
        self._send(200, out, {"X-ClickHouse-Format": fmt, "X-ClickHouse-Timezone": "UTC",
                              "Content-Type": "application/octet-stream", "X-ClickHouse-Summary": "{}"})

    def _execute(self, query: str, data: bytes, bind: dict[str, str], settings: dict[str, str],
                 params: dict[str, str]) -> tuple[bytes, str]:
        fmt_match = TRAILING_FORMAT.search(query)
        fmt = fmt_match.group(1) if fmt_match else params.get("default_format", "TabSeparated")
        sql = query[: fmt_match.start()] if fmt_match else query.rstrip().rstrip(";")
        head = LEADING_COMMENTS.sub("", sql).lower()
        if settings.get("readonly", "0") not in ("0", "") and not head.startswith(READ_ONLY_HEADS):
            raise RuntimeError("Code: 164. DB::Exception: Cannot execute query in readonly mode. (READONLY)")
        if data:
            with tempfile.NamedTemporaryFile(suffix=".native", delete=False) as tmp:
                tmp.write(data)
            try:
                clause = f" SETTINGS {_settings_clause(settings)}" if settings else ""
                self.engine.run(f"{sql} FROM INFILE {_literal(tmp.name)}{clause} FORMAT {fmt}", "TabSeparated", bind)
            finally:
                os.unlink(tmp.name)
            return b"", fmt
        if settings and head.startswith(READ_ONLY_HEADS):
            sql = f"{sql}\nSETTINGS {_settings_clause(settings)}"
        return self.engine.run(sql, fmt, bind), fmt


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--user", default="default")
    parser.add_argument("--password", default="")
    parser.add_argument("--stall", action="store_true")
    parser.add_argument("--readonly", type=int, default=0, choices=(0, 1, 2))
    args = parser.parse_args()
    config = Path(__file__).resolve().parent.parent / "core" / "engine.xml"
    if not args.stall:
        Handler.engine = Engine(args.data, str(config), args.readonly)
    Handler.user, Handler.password, Handler.stall = args.user, args.password, args.stall
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"listening on 127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
