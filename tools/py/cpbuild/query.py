"""Queries of the tables for scripts: an entry's field as plain text, or the entries that match.

  tools/py/run pin zlib version                  1.3.2
  tools/py/run pin zlib archives.0.sha256        a field inside a field: names and list indices
  tools/py/run pin --where kind=cpython --without unavailable
                                                 the names of the pins that match every filter
  tools/py/run target aarch64-unknown-linux-gnu qemu
                                                 qemu-aarch64, -L, /usr/aarch64-linux-gnu: a list
                                                 prints one item per line
  tools/py/run target --with ci                  the triples CI builds distributions for

A string or number prints as it is, True and False as the table writes them, None (or an
optional field the entry does not set) as nothing; a list of those one item per line; anything
else (an entry, a mapping, a list of mappings) as JSON. An unknown entry or field is an error
that names it and lists what exists.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from typing import Any

SCALARS = (str, int, float, bool)


class QueryError(Exception):
    """A query names something the tables do not have; the message says what exists."""


def _fields(value: Any) -> list[str]:
    if dataclasses.is_dataclass(value):
        return [f.name for f in dataclasses.fields(value)]
    if isinstance(value, Mapping):
        return sorted(str(key) for key in value)
    return []


def lookup(value: Any, path: str, where: str) -> Any:
    """The value at a dotted path ("archives.0.sha256") inside an entry; `where` names the entry."""
    done: list[str] = []
    for part in path.split("."):
        here = f"{where}: {'.'.join(done)}" if done else where
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if part not in _fields(value):
                raise QueryError(f"{here} has no field {part!r}; its fields: {', '.join(_fields(value))}")
            value = getattr(value, part)
        elif isinstance(value, Mapping):
            if part not in value:
                raise QueryError(f"{here} has no key {part!r}; its keys: {', '.join(_fields(value)) or 'none'}")
            value = value[part]
        elif isinstance(value, (list, tuple)):
            if not part.isdigit() or int(part) >= len(value):
                raise QueryError(f"{here} is a list of {len(value)}: {part!r} is not an index of it")
            value = value[int(part)]
        else:
            raise QueryError(f"{here} is {_describe(value)}: it has no field {part!r}")
        done.append(part)
    return value


def _describe(value: Any) -> str:
    return "None" if value is None else f"a {type(value).__name__} ({value!r})"


def _plain(value: Any) -> Any:
    """The value as JSON's types (dataclasses as mappings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def render(value: Any) -> list[str]:
    """The lines a value prints as (see the module's doc)."""
    if value is None:
        return []
    if isinstance(value, SCALARS):
        return [str(value)]
    if isinstance(value, (list, tuple)) and all(isinstance(item, SCALARS) for item in value):
        return [str(item) for item in value]
    return json.dumps(_plain(value), indent=1, sort_keys=True).splitlines()


def parse_where(condition: str) -> tuple[str, str]:
    """FIELD=VALUE of a --where filter."""
    field, equals, wanted = condition.partition("=")
    if not equals or not field:
        raise QueryError(f"--where {condition!r}: expected FIELD=VALUE (e.g. kind=cpython)")
    return field, wanted


def matching(entries: Mapping[str, Any], kind: str, where: Iterable[str] = (), with_: Iterable[str] = (),
             without: Iterable[str] = ()) -> list[str]:
    """The keys of the entries that pass every filter, in the table's order.

    where: FIELD=VALUE, the field prints as VALUE (its lines joined by spaces); with_: the field is
    set (not None, False or empty); without: it is not. `kind` names an entry in errors ("pin").
    """
    conditions = [parse_where(c) for c in where]
    selected = []
    for key, entry in entries.items():
        name = f"{kind} {key!r}"
        if all(" ".join(render(lookup(entry, f, name))) == wanted for f, wanted in conditions) \
                and all(lookup(entry, f, name) for f in with_) \
                and not any(lookup(entry, f, name) for f in without):
            selected.append(key)
    return selected


def entry(entries: Mapping[str, Any], kind: str, key: str) -> Any:
    """One entry, or an error naming it and listing the known keys."""
    if key not in entries:
        raise QueryError(f"unknown {kind} {key!r}; known: {', '.join(sorted(entries))}")
    return entries[key]


def query(entries: Mapping[str, Any], kind: str, key: str | None, field: str | None, where: Iterable[str] = (),
          with_: Iterable[str] = (), without: Iterable[str] = ()) -> list[str]:
    """The lines `tools/py/run <kind> ...` prints: one entry (or one field of it), or the keys that
    match the filters (every key without filters)."""
    filters = list(where) + list(with_) + list(without)
    if key is None:
        return matching(entries, kind, where, with_, without)
    if filters:
        raise QueryError(f"the filters (--where, --with, --without) select {kind}s: give them without a {kind} name")
    value = entry(entries, kind, key)
    return render(lookup(value, field, f"{kind} {key!r}") if field else value)
