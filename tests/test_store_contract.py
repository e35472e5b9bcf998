"""The contract every conversation store passes, run against each backend on real engines."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

import pytest

from chstore import Message, NotFoundError, ThreadSummary, ValidationError
from chstore.clickhouse import ClickHouseStore
from chstore.memory import MemoryStore
from chstore.model import BaseStore, ConversationStore, current_limits

# name → factory(request) returning a fresh, empty store. Other backends register here too.
BACKENDS: dict[str, Callable[[pytest.FixtureRequest], ConversationStore]] = {
    "memory": lambda request: MemoryStore(),
    "clickhouse": lambda request: ClickHouseStore(
        request.getfixturevalue("conn"), request.getfixturevalue("table_name"), auto_create=True
    ),
    "clickhouse-http": lambda request: ClickHouseStore(
        request.getfixturevalue("http_conn"), request.getfixturevalue("table_name").replace("chm_test.", "default."),
        auto_create=True,
    ),
}


def _postgres(request: pytest.FixtureRequest) -> ConversationStore:
    from tests.pg import postgres_store  # started on demand; skipped with a reason when unavailable

    return postgres_store(request)


try:
    import tests.pg  # noqa: F401

    BACKENDS["postgres"] = _postgres
except ImportError:
    pass


def _d1(request: pytest.FixtureRequest) -> ConversationStore:
    from tests.d1_server import d1_store  # a local server speaking D1's HTTP query API over sqlite3

    return d1_store(request)


BACKENDS["d1"] = _d1


def _agentstate(request: pytest.FixtureRequest) -> ConversationStore:
    from tests.agentstate_server import agentstate_store  # a local server speaking AgentState's documented v2 API

    return agentstate_store(request)


BACKENDS["agentstate"] = _agentstate


@pytest.fixture(params=list(BACKENDS))
def store(request: pytest.FixtureRequest) -> Iterator[ConversationStore]:
    """A fresh store of each backend."""
    instance = BACKENDS[request.param](request)
    yield instance
    instance.close()


def user() -> str:
    return f"user-{uuid.uuid4().hex[:8]}"


def turn(question: str, answer: str) -> list[Message]:
    return [Message(role="user", content=question), Message(role="assistant", content=answer, name="builtin")]


def test_create_append_get_round_trip(store: ConversationStore) -> None:
    alice = user()
    tid = store.create_thread(alice)
    assert isinstance(tid, str) and tid
    messages = [
        Message(role="user", content="what is running now?"),
        Message(role="tool", content='{"rows": 3}', name="running_queries", metadata={"sql": "SELECT 1", "ms": 4}),
        Message(role="assistant", content="3 queries are running.", metadata={"tokens": {"prompt": 10}}),
    ]
    assert store.append(alice, tid, messages) == 3
    thread = store.get_thread(alice, tid)
    assert thread is not None
    assert [m.role for m in thread.messages] == ["user", "tool", "assistant"]
    assert [m.content for m in thread.messages] == [m.content for m in messages]
    assert [m.id for m in thread.messages] == [m.id for m in messages]
    assert thread.messages[1].name == "running_queries"
    assert thread.messages[1].metadata == {"sql": "SELECT 1", "ms": 4}
    assert thread.title == "what is running now?"
    assert thread.created_at <= thread.updated_at


def test_append_is_idempotent(store: ConversationStore) -> None:
    alice = user()
    tid = store.create_thread(alice)
    messages = turn("q1", "a1")
    assert store.append(alice, tid, messages) == 2
    assert store.append(alice, tid, messages) == 0
    assert store.append(alice, tid, [messages[0], messages[0]]) == 0
    thread = store.get_thread(alice, tid)
    assert thread is not None and len(thread.messages) == 2
    assert store.list_threads(alice)[0].message_count == 2


def test_same_text_twice_is_two_messages(store: ConversationStore) -> None:
    alice = user()
    tid = store.create_thread(alice)
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    store.append(alice, tid, [Message(role="user", content="yes", created_at=t0)])
    store.append(alice, tid, [Message(role="user", content="yes", created_at=t0 + timedelta(seconds=1))])
    thread = store.get_thread(alice, tid)
    assert thread is not None and [m.content for m in thread.messages] == ["yes", "yes"]


def test_order_is_append_order_across_turns(store: ConversationStore) -> None:
    alice = user()
    tid = store.create_thread(alice)
    for i in range(5):
        store.append(alice, tid, turn(f"question {i}", f"answer {i}"))
    thread = store.get_thread(alice, tid)
    assert thread is not None
    assert [m.content for m in thread.messages] == [x for i in range(5) for x in (f"question {i}", f"answer {i}")]
    assert thread.title == "question 0"


def test_explicit_title_and_metadata_kept(store: ConversationStore) -> None:
    alice = user()
    tid = store.create_thread(alice, title="Disk check", metadata={"source": "test"})
    store.append(alice, tid, turn("how much disk is free?", "40%"))
    thread = store.get_thread(alice, tid)
    assert thread is not None and thread.title == "Disk check"
    assert thread.metadata == {"source": "test"}


def test_list_newest_first_with_keyset_cursor(store: ConversationStore) -> None:
    alice = user()
    ids = []
    for i in range(7):
        tid = store.create_thread(alice, title=f"t{i}")
        store.append(alice, tid, turn(f"q{i}", f"a{i}"))
        ids.append(tid)
    first = store.list_threads(alice, limit=3)
    assert [s.id for s in first] == ids[::-1][:3]
    second = store.list_threads(alice, limit=3, before=first[-1])
    third = store.list_threads(alice, limit=3, before=second[-1].cursor)
    assert [s.id for s in second] == ids[::-1][3:6]
    assert [s.id for s in third] == ids[::-1][6:]
    assert all(s.message_count == 2 for s in first + second + third)
    assert first[0].title == "t6"


def test_updating_moves_thread_to_top(store: ConversationStore) -> None:
    alice = user()
    old = store.create_thread(alice)
    store.create_thread(alice)
    store.append(alice, old, turn("again", "yes"))
    assert store.list_threads(alice, limit=1)[0].id == old


def test_search_title_and_content_case_insensitive(store: ConversationStore) -> None:
    alice = user()
    a = store.create_thread(alice, title="Merges on hits")
    b = store.create_thread(alice)
    store.append(alice, b, turn("show replication lag", "Replica lag is 0 seconds, Größe ok"))
    store.create_thread(alice, title="unrelated")
    assert [s.id for s in store.search_threads(alice, "MERGES")] == [a]
    assert [s.id for s in store.search_threads(alice, "replica lag")] == [b]
    assert [s.id for s in store.search_threads(alice, "größe")] == [b]
    assert store.search_threads(alice, "nothing-like-this") == []


def test_rename(store: ConversationStore) -> None:
    alice = user()
    tid = store.create_thread(alice)
    store.append(alice, tid, turn("q", "a"))
    store.rename_thread(alice, tid, "new title")
    thread = store.get_thread(alice, tid)
    assert thread is not None and thread.title == "new title" and len(thread.messages) == 2
    with pytest.raises(NotFoundError):
        store.rename_thread(alice, str(uuid.uuid4()), "x")
    with pytest.raises(ValidationError):
        store.rename_thread(alice, tid, None)  # type: ignore[arg-type]
    assert store.get_thread(alice, tid).title == "new title"


def test_delete_is_immediate_and_final(store: ConversationStore) -> None:
    alice = user()
    tid = store.create_thread(alice)
    store.append(alice, tid, turn("secret words", "a"))
    keep = store.create_thread(alice)
    assert store.delete_thread(alice, tid) is True
    assert store.get_thread(alice, tid) is None
    assert [s.id for s in store.list_threads(alice)] == [keep]
    assert store.search_threads(alice, "secret") == []
    assert store.delete_thread(alice, tid) is False
    with pytest.raises(NotFoundError):
        store.append(alice, tid, turn("back?", "no"))
    assert store.get_thread(alice, tid) is None
    with pytest.raises(NotFoundError):
        store.rename_thread(alice, tid, "resurrect")


def test_delete_all(store: ConversationStore) -> None:
    alice, bob = user(), user()
    for _ in range(3):
        store.append(alice, store.create_thread(alice), turn("q", "a"))
    bobs = store.create_thread(bob)
    assert store.delete_all(alice) == 3
    assert store.list_threads(alice) == []
    assert store.delete_all(alice) == 0
    assert [s.id for s in store.list_threads(bob)] == [bobs]


def test_users_are_isolated(store: ConversationStore) -> None:
    alice, bob = user(), user()
    tid = store.create_thread(alice, title="alice's")
    store.append(alice, tid, turn("private", "data"))
    assert store.get_thread(bob, tid) is None
    assert store.list_threads(bob) == []
    assert store.search_threads(bob, "private") == []
    with pytest.raises(NotFoundError):
        store.append(bob, tid, turn("inject", "x"))
    with pytest.raises(NotFoundError):
        store.rename_thread(bob, tid, "stolen")
    assert store.delete_thread(bob, tid) is False
    assert store.delete_all(bob) == 0
    thread = store.get_thread(alice, tid)
    assert thread is not None and thread.title == "alice's" and len(thread.messages) == 2


def test_unknown_thread_is_none(store: ConversationStore) -> None:
    assert store.get_thread(user(), str(uuid.uuid4())) is None
    with pytest.raises(NotFoundError):
        store.append(user(), str(uuid.uuid4()), turn("q", "a"))


@pytest.mark.parametrize(
    "content",
    [
        "",
        "plain",
        "NUL \x00 inside \x00",
        "emoji 😀🚀 and CJK 漢字 and RTL שלום and combining é",
        "quotes ' \" ` \\ and {braces:String} and $1 %s",
        "x" * (1024 * 1024 - 4) + "😀",
    ],
    ids=["empty", "plain", "nul", "unicode", "quoting", "1MiB-the-limit"],
)
def test_content_round_trips_exactly(store: ConversationStore, content: str) -> None:
    alice = user()
    tid = store.create_thread(alice)
    store.append(alice, tid, [Message(role="assistant", content=content, metadata={"k": content[:50]})])
    thread = store.get_thread(alice, tid)
    assert thread is not None
    assert thread.messages[0].content == content
    assert thread.messages[0].metadata == {"k": content[:50]}


def test_size_limits_refuse_oversized_content_titles_and_metadata(store: ConversationStore) -> None:
    limits = current_limits()
    alice = user()
    tid = store.create_thread(alice, title="t" * limits.title_bytes, metadata={"k": "v" * (limits.metadata_bytes - 8)})
    refused = {
        "content": lambda: store.append(alice, tid, [Message(role="user", content="x" * limits.message_bytes + "y")]),
        "multibyte content": lambda: store.append(
            alice, tid, [Message(role="user", content="é" * (limits.message_bytes // 2 + 1))]),
        "message metadata": lambda: store.append(
            alice, tid, [Message(role="tool", content="ok", metadata={"k": "v" * limits.metadata_bytes})]),
        "title": lambda: store.create_thread(alice, title="t" * (limits.title_bytes + 1)),
        "rename": lambda: store.rename_thread(alice, tid, "ü" * (limits.title_bytes // 2 + 1)),
        "thread metadata": lambda: store.create_thread(alice, metadata={"k": "v" * limits.metadata_bytes}),
    }
    for what, call in refused.items():
        with pytest.raises(ValidationError, match=r"bytes; the store accepts at most [\d,]+ \(CHM_STORE_MAX_"):
            call()
        assert [s.id for s in store.list_threads(alice)] == [tid], what
    thread = store.get_thread(alice, tid)
    assert thread is not None and thread.messages == [] and thread.title == "t" * limits.title_bytes
    assert len(thread.metadata["k"]) == limits.metadata_bytes - 8
    good = Message(role="user", content="x" * limits.message_bytes, metadata={"k": "v" * (limits.metadata_bytes - 8)})
    with pytest.raises(ValidationError, match="CHM_STORE_MAX_MESSAGE_BYTES"):  # one oversized message refuses the batch
        store.append(alice, tid, [good, Message(role="assistant", content="x" * limits.message_bytes + "!")])
    assert store.get_thread(alice, tid).messages == []  # type: ignore[union-attr]
    assert store.append(alice, tid, [good]) == 1


def test_unicode_user_ids_and_titles(store: ConversationStore) -> None:
    who = "Zoë 😀 o'brien"
    tid = store.create_thread(who, title="Überblick «test»")
    assert store.list_threads(who)[0].title == "Überblick «test»"
    assert store.get_thread(who, tid) is not None


def test_explicit_thread_ids(store: ConversationStore) -> None:
    alice, bob = user(), user()
    assert store.create_thread(alice, title="first", thread_id="fixed-id") == "fixed-id"
    assert store.create_thread(alice, title="second", thread_id="fixed-id") == "fixed-id"  # kept, not replaced
    assert [(s.id, s.title) for s in store.list_threads(alice)] == [("fixed-id", "first")]
    assert store.create_thread(bob, thread_id="fixed-id") == "fixed-id"  # another user's id is another thread
    assert store.delete_thread(alice, "fixed-id")
    with pytest.raises(ValidationError):
        store.create_thread(alice, thread_id="fixed-id")  # deletion wins: a deleted id is not brought back
    assert store.get_thread(alice, "fixed-id") is None and store.get_thread(bob, "fixed-id") is not None


def test_validation(store: ConversationStore) -> None:
    with pytest.raises(ValidationError):
        store.create_thread("")
    with pytest.raises(ValidationError):
        store.create_thread("   ")
    with pytest.raises(ValidationError):
        store.create_thread("alice", metadata={"bad": object()})  # type: ignore[dict-item]
    with pytest.raises(ValidationError):
        store.create_thread("alice", metadata=["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        store.create_thread("alice", title=42)  # type: ignore[arg-type]
    tid = store.create_thread("alice-v")
    with pytest.raises(ValidationError):
        store.append("alice-v", tid, [{"role": "user", "content": "dict"}])  # type: ignore[list-item]
    with pytest.raises(ValidationError):
        store.list_threads("alice-v", limit=0)
    with pytest.raises(ValidationError):
        store.get_thread("", tid)


def test_message_validation() -> None:
    with pytest.raises(ValidationError):
        Message(role="robot", content="x")
    with pytest.raises(ValidationError):
        Message(role="user", content="x", metadata={"n": float("nan")})
    with pytest.raises(ValidationError):
        Message(role="user", content=b"bytes")  # type: ignore[arg-type]
    a = Message(role="user", content="same", created_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    b = Message(role="user", content="same", created_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert a.id == b.id and len(a.id) == 32
    assert Message.from_dict(a.to_dict()) == a


def test_concurrent_writers_store_each_message_once(store: ConversationStore) -> None:
    alice = user()
    shared = store.create_thread(alice)
    own = [store.create_thread(alice) for _ in range(4)]
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                store.append(alice, shared, [Message(role="user", content=f"w{n}-{i}")])
                store.append(alice, own[n], [Message(role="user", content=f"w{n}-{i}")])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    contents = [m.content for m in store.get_thread(alice, shared).messages]  # type: ignore[union-attr]
    assert sorted(contents) == sorted(f"w{n}-{i}" for n in range(4) for i in range(10))
    for n in range(4):
        mine = [c for c in contents if c.startswith(f"w{n}-")]
        assert mine == [f"w{n}-{i}" for i in range(10)]
        assert [m.content for m in store.get_thread(alice, own[n]).messages] == mine  # type: ignore[union-attr]


def test_delete_racing_with_appends_stays_deleted(store: ConversationStore) -> None:
    alice = user()
    tid = store.create_thread(alice)
    stop = threading.Event()

    def appender() -> None:
        i = 0
        while not stop.is_set() and i < 200:
            try:
                store.append(alice, tid, [Message(role="user", content=f"m{i}")])
            except NotFoundError:
                return
            i += 1

    worker = threading.Thread(target=appender)
    worker.start()
    store.append(alice, tid, [Message(role="user", content="first")])
    assert store.delete_thread(alice, tid) is True
    stop.set()
    worker.join()
    assert store.get_thread(alice, tid) is None
    assert all(s.id != tid for s in store.list_threads(alice))


STORAGE = ("_create_thread", "_append", "_get_thread", "_get_threads", "_list_threads", "_search_threads",
           "_rename_thread", "_delete_thread", "_delete_all", "_list_users")
"""The storage methods a backend implements; every check runs before any of them is reached."""


def refused_calls(store: ConversationStore) -> dict[str, Callable[[], object]]:
    """Calls with one bad argument each, every public method covered; none may reach the backend's storage."""
    limits = current_limits()
    robot = Message(role="user", content="x")
    robot.role = "robot"  # a Message is mutable: the store checks again what it is handed
    raw = Message(role="user", content="x")
    raw.content = b"bytes"  # type: ignore[assignment]
    return {
        "empty user": lambda: store.create_thread(""),
        "blank user": lambda: store.create_thread("   "),
        "user not a string": lambda: store.create_thread(None),  # type: ignore[arg-type]
        "user too long": lambda: store.create_thread("u" * 257),
        "thread id too long": lambda: store.create_thread("alice", thread_id="t" * 129),
        "title not a string": lambda: store.create_thread("alice", title=42),  # type: ignore[arg-type]
        "title too big": lambda: store.create_thread("alice", title="t" * (limits.title_bytes + 1)),
        "metadata not an object": lambda: store.create_thread("alice", metadata=["x"]),  # type: ignore[arg-type]
        "metadata too big": lambda: store.create_thread("alice", metadata={"k": "v" * limits.metadata_bytes}),
        "append: empty user": lambda: store.append("", "t1", turn("q", "a")),
        "append: empty thread": lambda: store.append("alice", "", turn("q", "a")),
        "append: not messages": lambda: store.append("alice", "t1", [{"role": "user"}]),  # type: ignore[list-item]
        "append: unknown role": lambda: store.append("alice", "t1", [robot]),
        "append: content not a string": lambda: store.append("alice", "t1", [raw]),
        "append: content too big": lambda: store.append(
            "alice", "t1", [Message(role="user", content="x" * (limits.message_bytes + 1))]),
        "get: empty user": lambda: store.get_thread("", "t1"),
        "get: thread not a string": lambda: store.get_thread("alice", 7),  # type: ignore[arg-type]
        "get many: empty thread": lambda: store.get_threads("alice", ["t1", ""]),
        "list: limit 0": lambda: store.list_threads("alice", limit=0),
        "list: limit too big": lambda: store.list_threads("alice", limit=1001),
        "list: limit a bool": lambda: store.list_threads("alice", limit=True),
        "list: bad cursor": lambda: store.list_threads("alice", before="yesterday|t1"),
        "search: empty text": lambda: store.search_threads("alice", " "),
        "search: text not a string": lambda: store.search_threads("alice", None),  # type: ignore[arg-type]
        "search: empty user": lambda: store.search_threads("", "q"),
        "rename: no title": lambda: store.rename_thread("alice", "t1", None),  # type: ignore[arg-type]
        "rename: title too big": lambda: store.rename_thread("alice", "t1", "ü" * (limits.title_bytes // 2 + 1)),
        "delete: empty thread": lambda: store.delete_thread("alice", ""),
        "delete all: blank user": lambda: store.delete_all(" "),
    }


def test_every_backend_passes_through_the_one_validating_layer(store: ConversationStore) -> None:
    assert isinstance(store, BaseStore)
    reached: list[str] = []
    for name in STORAGE:
        setattr(store, name, lambda *args, name=name, **kwargs: reached.append(name))
    for what, call in refused_calls(store).items():
        with pytest.raises(ValidationError):
            call()
        assert reached == [], what


class Bare(BaseStore):
    """A backend that checks nothing itself: it records what reaches its storage and says every thread exists."""

    kind = "bare"

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def _create_thread(self, *args: object, **kwargs: object) -> bool:
        self.calls.append(("create", *args))
        return True

    def _append(self, *args: object) -> int:
        self.calls.append(("append", *args))
        return 0

    def _get_thread(self, *args: object) -> None:
        self.calls.append(("get", *args))

    def _list_threads(self, *args: object) -> list:
        self.calls.append(("list", *args))
        return []

    def _search_threads(self, *args: object) -> list:
        self.calls.append(("search", *args))
        return []

    def _rename_thread(self, *args: object) -> bool:
        self.calls.append(("rename", *args))
        return True

    def _delete_thread(self, *args: object) -> bool:
        self.calls.append(("delete", *args))
        return True

    def _delete_all(self, *args: object) -> int:
        self.calls.append(("delete_all", *args))
        return 0

    def _list_users(self) -> list[str]:
        return []


def test_a_backend_without_checks_of_its_own_still_refuses_bad_input() -> None:
    bare = Bare()
    for what, call in refused_calls(bare).items():
        with pytest.raises(ValidationError):
            call()
        assert bare.calls == [], what
    tid = bare.create_thread("alice", title=None, metadata={"k": (1, 2)})
    assert bare.calls == [("create", "alice", tid, "", {"k": [1, 2]})]  # checked, normalised arguments only
    bare.list_threads("alice", before=ThreadSummary("t9", "", datetime(2026, 1, 1), datetime(2026, 1, 1), 0))
    assert bare.calls[-1] == ("list", "alice", 50, (datetime(2026, 1, 1, tzinfo=timezone.utc), "t9"))


def test_the_layer_raises_the_contracts_errors_for_every_backend() -> None:
    class Gone(Bare):
        def _create_thread(self, *args: object, **kwargs: object) -> bool:
            return False

        def _append(self, *args: object) -> None:
            return None

        def _rename_thread(self, *args: object) -> bool:
            return False

    gone = Gone()
    with pytest.raises(ValidationError, match="^thread t1 was deleted and cannot be recreated$"):
        gone.create_thread("alice", thread_id="t1")
    with pytest.raises(NotFoundError, match=r"^thread t1 not found \(or deleted\)$"):
        gone.append("alice", "t1", turn("q", "a"))
    with pytest.raises(NotFoundError, match="^thread t1 not found$"):
        gone.rename_thread("alice", "t1", "title")
    assert gone.get_threads("alice", []) == [] and gone.calls == []
