"""Streamed export downloads: the page mints a signed link, a Starlette route checks it and streams the export.

Streamlit's download button hands the whole file to its in-memory media store, so the server would hold a 10,000
conversation export at once. Instead the Conversations page links to `/export?token=…` (mounted by `server.py`),
which sends the export chunk by chunk as the store yields conversations.

The token is the capability, signed by itsdangerous (HMAC-SHA256, a salt of its own): it carries who asked (`viewer`), whose conversations (the `Scope` the page
decided: the viewer's own, or for an admin another user's or everyone's), the filters or the one conversation, the
format and an expiry. Editing any of it breaks the signature; the route also re-checks that the scope is one the
viewer may use now (`CHM_ADMIN_USERS`) and, behind a proxy (`CHM_TRUSTED_USER_HEADER`), that the request comes from
the viewer.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import chain

import streamlit as st
from itsdangerous import BadData, URLSafeSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from chstore import ConversationStore, Thread
from chstore.errors import DisabledError, NotFoundError
from config import Settings
from core.errors import ChmError, ValidationError
from dashboard import context
from history import export
from history.queries import ALL_USERS, Filters, Scope, ThreadBrowser, scope_for

log = logging.getLogger("chmonitor")

ROUTE = "export"
LINK_TTL = 600
"""Seconds an export link stays valid; the page mints a fresh one every `LINK_TTL / 2` while it is open."""

_PROCESS_KEY = secrets.token_bytes(32)
_mounted = False


class LinkRefused(ValidationError):
    """An export link that is forged, altered, expired, or asks for conversations its user may not export."""


@dataclass(frozen=True)
class Grant:
    """What one export link allows: the viewer, the scope the page decided, which conversations, format, expiry."""

    viewer: str
    scope: Scope
    fmt: str
    filters: Filters = field(default_factory=Filters)
    thread_id: str = ""
    expires: int = 0


def signing_key(settings: Settings) -> bytes:
    """The signing key: `CHM_EXPORT_SECRET` when set (shared by replicas), else a random key of this process."""
    secret = settings.app.export_secret.get_secret_value() if settings.app.export_secret else ""
    return secret.encode("utf-8") if secret else _PROCESS_KEY


def _serializer(key: bytes) -> URLSafeSerializer:
    return URLSafeSerializer(key, salt="chmonitor-export", signer_kwargs={"digest_method": hashlib.sha256})


def sign(grant: Grant, key: bytes) -> str:
    """The URL-safe token of `grant`: its fields as a signed, URL-safe payload."""
    filters = grant.filters
    body = {
        "viewer": grant.viewer, "user": grant.scope.user_id, "all": grant.scope.all_users, "fmt": grant.fmt,
        "exp": grant.expires, "thread": grant.thread_id,
        "filters": {"start": filters.start.isoformat(), "end": filters.end.isoformat(), "text": filters.text,
                    "tool": filters.tool, "errors": filters.has_errors, "model": filters.model},
    }
    return _serializer(key).dumps(body)


def read(token: str, key: bytes, now: float) -> Grant:
    """The grant a token carries; LinkRefused when it was not signed with `key` or has expired."""
    try:
        body = _serializer(key).loads(token)
    except BadData as exc:
        raise LinkRefused("This export link is not valid: it was altered, or made by another server or before a "
                          "restart. Open the Conversations page and click Export again.") from exc
    try:
        raw = body["filters"]
        filters = Filters(start=datetime.fromisoformat(raw["start"]), end=datetime.fromisoformat(raw["end"]),
                          text=str(raw["text"]), tool=str(raw["tool"]), has_errors=bool(raw["errors"]),
                          model=str(raw["model"]))
        grant = Grant(str(body["viewer"]), Scope(str(body["user"]), bool(body["all"])), str(body["fmt"]), filters,
                      str(body["thread"]), int(body["exp"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise LinkRefused("This export link is not valid (unreadable). Open the Conversations page and click "
                          "Export again.") from exc
    if grant.fmt not in export.FORMATS:
        raise LinkRefused(f"This export link names an unknown format {grant.fmt!r}.")
    if now >= grant.expires:
        expired = datetime.fromtimestamp(grant.expires, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        raise LinkRefused(f"This export link expired at {expired} (links last {LINK_TTL // 60} minutes). Open the "
                          "Conversations page and click Export again.")
    return grant


def authorize(grant: Grant, admins: Collection[str], proxy_user: str | None = None) -> None:
    """Refuse a grant whose scope its viewer may not use now, or (behind a proxy) a request by someone else.

    `proxy_user` is the trusted header's value when `CHM_TRUSTED_USER_HEADER` is set, None otherwise.
    """
    if proxy_user is not None and proxy_user != grant.viewer:
        raise LinkRefused("This export link was made for another user; open the Conversations page and export "
                          "from there.")
    choice = ALL_USERS if grant.scope.all_users else grant.scope.user_id
    if scope_for(grant.viewer, grant.viewer in admins, choice) != grant.scope:
        whose = "every user's" if grant.scope.all_users else f"{grant.scope.user_id}'s"
        raise LinkRefused(f"This export link asks for {whose} conversations, which {grant.viewer} may not export "
                          "(only CHM_ADMIN_USERS may export other users' conversations).")


def url_path(base_url: str = "") -> str:
    """The route's path under Streamlit's `server.baseUrlPath`."""
    base = base_url.strip("/")
    return f"/{base}/{ROUTE}" if base else f"/{ROUTE}"


def link(grant: Grant, key: bytes, now: float, base_url: str = "") -> str:
    """The download URL (path and query) of `grant`, valid for `LINK_TTL` seconds from `now`."""
    return f"{url_path(base_url)}?token={sign(replace(grant, expires=int(now) + LINK_TTL), key)}"


def mounted() -> bool:
    """Whether this process serves the export route (started through `server.py`)."""
    return _mounted


def threads(store: ConversationStore, grant: Grant) -> Iterator[Thread]:
    """The conversations a grant exports, one at a time: its one conversation, or every match of scope and filters."""
    if grant.thread_id:
        thread = store.get_thread(grant.scope.user_id, grant.thread_id)
        if thread is None:
            raise NotFoundError("This conversation does not exist (or was deleted).")
        return iter([thread])
    return export.threads_of(store, ThreadBrowser(store).iter_rows(grant.scope, grant.filters))


def start(store: ConversationStore | None, grant: Grant) -> tuple[str, Iterator[str]]:
    """(file name, chunk stream) of a grant; the first conversation is read here, so a failing store raises now."""
    if store is None:
        raise DisabledError("Server-side history is off (AGENT_CONVERSATION_PERSISTENCE): there is nothing to export.")
    found = threads(store, grant)
    first = next(found, None)
    stem = (first.title or first.id) if grant.thread_id and first else "conversations"
    return export.file_name(stem, grant.fmt), export.chunks(chain([first] if first else [], found), grant.fmt)


def _logged(stream: Iterator[str], grant: Grant) -> Iterator[str]:
    try:
        yield from stream
    except ChmError:
        log.exception("export for %s stopped midway; the download is left incomplete", grant.viewer)
        raise


async def serve(request: Request) -> Response:
    """GET /export?token=…: 403 for a refused link, 404/503 when the export cannot start, else the streamed file."""
    try:
        settings = context.get_settings()
        grant = read(request.query_params.get("token", ""), signing_key(settings), datetime.now(UTC).timestamp())
        header = settings.app.trusted_user_header
        authorize(grant, settings.app.admins, (request.headers.get(header) or "").strip() if header else None)
        name, stream = await run_in_threadpool(lambda: start(context.get_store(), grant))
    except LinkRefused as exc:
        return PlainTextResponse(f"{exc}\n", status_code=403)
    except NotFoundError as exc:
        return PlainTextResponse(f"{exc}\n", status_code=404)
    except ChmError as exc:
        return PlainTextResponse(f"The export could not start: {exc}\n", status_code=503)
    mime = export.FORMATS[grant.fmt][0]
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
               "X-Content-Type-Options": "nosniff"}
    return StreamingResponse(_logged(stream, grant), media_type=f"{mime}; charset=utf-8", headers=headers)


def routes() -> list[Route]:
    """The Starlette routes to mount beside Streamlit (`server.py`); marks the route as served by this process."""
    global _mounted
    _mounted = True
    return [Route(url_path(st.get_option("server.baseUrlPath")), serve, methods=["GET"])]
