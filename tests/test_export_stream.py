"""The streamed export route: valid JSON / JSONL / Markdown, refused links, 10,000 conversations in bounded memory.

Formats and refusals run against the app as `make run` serves it (`streamlit run server.py`) behind a proxy header.
The 10,000-conversation export is served by uvicorn inside the test process, on the session's engine, so
tracemalloc sees every Python allocation the route makes while it streams.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
import streamlit as st

from chstore import ConversationStore, open_store
from config import load_settings
from core import sqlfiles
from history import download
from history.download import Grant
from history.queries import Filters, Scope
from tests.appserver import running_app
from tests.chserver import free_port

ROOT = Path(__file__).resolve().parent.parent
KEY = "export-test-key-0123456789-abcdefghijklmnopqrstuvwxyz"
HEADER = "X-Forwarded-User"
BULK = 300
WORD = f"quokka{uuid.uuid4().hex[:6]}"
SEED = """
import sys
from chstore import Message, open_store
from config import load_settings
store = open_store(load_settings())
bulk, word = int(sys.argv[1]), sys.argv[2]
for n in range(bulk):
    store.create_thread("alice", title=f"bulk {n:04d}", metadata={"pad": "x" * 2000})
mine = store.create_thread("alice")
store.append("alice", mine, [
    Message(role="user", content=f"which tables are biggest? {word}"),
    Message(role="tool", name="biggest_tables", content='{"columns": ["table"], "rows": [["hits"]]}',
            metadata={"sql": "SELECT 'hits' AS table", "duration_ms": 3.0, "rows": 1}),
    Message(role="assistant", content="hits is the biggest table.", metadata={"model": "built-in"}),
])
theirs = store.create_thread("bob")
store.append("bob", theirs, [Message(role="user", content=f"bob's private question {word}")])
print(mine, theirs)
"""


@dataclass
class Served:
    """The running app and the seeded ids."""

    base: str
    mine: str
    theirs: str


@dataclass
class Reply:
    """One response: status, headers, body, and when each piece of the body arrived (monotonic seconds)."""

    status: int
    headers: dict[str, str]
    body: bytes
    asked: float
    arrivals: list[float]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """Seed alice (BULK conversations and one transcript) and bob in a process that exits, then serve the app."""
    data_dir = tempfile.mkdtemp(prefix="chm-export-stream-")
    env = {**os.environ, "CHM_DATA_DIR": data_dir, "PYTHONPATH": str(ROOT)}
    seeded = subprocess.run([sys.executable, "-c", SEED, str(BULK), WORD], cwd=ROOT, env=env, check=True,
                            timeout=600, capture_output=True, text=True)
    mine, theirs = seeded.stdout.split()
    settings = {"CHM_TRUSTED_USER_HEADER": HEADER, "CHM_ADMIN_USERS": "carol", "CHM_EXPORT_SECRET": KEY}
    with running_app(env=settings, data_dir=data_dir) as base:
        yield Served(base, mine, theirs)


def _link(grant: Grant, now: float | None = None, key: str = KEY) -> str:
    return download.link(grant, key.encode(), time.time() if now is None else now)


def _get(base: str, path: str, user: str | None = "alice") -> Reply:
    where = urlparse(base)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=600)
    asked = time.monotonic()
    conn.request("GET", path, headers={HEADER: user} if user else {})
    response = conn.getresponse()
    body, arrivals = bytearray(), []
    while piece := response.read1(1 << 16):
        arrivals.append(time.monotonic())
        body += piece
    conn.close()
    return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, bytes(body), asked, arrivals)


def test_all_matching_in_every_format_arrives_while_it_is_produced(served: Served) -> None:
    jsonl = _get(served.base, _link(Grant("alice", Scope("alice"), "JSONL")))
    assert jsonl.status == 200, jsonl.text
    assert jsonl.headers["content-type"] == "application/x-ndjson; charset=utf-8"
    assert jsonl.headers["content-disposition"] == 'attachment; filename="conversations.jsonl"'
    assert jsonl.headers["transfer-encoding"] == "chunked" and "content-length" not in jsonl.headers
    records = [json.loads(line) for line in jsonl.text.splitlines()]
    assert len(records) == BULK + 1 and len({r["id"] for r in records}) == BULK + 1
    assert {r["user_id"] for r in records} == {"alice"}
    transcript = next(r for r in records if r["id"] == served.mine)
    assert [m["role"] for m in transcript["messages"]] == ["user", "tool", "assistant"]
    # Streamed: the body comes in many chunked pieces (the 10,000-conversation test below proves the bounded memory
    # and the early first byte; at this size a batched read produces it all too fast to time).
    assert len(jsonl.arrivals) >= 50, len(jsonl.arrivals)

    as_json = _get(served.base, _link(Grant("alice", Scope("alice"), "JSON")))
    assert as_json.headers["content-type"] == "application/json; charset=utf-8"
    assert [r["id"] for r in json.loads(as_json.text)] == [r["id"] for r in records]

    found = _get(served.base, _link(Grant("alice", Scope("alice"), "Markdown", Filters(text=WORD))))
    assert found.headers["content-disposition"] == 'attachment; filename="conversations.md"'
    assert found.text.startswith(f"# which tables are biggest? {WORD}\n")
    assert "### tool `biggest_tables`" in found.text and "```sql\nSELECT 'hits' AS table\n```" in found.text
    assert "hits is the biggest table." in found.text and found.text.count("\n---\n") == 1
    assert "bob's private question" not in found.text


def test_one_conversation_as_markdown(served: Served) -> None:
    reply = _get(served.base, _link(Grant("alice", Scope("alice"), "Markdown", thread_id=served.mine)))
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/markdown; charset=utf-8"
    assert reply.headers["content-disposition"] == f'attachment; filename="which-tables-are-biggest-{WORD}.md"'
    assert f"_id {served.mine} · user alice" in reply.text and "hits is the biggest table." in reply.text
    gone = _get(served.base, _link(Grant("alice", Scope("alice"), "JSON", thread_id="no-such-thread")))
    assert (gone.status, gone.text) == (404, "This conversation does not exist (or was deleted).\n")


def _edited(token: str, **changes: object) -> str:
    payload, _, mac = token.rpartition(".")
    serializer = download._serializer(KEY.encode())
    body = serializer.load_payload(payload.encode())
    body.update(changes)
    return serializer.dump_payload(body).decode() + "." + mac


def test_forged_expired_and_other_users_links_are_refused(served: Served) -> None:
    alice = Grant("alice", Scope("alice"), "JSONL")
    valid = _link(alice)
    token = valid.split("token=")[1]
    refused = {
        "no token": ("/export", "alice", "not valid"),
        "garbage": ("/export?token=garbage", "alice", "not valid"),
        "signed by another key": (_link(alice, key="guessed"), "alice", "not valid"),
        "scope edited to bob": ("/export?token=" + _edited(token, viewer="bob", user="bob"), "bob", "not valid"),
        "expiry extended": ("/export?token=" + _edited(token, exp=2**40), "alice", "not valid"),
        "expired": (_link(alice, now=time.time() - download.LINK_TTL - 1), "alice", "expired at"),
        "used by bob": (valid, "bob", "made for another user"),
        "used without the proxy header": (valid, None, "made for another user"),
        "alice asks for bob's": (_link(Grant("alice", Scope("bob"), "JSONL")), "alice", "may not export"),
        "alice asks for everyone's": (_link(Grant("alice", Scope("alice", True), "JSONL")), "alice", "may not export"),
        "alice asks for bob's thread": (_link(Grant("alice", Scope("bob"), "JSONL", thread_id=served.theirs)),
                                        "alice", "may not export"),
    }
    for case, (path, user, message) in refused.items():
        reply = _get(served.base, path, user)
        assert reply.status == 403 and message in reply.text, (case, reply.status, reply.text)
        assert WORD not in reply.text, case

    everyone = _get(served.base, _link(Grant("carol", Scope("carol", True), "JSONL")), "carol")
    assert {json.loads(line)["user_id"] for line in everyone.text.splitlines()} == {"alice", "bob"}
    bobs = _get(served.base, _link(Grant("carol", Scope("bob"), "JSONL")), "carol")
    assert [json.loads(line)["id"] for line in bobs.text.splitlines()] == [served.theirs]
    one = _get(served.base, _link(Grant("carol", Scope("bob"), "Markdown", thread_id=served.theirs)), "carol")
    assert one.status == 200 and f"bob's private question {WORD}" in one.text


# --- 10,000 conversations --------------------------------------------------------------------
TEN_THOUSAND = 10_000
PAD = 8_000


class _Uvicorn:
    """The export route alone, served by uvicorn on a thread of this process."""

    def __init__(self) -> None:
        import uvicorn
        from starlette.applications import Starlette
        from starlette.routing import Route

        self.port = free_port()
        app = Starlette(routes=[Route(download.url_path(), download.serve)])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture
def own_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[ConversationStore]:
    """The app's store (as the route opens it) on its own table of the session engine, with the test's link key."""
    monkeypatch.setenv("CLICKHOUSE_AGENT_CONVERSATIONS_TABLE", f"chm_test.export_{uuid.uuid4().hex[:10]}")
    monkeypatch.setenv("CHM_EXPORT_SECRET", KEY)
    st.cache_resource.clear()
    yield open_store(load_settings())
    st.cache_resource.clear()


BULK_SEED = """INSERT INTO {db:Identifier}.{table:Identifier} (user_id, kind, thread_id, title, metadata, created_at,
    updated_at, version)
SELECT 'bulk', 'thread', toString(generateUUIDv4(number)), concat('bulk ', leftPad(toString(number), 5, '0')),
    concat('{"n": ', toString(number), ', "pad": "', repeat('x', {pad:UInt32}), '"}'),
    now64(3) - toIntervalMillisecond(number), now64(3) - toIntervalMillisecond(number), 1
FROM numbers({count:UInt32})"""


@pytest.fixture
def bulk_store(own_store: ConversationStore) -> str:
    """10,000 conversations of one user (~8 KB each), written in one statement and merged; returns the user."""
    last = TEN_THOUSAND - 1  # one through the API (which creates the table), the rest in one statement
    own_store.create_thread("bulk", title=f"bulk {last:05d}", metadata={"n": last, "pad": "x" * PAD})
    params = {"db": own_store.database, "table": own_store.table}
    own_store.conn.command(BULK_SEED, {**params, "pad": PAD, "count": last})
    own_store.conn.command(sqlfiles.load("bench/optimize"), params)  # the steady state of a table written over time
    return "bulk"


def test_a_store_failure_midway_breaks_the_download(own_store: ConversationStore) -> None:
    for n in range(300):
        own_store.create_thread("midway", title=f"midway {n}", metadata={"pad": "x" * PAD})
    with _Uvicorn() as base:
        where = urlparse(base)
        conn = http.client.HTTPConnection(where.hostname, where.port, timeout=300)
        conn.request("GET", _link(Grant("midway", Scope("midway"), "JSON")))
        response = conn.getresponse()
        assert response.status == 200 and response.read1(1 << 16).startswith(b"[")
        own_store.conn.command("DROP TABLE {db:Identifier}.{table:Identifier}",
                               {"db": own_store.database, "table": own_store.table})
        with pytest.raises(http.client.IncompleteRead):  # no clean end: the browser marks the download failed
            while response.read1(1 << 16):
                pass
        conn.close()


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_ten_thousand_conversations_stream_in_bounded_memory(bulk_store: str) -> None:
    with _Uvicorn() as base:
        warm = _get(base, _link(Grant(bulk_store, Scope(bulk_store), "JSONL", Filters(text="bulk 00001"))), None)
        assert warm.status == 200 and len(warm.text.splitlines()) == 1  # imports and caches are in place

        where = urlparse(base)
        conn = http.client.HTTPConnection(where.hostname, where.port, timeout=1200)
        tracemalloc.start()
        try:
            asked = time.monotonic()
            conn.request("GET", _link(Grant(bulk_store, Scope(bulk_store), "JSONL")))
            response = conn.getresponse()
            assert response.status == 200
            seen = bytearray(TEN_THOUSAND)
            size = pieces = 0
            first = 0.0
            tail = b""
            while piece := response.read1(1 << 16):
                first = first or time.monotonic()
                size += len(piece)
                pieces += 1
                *lines, tail = (tail + piece).split(b"\n")
                for line in lines:
                    record = json.loads(line)
                    assert record["user_id"] == bulk_store and len(record["metadata"]["pad"]) == PAD
                    seen[record["metadata"]["n"]] += 1
            done = time.monotonic()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            conn.close()
    assert tail == b"" and seen == bytearray([1]) * TEN_THOUSAND  # each conversation exactly once
    report = {"conversations": TEN_THOUSAND, "export_mb": round(size / 2**20, 1), "pieces": pieces,
              "first_byte_s": round(first - asked, 2), "total_s": round(done - asked, 1),
              "python_peak_mb": round(peak / 2**20, 2)}
    print(json.dumps(report))
    assert size > TEN_THOUSAND * PAD
    # Bounded: the route (and this client) never held more than a sliver of the ~80 MB it sent.
    assert peak < size / 20, report
    assert first - asked < (done - asked) / 5, report
