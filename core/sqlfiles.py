"""The SQL catalog: every statement lives in `sql/<area>/<name>.sql` with server-side `{name:Type}` parameters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType

from core.names import validate_identifier

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}")


@cache
def load(name: str) -> str:
    """The text of `sql/<name>.sql` (e.g. `store/get_threads`); raises FileNotFoundError for an unknown name."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file() or SQL_DIR not in path.resolve().parents:
        raise FileNotFoundError(f"no SQL file {name!r} under {SQL_DIR}")
    return path.read_text(encoding="utf-8")


@cache
def statement(name: str) -> str:
    """`load(name)` without its leading comment lines: what hot paths send, so neither the driver's binding nor the
    server's parser goes through the documentation on every call."""
    lines = load(name).splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    return "\n".join(lines)


@lru_cache(maxsize=1024)
def placeholders(sql: str) -> Mapping[str, str]:
    """The `{name:Type}` parameters a statement declares, name → ClickHouse type (read-only; parsed once per text)."""
    return MappingProxyType({name: typ.strip() for name, typ in _PLACEHOLDER.findall(sql)})


def bind_identifier(sql: str, name: str, value: str) -> str:
    """`sql` with its `{name:Identifier}` replaced by `value`, backquoted, where the server takes no query parameter
    (`ON CLUSTER`); `value` must be a plain identifier, else ValidationError."""
    marker = f"{{{name}:Identifier}}"
    if marker not in sql:
        raise KeyError(f"the statement has no {marker}")
    return sql.replace(marker, f"`{validate_identifier(value)}`")


def all_names() -> list[str]:
    """Every SQL file in the catalog, as `area/name`."""
    return sorted(str(p.relative_to(SQL_DIR).with_suffix("")) for p in SQL_DIR.rglob("*.sql"))
