"""Fresh log rows on the embedded engine: its logs flush every few seconds, so a read of a log flushes them first."""

from __future__ import annotations

import threading
import time

from core.connection import Connection

FRESH_SECONDS = 5.0
"""At most one flush per this many seconds, however many panels and sessions read logs at once."""

_lock = threading.Lock()
_last_flush = {"at": float("-inf")}


def flush_before_read(conn: Connection, table: str | None) -> bool:
    """Flush the embedded engine's system logs before `table` (a `*_log`) is read; True when a flush ran.

    A server is never touched: its logs are its operator's business.
    """
    if not conn.embedded or not table or not table.endswith("_log"):
        return False
    with _lock:
        now = time.monotonic()
        if now - _last_flush["at"] < FRESH_SECONDS:
            return False
        _last_flush["at"] = now
    conn.flush_logs()
    return True
