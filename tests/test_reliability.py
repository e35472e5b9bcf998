"""The store under concurrency and arbitrary input: each message stored once, deletes win, exact round trips."""

from __future__ import annotations

import threading
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chstore import Message, NotFoundError
from chstore.clickhouse import ClickHouseStore
from chstore.memory import MemoryStore
from chstore.model import ConversationStore, default_title
from core.connection import Connection

WRITERS = 8
TURNS = 200


@pytest.fixture(scope="module")
def ch_store(conn: Connection) -> ClickHouseStore:
    return ClickHouseStore(conn, f"chm_test.rel_{uuid.uuid4().hex[:8]}", auto_create=True)


def test_eight_writers_two_hundred_turns_each(ch_store: ClickHouseStore) -> None:
    """Writers 0-3 share one thread, writers 4-7 each have their own: every message once, in writer order."""
    user = "concurrency"
    shared = ch_store.create_thread(user)
    own = {n: ch_store.create_thread(user) for n in range(4, WRITERS)}
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        target = shared if n < 4 else own[n]
        try:
            for i in range(TURNS):
                ch_store.append(user, target, [
                    Message(role="user", content=f"w{n} q{i}"),
                    Message(role="assistant", content=f"w{n} a{i}"),
                ])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    expected = {n: [x for i in range(TURNS) for x in (f"w{n} q{i}", f"w{n} a{i}")] for n in range(WRITERS)}
    contents = [m.content for m in ch_store.get_thread(user, shared).messages]  # type: ignore[union-attr]
    assert len(contents) == len(set(contents)) == 4 * TURNS * 2
    for n in range(4):
        assert [c for c in contents if c.startswith(f"w{n} ")] == expected[n]
    for n in range(4, WRITERS):
        assert [m.content for m in ch_store.get_thread(user, own[n]).messages] == expected[n]  # type: ignore[union-attr]
    summaries = {s.id: s.message_count for s in ch_store.list_threads(user, limit=10)}
    assert all(summaries[own[n]] == TURNS * 2 for n in own)


def test_delete_racing_many_appenders_stays_deleted(ch_store: ClickHouseStore) -> None:
    user = "race"
    tid = ch_store.create_thread(user)
    ch_store.append(user, tid, [Message(role="user", content="start")])
    start = threading.Barrier(5)
    refused = []

    def appender(n: int) -> None:
        start.wait()
        for i in range(40):
            try:
                ch_store.append(user, tid, [Message(role="user", content=f"{n}-{i}")])
            except NotFoundError:
                refused.append(n)
                return

    workers = [threading.Thread(target=appender, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    start.wait()
    assert ch_store.delete_thread(user, tid)
    for worker in workers:
        worker.join()
    assert ch_store.get_thread(user, tid) is None
    assert tid not in {s.id for s in ch_store.list_threads(user)}
    assert ch_store.search_threads(user, "start") == []


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000)
ids = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=100).filter(str.strip)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=10,
)
messages = st.lists(
    st.builds(
        Message,
        role=st.sampled_from(["user", "assistant", "tool", "system"]),
        content=text,
        name=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
        metadata=st.dictionaries(text, json_values, max_size=4),
    ),
    min_size=1,
    max_size=5,
)


def _round_trip(store: ConversationStore, user: str, title: str, batch: list[Message]) -> None:
    tid = store.create_thread(user, title=title)
    assert store.append(user, tid, batch) == len({m.id for m in batch})
    assert store.append(user, tid, batch) == 0
    thread = store.get_thread(user, tid)
    assert thread is not None and thread.title == (title or default_title(batch))
    unique = list({m.id: m for m in batch}.values())
    assert [(m.id, m.role, m.name, m.content, m.metadata) for m in thread.messages] == [
        (m.id, m.role, m.name, m.content, m.metadata) for m in unique
    ]
    assert store.get_thread(user + "\x00other", tid) is None
    assert store.delete_thread(user, tid) and store.get_thread(user, tid) is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user=ids, title=text, batch=messages)
def test_property_round_trip_clickhouse(ch_store: ClickHouseStore, user: str, title: str, batch: list[Message]) -> None:
    _round_trip(ch_store, user[:200], title, batch)


@settings(max_examples=60, deadline=None)
@given(user=ids, title=text, batch=messages)
def test_property_round_trip_memory(user: str, title: str, batch: list[Message]) -> None:
    _round_trip(MemoryStore(), user[:200], title, batch)
