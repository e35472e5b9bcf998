"""Sign-in gate drawn before any page: Streamlit OIDC (`st.login`) when configured, else an optional shared password.

A trusted proxy header (`CHM_TRUSTED_USER_HEADER`) needs no gate here: the proxy authenticates, and
`context.current_user()` reads the header.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

import streamlit as st

from config import Settings


def oidc_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an `[auth]` section (Streamlit's OIDC sign-in)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises instead of returning empty
        return False


def oidc_identity(claims: Mapping[str, Any]) -> str | None:
    """The user id of an OIDC sign-in: the email when the provider verified it (`email_verified` true), else the
    subject; never an unverified email, which anyone can put on an account at some providers."""
    email = claims.get("email")
    verified = claims.get("email_verified")
    if email and (verified is True or str(verified).lower() == "true"):  # some providers send the string "true"
        return str(email)
    subject = claims.get("sub")
    return str(subject) if subject else None


def password_matches(given: str, expected: str) -> bool:
    """Constant-time comparison of the shared password."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def gate(settings: Settings) -> bool:
    """Return True when this session may see the app; otherwise draw the sign-in form and return False."""
    if oidc_configured():
        if not st.user.is_logged_in:
            st.title("chmonitor")
            st.info("Sign in to continue.")
            st.button("Sign in", on_click=st.login, key="sign_in")
            return False
        with st.sidebar:
            st.caption(f"Signed in as {oidc_identity(st.user) or 'user'}")
            st.button("Sign out", on_click=st.logout, key="sign_out")
    expected = settings.app.shared_password.get_secret_value() if settings.app.shared_password else ""
    if expected and not st.session_state.get("shared_password_ok"):
        st.title("chmonitor")
        with st.form("shared_password"):
            given = st.text_input("Password", type="password", key="shared_password_input")
            submitted = st.form_submit_button("Open")
        if submitted:
            if password_matches(given, expected):
                st.session_state["shared_password_ok"] = True
                st.session_state.pop("shared_password_input", None)
                st.rerun()
            st.error("Wrong password.")
        return False
    return True
