"""``dj.Top``: ordering, limit and offset applied to a query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Top:
    """``expr & dj.Top(limit=1, order_by="KEY", offset=0)``."""

    limit: int | None = 1
    order_by: str | Sequence[str] | None = "KEY"
    offset: int = 0

    def __post_init__(self) -> None:
        if self.limit is not None and (
            not isinstance(self.limit, int) or isinstance(self.limit, bool)
        ):
            raise TypeError("Top limit must be an integer")
        if not isinstance(self.offset, int) or isinstance(self.offset, bool):
            raise TypeError("The offset argument must be an integer")
        order = [self.order_by] if isinstance(self.order_by, str) else self.order_by
        if order is not None and (
            not isinstance(order, list | tuple) or not all(isinstance(item, str) for item in order)
        ):
            raise TypeError("Top order_by attributes must all be strings")
        object.__setattr__(self, "order_by", None if order is None else tuple(order))

    @property
    def order(self) -> tuple[str, ...] | None:
        return None if self.order_by is None else tuple(self.order_by)

    def expand(self, primary_key: Sequence[str]) -> tuple[str, ...]:
        """The ORDER BY items with ``KEY`` expanded to the primary key."""
        items: list[str] = []
        for item in self.order or ("KEY",):
            words = item.split()
            if words and words[0] == "KEY":
                suffix = " DESC" if len(words) > 1 and words[1].upper() == "DESC" else ""
                items.extend(f"{k}{suffix}" for k in primary_key)
            else:
                items.append(item)
        return tuple(items)

    def __repr__(self) -> str:
        return f"Top(limit={self.limit}, order_by={list(self.order or [])}, offset={self.offset})"
