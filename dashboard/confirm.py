"""The one confirm-delete widget: a "Delete…" button that asks once more before anything is deleted."""

from __future__ import annotations

import streamlit as st


def _pending(prefix: str) -> str:
    return f"{prefix}_confirm_delete"


def confirm_delete(prefix: str, target: str, question: str) -> bool:
    """True on the run in which "Yes, delete" was clicked for `target`; the caller then deletes it.

    Until then it shows "Delete…", and after that click `question` with "Yes, delete" and "Cancel". The pending
    question belongs to `target` (kept in session state), so it never carries over to another item. Widget keys are
    `<prefix>_delete`, `<prefix>_delete_yes` and `<prefix>_delete_no`.
    """
    if st.session_state.get(_pending(prefix)) != target:
        if st.button("Delete…", key=f"{prefix}_delete"):
            st.session_state[_pending(prefix)] = target
            st.rerun()
        return False
    st.warning(question)
    yes, no = st.columns(2)
    if no.button("Cancel", key=f"{prefix}_delete_no"):
        forget_delete(prefix)
        st.rerun()
    return yes.button("Yes, delete", key=f"{prefix}_delete_yes", type="primary")


def forget_delete(prefix: str) -> None:
    """Drop a pending delete question (the user moved to another item)."""
    st.session_state.pop(_pending(prefix), None)
