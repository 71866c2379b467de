"""Table naming: class name <-> SQL table name, the tier a SQL name encodes, hidden table names.

The SQL name is the interoperability contract with DataJoint (spec/engine.md §1.9): a tier
prefix (Manual ``""``, Lookup ``#``, Imported ``_``, Computed ``__``) plus the class name in
snake_case, and for a part ``<master sql name>__<snake part name>``. Existing tables are
classified by the same rules.
"""

from __future__ import annotations

import re
import warnings

from pipelines.core.errors import DataJointError

TIER_PREFIXES: dict[str, str] = {"Manual": "", "Lookup": "#", "Imported": "_", "Computed": "__"}
MAX_TABLE_NAME_LENGTH = 64  # MySQL; PostgreSQL allows 63

_CLASS_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
_BASE_NAME = r"[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*"
_TIER_NAME = {
    tier: re.compile(re.escape(prefix) + _BASE_NAME) for tier, prefix in TIER_PREFIXES.items()
}
_MASTER_NAME = "|".join(f"{re.escape(prefix)}{_BASE_NAME}" for prefix in TIER_PREFIXES.values())
_PART_NAME = re.compile(f"(?P<master>{_MASTER_NAME})__(?P<part>{_BASE_NAME})")
# A separator run (underscores, punctuation such as the tier prefixes) before a letter.
_WORD_START = re.compile(r"(?:^|[\W_])+([A-Za-z])")


def class_name_to_snake(name: str) -> str:
    """``SessionTrial`` -> ``session_trial``: ``_`` before every capital but the first.

    Every capital starts a new word, so acronyms spread out (``ProcessedEMG`` ->
    ``processed_e_m_g``); this is what DataJoint writes, and table names must agree with it.
    """
    return "".join(
        f"_{char.lower()}" if "A" <= char <= "Z" and index else char.lower()
        for index, char in enumerate(name)
    )


def snake_to_class_name(name: str) -> str:
    """``session_trial`` -> ``SessionTrial``; separators before a letter are dropped.

    Used to name the classes of a virtual module after existing tables, so tier prefixes go too
    (``#outfit_launch`` -> ``OutfitLaunch``, ``__e`` -> ``E``).
    """
    return _WORD_START.sub(lambda m: m.group(1).upper(), name)


def validate_class_name(name: str) -> str:
    """Return the usable class name: underscores removed (with a warning), CamelCase checked."""
    cleaned = name
    if "_" in name:
        warnings.warn(
            f"Table class name `{name}` contains underscores. "
            "CamelCase names without underscores are recommended.",
            UserWarning,
            stacklevel=2,
        )
        cleaned = name.replace("_", "")
    if _CLASS_NAME.fullmatch(cleaned) is None:
        raise DataJointError(
            f"Table class name `{name}` is invalid. "
            "Class names must be in CamelCase, starting with a capital letter."
        )
    return cleaned


def table_name_for(tier: str, class_name: str, master_table_name: str | None = None) -> str:
    """The SQL table name of a class of ``tier``; a ``"Part"`` also needs its master's SQL name."""
    snake = class_name_to_snake(validate_class_name(class_name))
    if tier == "Part":
        if master_table_name is None:
            raise DataJointError(f"Part table `{class_name}` has no master table")
        return f"{master_table_name}__{snake}"
    if tier not in TIER_PREFIXES:
        raise DataJointError(f"Unknown table tier `{tier}`")
    if master_table_name is not None:
        raise DataJointError(f"Only a Part table has a master, not a {tier} table")
    return TIER_PREFIXES[tier] + snake


def tier_of_table_name(table_name: str) -> str | None:
    """The tier a SQL table name encodes, or None for hidden (``~``) and non-conforming names."""
    for tier, pattern in _TIER_NAME.items():
        if pattern.fullmatch(table_name):
            return tier
    if _PART_NAME.fullmatch(table_name):
        return "Part"
    return None


def master_of(table_name: str) -> str | None:
    """The master's SQL name of a part table's SQL name, else None."""
    match = _PART_NAME.fullmatch(table_name)
    return match.group("master") if match else None


def job_table_name(table_name: str) -> str:
    """The hidden job table of an auto-populated table: ``__result`` -> ``~~result``.

    Leading underscores are stripped, so ``_x`` and ``__x`` share ``~~x``; kept because DataJoint
    clients sharing the database look for the job table under this name.
    """
    return "~~" + table_name.lstrip("_")


def check_table_name_length(name: str, max_length: int = MAX_TABLE_NAME_LENGTH) -> None:
    """Refuse a table name the server would truncate or reject."""
    if len(name) > max_length:
        raise DataJointError(f"Table name `{name}` exceeds the max length of {max_length}")


__all__ = [
    "MAX_TABLE_NAME_LENGTH",
    "TIER_PREFIXES",
    "check_table_name_length",
    "class_name_to_snake",
    "job_table_name",
    "master_of",
    "snake_to_class_name",
    "table_name_for",
    "tier_of_table_name",
    "validate_class_name",
]
