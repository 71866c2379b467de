"""Find a table of a trace from what the user wrote: ``trace[Session]``, ``trace["Session"]``.

A key is a full table name (`` `db`.`table` ``), or a name matched case-insensitively: first
exactly, against class names (``Session``, ``Scan.Channel``) with or without their schema
(``lab.Session``); failing that, as a suffix of the plain ``db.table`` name.
"""

from __future__ import annotations

from ..errors import DataJointError


def not_in_trace(key: str) -> DataJointError:
    return DataJointError(
        f"Table {key} is not in this trace's subgraph (not an ancestor of the seed)."
    )


def resolve_trace_key(key: str, class_names: dict[str, str]) -> str:
    """The full name of the table ``key`` designates among ``class_names`` (full table name ->
    class name, for the tables of the trace)."""
    if "`" in key or '"' in key:
        name = key.replace('"', "`")
        if name not in class_names:
            raise not_in_trace(name)
        return name
    wanted = key.lower()
    exact = [
        name
        for name, cls in class_names.items()
        if wanted in (cls.lower(), f"{_plain(name).split('.')[0]}.{cls}".lower())
    ]
    candidates = exact or [n for n in class_names if _plain(n).lower().endswith(wanted)]
    if not candidates:
        raise not_in_trace(repr(key))
    if len(candidates) > 1:
        raise DataJointError(
            f"Ambiguous table reference {key!r}: matches {', '.join(sorted(candidates))}. "
            "Use a fully-qualified name."
        )
    return candidates[0]


def _plain(name: str) -> str:
    """`` `db`.`table` `` -> ``db.table``."""
    return name.replace("`", "")
