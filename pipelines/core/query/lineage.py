"""Semantic matching: namesake attributes match only when they share an origin."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import DataJointError
from .heading import Heading


def check_namesakes(left: Heading, right: Heading, names: Sequence[str]) -> None:
    """Raise unless every namesake has the same, known lineage on both sides."""
    for name in names:
        a, b = left[name].lineage, right[name].lineage
        if a is None or b is None:
            raise DataJointError(
                f"Cannot join on attribute `{name}`: lineage missing on one side ({a} vs {b}). "
                "This usually indicates a stale `~lineage` entry or a secondary attribute that "
                "has no origin; run `schema.rebuild_lineage()` or use `.proj()` to rename one of "
                "the attributes."
            )
        if a != b:
            raise DataJointError(
                f"Cannot join on attribute `{name}`: different lineages ({a} vs {b}). "
                "Use .proj() to rename one of the attributes."
            )
