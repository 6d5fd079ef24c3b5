"""One SQL text for both engines: the app writes DuckDB's placeholders (`?` in order, `$name` by name); PostgreSQL
takes the same statement with them numbered (`$1`, `$2` …) and the parameters as a list in that order."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

# Quoted text and comments are copied as they are; only the placeholders outside them are numbered.
_TOKENS = re.compile(
    r"""(?P<text>'(?:[^']|'')*')
      | (?P<ident>"(?:[^"]|"")*")
      | (?P<line>--[^\n]*)
      | (?P<block>/\*.*?\*/)
      | (?P<cast>::)
      | (?P<question>\?)
      | (?P<dollar>\$(?P<name>[A-Za-z_][A-Za-z0-9_]*|\d+))""",
    re.VERBOSE | re.DOTALL,
)


class PlaceholderMismatch(ValueError):
    """A statement's placeholders and its parameters do not fit each other."""


@lru_cache(maxsize=4096)
def _numbered(sql: str) -> tuple[str, tuple[str | int, ...]]:
    """The statement with numbered placeholders, and for each number what it takes: the n-th positional
    parameter (an int) or a named one (a str)."""
    order: list[str | int] = []
    positional = 0
    names: dict[str, int] = {}

    def replace(match: re.Match) -> str:
        nonlocal positional
        if match.group("question"):
            order.append(positional)
            positional += 1
            return f"${len(order)}"
        name = match.group("name")
        if name is None:
            return match.group(0)
        if name.isdigit():
            # $1 already numbered: the n-th parameter as given.
            order.append(int(name) - 1)
            return f"${len(order)}"
        if name not in names:
            order.append(name)
            names[name] = len(order)
        return f"${names[name]}"

    text = _TOKENS.sub(lambda m: replace(m) if (m.group("question") or m.group("dollar")) else m.group(0), sql)
    return text, tuple(order)


def for_postgres(sql: str, params: Sequence[Any] | Mapping[str, Any] | None) -> tuple[str, list[Any]]:
    """The statement and parameter list PostgreSQL takes for what DuckDB would have run."""
    text, order = _numbered(sql)
    if not order:
        return text, []
    if params is None:
        raise PlaceholderMismatch("the statement has placeholders but no parameters were given")
    values = []
    for slot in order:
        if isinstance(slot, str):
            if not isinstance(params, Mapping) or slot not in params:
                raise PlaceholderMismatch(f"no parameter named {slot}")
            values.append(params[slot])
        else:
            if isinstance(params, Mapping):
                raise PlaceholderMismatch("positional placeholders with named parameters")
            values.append(params[slot])
    return text, values
