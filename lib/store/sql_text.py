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


_NULL_TEST = re.compile(r"\s*IS\s+(NOT\s+)?NULL\b", re.IGNORECASE)


class PlaceholderMismatch(ValueError):
    """A statement's placeholders and its parameters do not fit each other."""


@lru_cache(maxsize=4096)
def _pieces(sql: str) -> tuple[tuple[str, ...], tuple[str | int, ...]]:
    """The statement cut at its placeholders (one piece more than placeholders), and for each placeholder what it
    takes: the n-th positional parameter (an int) or a named one (a str)."""
    pieces: list[str] = []
    slots: list[str | int] = []
    positional = 0
    last = 0
    for match in _TOKENS.finditer(sql):
        if match.group("question"):
            slot: str | int = positional
            positional += 1
        elif match.group("dollar"):
            name = match.group("name")
            slot = int(name) - 1 if name.isdigit() else name  # $1 already numbered: the first parameter as given
        else:
            continue
        pieces.append(sql[last:match.start()])
        slots.append(slot)
        last = match.end()
    pieces.append(sql[last:])
    return tuple(pieces), tuple(slots)


def for_postgres(sql: str, params: Sequence[Any] | Mapping[str, Any] | None) -> tuple[str, list[Any]]:
    """The statement and parameter list PostgreSQL takes for what DuckDB would have run.

    A parameter that is None is written into the text as NULL, and one that only meets IS NULL as 1: PostgreSQL
    cannot tell the type of a parameter there (`? IS NULL OR x = ?`), where DuckDB infers one."""
    pieces, slots = _pieces(sql)
    if not slots:
        return sql, []
    if params is None:
        raise PlaceholderMismatch("the statement has placeholders but no parameters were given")
    text = [pieces[0]]
    values: list[Any] = []
    numbers: dict[str | int, int] = {}
    for slot, piece in zip(slots, pieces[1:]):
        value = _value(params, slot)
        if value is None:
            text.append("NULL")
        elif _NULL_TEST.match(piece):
            text.append("1")  # `? IS NULL` with a value: false (true for IS NOT NULL), and no type to guess
        else:
            if slot not in numbers:
                values.append(value)
                numbers[slot] = len(values)
            text.append(f"${numbers[slot]}")
        text.append(piece)
    return "".join(text), values


def _value(params: Sequence[Any] | Mapping[str, Any], slot: str | int) -> Any:
    if isinstance(slot, str):
        if not isinstance(params, Mapping) or slot not in params:
            raise PlaceholderMismatch(f"no parameter named {slot}")
        return params[slot]
    if isinstance(params, Mapping):
        raise PlaceholderMismatch("positional placeholders with named parameters")
    if slot >= len(params):
        raise PlaceholderMismatch(f"the statement has more placeholders than the {len(params)} parameters given")
    return params[slot]
