"""Who an OIDC sign-in is: a verified email, else the provider's subject, never an unverified email."""

from __future__ import annotations

import pytest

from dashboard.auth import oidc_identity


@pytest.mark.parametrize(("claims", "expected"), [
    ({"email": "alice@example.com", "email_verified": True, "sub": "s-1"}, "alice@example.com"),
    ({"email": "alice@example.com", "email_verified": "true", "sub": "s-1"}, "alice@example.com"),
    ({"email": "alice@example.com", "email_verified": False, "sub": "s-1"}, "s-1"),
    ({"email": "alice@example.com", "email_verified": "false", "sub": "s-1"}, "s-1"),
    ({"email": "alice@example.com", "sub": "s-1"}, "s-1"),
    ({"email": "alice@example.com", "email_verified": 1, "sub": "s-1"}, "s-1"),
    ({"email": "", "email_verified": True, "sub": "s-2"}, "s-2"),
    ({"sub": "s-3", "name": "Alice"}, "s-3"),
    ({"email": "alice@example.com", "email_verified": False}, None),
    ({}, None),
])
def test_identity_is_a_verified_email_or_the_subject(claims: dict, expected: str | None) -> None:
    assert oidc_identity(claims) == expected


def test_an_unverified_email_never_becomes_another_users_id() -> None:
    victim = {"email": "bob@example.com", "email_verified": True, "sub": "bob-sub"}
    impostor = {"email": "bob@example.com", "email_verified": False, "sub": "mallory-sub"}
    assert oidc_identity(victim) != oidc_identity(impostor) == "mallory-sub"
