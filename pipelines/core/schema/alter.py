"""``alter`` and ``definition_diff``: evolve a live table from an edited definition (§2.8)."""

from __future__ import annotations

from typing import Any


def alter(table: Any, prompt: bool = True, context: dict[str, Any] | None = None) -> None:
    raise NotImplementedError("alter is not implemented yet")


def definition_diff(
    table: Any, new_definition: str | None, context: dict[str, Any] | None = None
) -> Any:
    raise NotImplementedError("definition_diff is not implemented yet")
