"""The conversation store's own errors, in the core's family (`core.errors.ChmError`)."""

from __future__ import annotations

from core.errors import ChmError


class NotFoundError(ChmError, LookupError):
    """The thread does not exist for this user (another user's thread looks exactly the same)."""


class DisabledError(ChmError):
    """Server-side persistence is off or the chosen store cannot run in this server."""


class StorageError(ChmError):
    """The backing database failed; nothing was written unless the message says so."""
