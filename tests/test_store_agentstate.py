"""The AgentState store over its v2 REST API, against a local server speaking the documented endpoints.

The contract suite (tests/test_store_contract.py) runs on this backend too; these tests cover the workarounds the
store needs on top of the API and its error handling.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from chstore import ConfigError, Message, StorageError, ValidationError, open_store
from chstore.agentstate import EMPTY_PLACEHOLDER, AgentStateClient, AgentStateStore, external_id
from config import load_settings
from tests.agentstate_server import AgentStateServer, agentstate_server, agentstate_store, new_key


@pytest.fixture
def server(request: pytest.FixtureRequest) -> AgentStateServer:
    return agentstate_server(request)


@pytest.fixture
def store(request: pytest.FixtureRequest) -> AgentStateStore:
    return agentstate_store(request)


def raw(server: AgentStateServer, key: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{server.base}/v2/{path}", method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            data = response.read()
            return response.status, json.loads(data) if data else {}
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def conversations(server: AgentStateServer, store: AgentStateStore) -> list[dict]:
    return list(server.projects[store.client._key].values())


def test_stand_in_speaks_the_documented_shapes(server: AgentStateServer) -> None:
    key = server.add_project()
    status, conv = raw(server, key, "POST", "conversations", {"external_id": "e1", "title": "t", "metadata": {"a": 1}})
    assert status == 201 and len(conv["id"]) == 21 and conv["metadata"] == {"a": 1} and "messages" not in conv
    assert raw(server, key, "POST", "conversations", {"external_id": "e1"})[0] == 409
    status, body = raw(server, key, "POST", f"conversations/{conv['id']}/messages",
                       {"messages": [{"role": "user", "content": ""}]})
    assert status == 400 and body["error"]["code"] == "BAD_REQUEST"
    assert raw(server, key, "POST", f"conversations/{conv['id']}/messages",
               {"messages": [{"role": "user", "content": "hi"}]})[0] == 204
    status, listed = raw(server, key, "GET", "conversations?limit=10")
    assert status == 200 and listed["pagination"] == {"limit": 10, "next_cursor": None, "total": 1}
    assert listed["data"][0]["message_count"] == 1
    status, body = raw(server, "as_live_" + "x" * 40, "GET", "conversations")
    assert status == 401 and body == {"error": {"code": "UNAUTHORIZED", "message": "Invalid API key"}}


def test_a_wrong_key_is_a_storage_error_that_does_not_leak_the_key(server: AgentStateServer) -> None:
    key = new_key()
    store = AgentStateStore(AgentStateClient(key, api_base=server.base))
    with pytest.raises(StorageError, match="HTTP 401.*Invalid API key.*AGENTSTATE_API_KEY") as info:
        store.list_threads("alice")
    assert key not in str(info.value) and key[8:] not in str(info.value)


def test_an_unreachable_server_is_a_storage_error() -> None:
    store = AgentStateStore(AgentStateClient(new_key(), api_base="http://127.0.0.1:1/api", timeout=2))
    with pytest.raises(StorageError, match="unreachable at http://127.0.0.1:1/api"):
        store.create_thread("alice")


def test_open_store_opens_agentstate_from_settings(server: AgentStateServer) -> None:
    key = server.add_project()
    settings = load_settings(agent_conversation_persistence=True, agent_conversation_store="agentstate",
                             agentstate_api_key=key, agentstate_api_base=server.base)
    store = open_store(settings)
    assert isinstance(store, AgentStateStore) and store.kind == "agentstate"
    tid = store.create_thread("alice", title="via settings")
    assert store.list_threads("alice")[0].id == tid
    with pytest.raises(ConfigError, match="as_live_"):
        open_store(load_settings(agent_conversation_persistence=True, agent_conversation_store="agentstate"))


def test_our_ids_times_and_empty_or_nul_content_live_in_metadata(server: AgentStateServer, store: AgentStateStore) -> None:
    tid = store.create_thread("alice")
    message = Message(role="tool", content="", name="q\x00", metadata={"k\x00": "v\x00"})
    store.append("alice", tid, [message, Message(role="assistant", content="a\x00b")])
    (conv,) = conversations(server, store)
    assert conv["external_id"] == external_id("t", "alice", tid) and "alice" not in conv["external_id"]
    first, second = conv["messages"]
    assert first["content"] == EMPTY_PLACEHOLDER and json.loads(first["metadata"])["chm_empty"] is True
    assert "\x00" not in second["content"] and "\x00" not in first["metadata"]
    thread = store.get_thread("alice", tid)
    assert thread is not None and thread.messages[0] == message and thread.messages[1].content == "a\x00b"


def test_a_retry_that_reached_the_server_twice_reads_once(server: AgentStateServer, store: AgentStateStore) -> None:
    tid = store.create_thread("alice")
    message = Message(role="user", content="hello")
    store.append("alice", tid, [message])
    (conv,) = conversations(server, store)
    duplicate = {"role": "user", "content": "hello", "metadata": json.loads(conv["messages"][0]["metadata"])}
    assert raw(server, store.client._key, "POST", f"conversations/{conv['id']}/messages", {"messages": [duplicate]})[0] == 204
    thread = store.get_thread("alice", tid)
    assert thread is not None and thread.messages == [message]
    assert store.append("alice", tid, [message]) == 0


def test_delete_keeps_a_tombstone_so_the_id_is_never_reused(server: AgentStateServer, store: AgentStateStore) -> None:
    tid = store.create_thread("alice", thread_id="fixed-id")
    store.append("alice", tid, [Message(role="user", content="secret")])
    assert store.delete_thread("alice", tid) is True
    (tomb,) = conversations(server, store)
    assert tomb["external_id"] == external_id("x", "alice", tid) and tomb["messages"] == []
    with pytest.raises(ValidationError, match="deleted"):
        store.create_thread("alice", thread_id="fixed-id")
    assert store.get_thread("alice", tid) is None and store.list_users() == []
    assert store.create_thread("bob", thread_id="fixed-id") == "fixed-id"  # the same id of another user is another thread
    assert store.list_users() == ["bob"]


def test_other_clients_conversations_in_the_project_are_ignored(server: AgentStateServer, store: AgentStateStore) -> None:
    raw(server, store.client._key, "POST", "conversations",
        {"title": "someone else's", "messages": [{"role": "user", "content": "hello"}]})
    tid = store.create_thread("alice", title="mine")
    assert [s.id for s in store.list_threads("alice")] == [tid]
    assert store.search_threads("alice", "hello") == []
    assert store.list_users() == ["alice"]


def test_listing_walks_every_page_even_when_many_rows_share_a_millisecond(store: AgentStateStore) -> None:
    ids = [store.create_thread("alice", title=f"t{i}") for i in range(230)]
    listed = store.list_threads("alice", limit=1000)
    assert sorted(s.id for s in listed) == sorted(ids)
    assert [s.id for s in listed] == ids[::-1]
    assert store.delete_all("alice") == 230 and store.list_threads("alice") == []
