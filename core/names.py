"""Validation of identifiers that must be interpolated into SQL (configured table names)."""

from __future__ import annotations

import re

from core.errors import ValidationError

_IDENT = r"[A-Za-z_][A-Za-z0-9_]{0,126}"
_TABLE_RE = re.compile(rf"^(?:({_IDENT})\.)?({_IDENT})$")


def validate_identifier(name: str) -> str:
    """Return `name` if it is a plain identifier (letters, digits, underscore), else raise ValidationError."""
    if not re.fullmatch(_IDENT, name or ""):
        raise ValidationError(f"invalid identifier {name!r}: use letters, digits and underscores only")
    return name


def validate_table_name(name: str) -> tuple[str | None, str]:
    """Split `db.table` (or `table`) into (database or None, table) after checking both are plain identifiers."""
    match = _TABLE_RE.match(name or "")
    if not match:
        raise ValidationError(
            f"invalid table name {name!r}: expected `database.table` of letters, digits and underscores"
        )
    return match.group(1), match.group(2)
