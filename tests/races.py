"""Races the store backends must survive, run the same way on each (the backend's test then checks its storage)."""

from __future__ import annotations

import threading

from chstore import ConversationStore, Message, NotFoundError


def append_racing_delete(store: ConversationStore, user: str, appends: int) -> None:
    """Start a thread, then delete it while another thread keeps appending to it; returns when both are done, with
    the thread gone from every read."""
    tid = store.create_thread(user)
    store.append(user, tid, [Message(role="user", content="start")])
    barrier = threading.Barrier(2)

    def append() -> None:
        barrier.wait()
        for i in range(appends):
            try:
                store.append(user, tid, [Message(role="user", content=f"m{i}")])
            except NotFoundError:
                return

    worker = threading.Thread(target=append)
    worker.start()
    barrier.wait()
    assert store.delete_thread(user, tid) is True
    worker.join()
    assert store.get_thread(user, tid) is None
