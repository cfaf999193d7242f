"""What every typed record shares: its stored dict form, and reading it back."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

__all__ = ["known_fields", "plain_fields"]


def plain_fields(record: Any) -> dict[str, Any]:
    """A record's fields as a dict, tuples as lists, values not copied (models stay)."""
    return {
        f.name: list(v) if isinstance(v := getattr(record, f.name), tuple) else v
        for f in fields(record)
    }


def known_fields(cls: type, data: dict[str, Any], tuples: tuple[str, ...]) -> dict[str, Any]:
    """The keys of ``data`` that are fields of ``cls``, with ``tuples`` made tuples."""
    names = {f.name for f in fields(cls)}
    values = {k: v for k, v in data.items() if k in names}
    for name in tuples:
        if name in values and values[name] is not None:
            values[name] = tuple(values[name])
    return values
