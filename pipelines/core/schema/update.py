"""``update1``: correct one existing row's secondary attributes (spec/engine.md §3.2)."""

from __future__ import annotations

from typing import Any


def update1(table: Any, row: Any) -> None:
    raise NotImplementedError("update1 is not implemented yet")
