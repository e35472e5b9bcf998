"""The `local` conversation store: chat history kept in the browser's localStorage by a tiny Streamlit component.

It survives a reload on the same browser and disappears when the user clears site data. It is what the chat page
uses when server persistence is off, and always for sessions that are not signed in.

    history = load_local_history("chat")          # None until the browser has answered (first run of the page)
    if history is None:
        st.stop()                                  # the component reruns the script as soon as it answers
    ...
    save_local_history("chat", messages)           # list of JSON-ready dicts, e.g. Message.to_dict()

Messages are stored as JSON under `chmonitor:history:<key>`; `save_local_history` writes nothing before
`load_local_history` has answered for that key in this session, so an early save can never wipe stored history.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from core.errors import ValidationError

COMPONENT_DIR = Path(__file__).resolve().parent / "local_component"
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_LOADED = "_chm_local_history_loaded"


@cache
def _component() -> Any:
    import streamlit.components.v1 as components

    return components.declare_component("chm_local_history", path=str(COMPONENT_DIR))


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValidationError("local history key must be 1-128 letters, digits or `_.:-`")
    return key


def load_local_history(key: str) -> list[dict[str, Any]] | None:
    """The messages stored in this browser under `key` ([] when none), or None until the browser has answered."""
    import streamlit as st

    _check_key(key)
    value = _component()(op="load", storage_key=key, key=f"chm-local-load-{key}", default=None)
    if not isinstance(value, dict) or value.get("op") != "load":
        return None
    st.session_state.setdefault(_LOADED, set()).add(key)
    messages = value.get("messages")
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def save_local_history(key: str, messages: list[dict[str, Any]]) -> str | None:
    """Store `messages` in this browser under `key`; returns the browser's error (e.g. quota exceeded) or None.

    Does nothing until `load_local_history(key)` has answered in this session.
    """
    import streamlit as st

    _check_key(key)
    if key not in st.session_state.get(_LOADED, set()):
        return None
    try:
        data = json.dumps(messages, ensure_ascii=False, allow_nan=False, default=str)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"local history must be JSON-serialisable: {exc}") from exc
    value = _component()(op="save", storage_key=key, data=data, key=f"chm-local-save-{key}", default=None)
    return value.get("error") if isinstance(value, dict) else None
