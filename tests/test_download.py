"""Export links: signing, expiry and the scope check, as pure functions (the served route is tests/test_export_stream.py)."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from config import load_settings
from core.errors import ConfigError
from history import download
from history.download import Grant, LinkRefused, authorize, read, sign
from history.queries import ALL_USERS, Filters, Scope

KEY = b"k" * 32
STRONG = "Zq3u9-wR1xPLv0c8HfT2kYb6NnE4sJdA7gMi5oUe_Xy1Wc3Vt"
NOW = 1_800_000_000.0


def _token(grant: Grant, now: float = NOW, key: bytes = KEY) -> str:
    return download.link(grant, key, now).split("token=", 1)[1]


def test_a_link_carries_its_grant_and_lasts_link_ttl() -> None:
    filters = Filters(start=datetime(2026, 1, 2, tzinfo=UTC), end=datetime(2026, 2, 3, tzinfo=UTC),
                      text="naïve ‘quotes’ & ünïcode", tool="merges", has_errors=True, model="gpt-4o")
    grant = Grant("o'neil", Scope("o'neil"), "Markdown", filters)
    url = download.link(grant, KEY, NOW)
    assert url.startswith("/export?token=")
    back = read(url.split("token=", 1)[1], KEY, NOW + download.LINK_TTL - 1)
    assert back == Grant("o'neil", Scope("o'neil"), "Markdown", filters, "", int(NOW) + download.LINK_TTL)
    one = read(_token(Grant("a", Scope("b"), "JSON", thread_id="t-1")), KEY, NOW)
    assert one.thread_id == "t-1" and one.scope == Scope("b") and one.filters == Filters()


def test_expired_links_are_refused_with_the_time() -> None:
    token = _token(Grant("alice", Scope("alice"), "JSONL"))
    with pytest.raises(LinkRefused, match="expired at 2027-01-15 08:10:00 UTC"):
        read(token, KEY, NOW + download.LINK_TTL)


@pytest.mark.parametrize("forge", [
    lambda t: "",
    lambda t: "garbage",
    lambda t: t.split(".")[0],
    lambda t: t.split(".")[0] + ".",
    lambda t: t + "x",
    lambda t: t.replace(".", ".A", 1),
    lambda t: "é" + t,
])
def test_altered_tokens_are_refused(forge) -> None:  # noqa: ANN001
    with pytest.raises(LinkRefused, match="not valid"):
        read(forge(_token(Grant("alice", Scope("alice"), "JSONL"))), KEY, NOW)


def test_a_payload_edited_to_another_user_or_signed_elsewhere_is_refused() -> None:
    token = _token(Grant("alice", Scope("alice"), "JSONL"))
    payload, _, mac = token.rpartition(".")
    serializer = download._serializer(KEY)
    body = serializer.load_payload(payload.encode())
    assert body["viewer"] == "alice"
    body.update(viewer="bob", user="bob", all=True, exp=body["exp"] + 10**6)
    edited = serializer.dump_payload(body).decode()
    with pytest.raises(LinkRefused, match="not valid"):
        read(f"{edited}.{mac}", KEY, NOW)
    with pytest.raises(LinkRefused, match="not valid"):
        read(_token(Grant("alice", Scope("alice"), "JSONL"), key=b"another server's key"), KEY, NOW)
    with pytest.raises(LinkRefused, match="unknown format"):
        read(_token(Grant("alice", Scope("alice"), "XML")), KEY, NOW)


def test_only_admins_may_use_other_users_or_every_users_scope() -> None:
    admins = {"carol"}
    authorize(Grant("alice", Scope("alice"), "JSONL"), admins)
    for refused in (Grant("alice", Scope("bob"), "JSONL"), Grant("alice", Scope("alice", all_users=True), "JSONL"),
                    Grant("alice", Scope("bob"), "JSONL", thread_id="t-1"),
                    Grant("alice", Scope(ALL_USERS), "JSONL")):
        with pytest.raises(LinkRefused, match="may not export"):
            authorize(refused, admins)
    for allowed in (Grant("carol", Scope("bob"), "JSON"), Grant("carol", Scope("carol", all_users=True), "JSON"),
                    Grant("carol", Scope("alice"), "JSON", thread_id="t-1")):
        authorize(allowed, admins)
    with pytest.raises(LinkRefused, match="may not export"):  # an admin's "all users" is always their own scope row
        authorize(Grant("carol", Scope("bob", all_users=True), "JSON"), admins)
    with pytest.raises(LinkRefused, match="may not export"):  # no longer an admin: the link stops working
        authorize(Grant("carol", Scope("bob"), "JSON"), set())


def test_behind_a_proxy_the_link_works_only_for_its_viewer() -> None:
    grant = Grant("alice", Scope("alice"), "JSONL")
    authorize(grant, set(), proxy_user="alice")
    for other in ("bob", "", "Alice"):
        with pytest.raises(LinkRefused, match="another user"):
            authorize(grant, set(), proxy_user=other)


def test_the_key_is_the_setting_or_one_random_key_per_process() -> None:
    assert download.signing_key(load_settings(chm_export_secret=SecretStr(STRONG))) == STRONG.encode()
    random_key = download.signing_key(load_settings())
    assert len(random_key) == 32 and random_key == download.signing_key(load_settings())
    assert sign(Grant("a", Scope("a"), "JSON"), random_key) != sign(Grant("a", Scope("a"), "JSON"), STRONG.encode())


@pytest.mark.parametrize("weak", ["s3cret", "x" * 64, "ab" * 40, secrets.token_hex(16), secrets.token_urlsafe(16),
                                  " " * 40])
def test_a_short_or_patterned_export_secret_stops_start_up(weak: str) -> None:
    with pytest.raises(ConfigError, match=r"CHM_EXPORT_SECRET: .*at least 32 random bytes") as refused:
        load_settings(chm_export_secret=SecretStr(weak))
    assert weak.strip() == "" or weak not in str(refused.value)


@pytest.mark.parametrize("strong", [secrets.token_hex(32), secrets.token_urlsafe(32),
                                    base64.b64encode(secrets.token_bytes(48)).decode(),
                                    "a long passphrase, with many different characters: 12345!"])
def test_32_random_bytes_in_hex_base64_or_text_are_accepted(strong: str) -> None:
    assert load_settings(chm_export_secret=SecretStr(strong)).app.export_secret.get_secret_value() == strong


def test_the_route_follows_the_base_url_path() -> None:
    assert download.url_path() == "/export"
    assert download.url_path("/chm/") == "/chm/export"
    assert download.link(Grant("a", Scope("a"), "JSON"), KEY, NOW, "tools/chm").startswith("/tools/chm/export?token=")
