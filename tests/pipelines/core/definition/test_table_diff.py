"""``diff_tables`` (spec/engine.md §2.8), pure: what changes between two resolved definitions."""

from __future__ import annotations

import pytest

from pipelines.core.definition.parser import parse_definition
from pipelines.core.definition.resolve import resolve_table
from pipelines.core.definition.resolved import ParentAttribute, ParentKey, ResolvedTable
from pipelines.core.definition.table_diff import (
    FIRST,
    TableDiff,
    diff_tables,
    same_column,
    take_rename_markers,
)
from pipelines.core.errors import DataJointError

RIG = ParentKey("db", "#rig", (ParentAttribute("rig", "varchar(8)", "", False, "db.#rig.rig"),))
BASE = "id : int32\n---\na : int16  # first\nb : varchar(10)\n"


def _resolve(text: str) -> tuple[ResolvedTable, dict[str, str]]:
    spec, renames = take_rename_markers(parse_definition(text))
    parents = [RIG] * len(spec.foreign_keys)
    return resolve_table(spec, database="db", table_name="t", parents=parents), renames


def _diff(old: str, new: str) -> TableDiff:
    before, _ = _resolve(old)
    after, renames = _resolve(new)
    return diff_tables(before, after, renames)


def test_rename_markers_are_taken_out_of_the_comment() -> None:
    table, renames = _resolve("id : int32\n---\nx2 : int16  # { x }  the x\n")
    assert renames == {"x2": "x"}
    assert table.column("x2").comment == ":int16:the x"


def test_a_rename_is_one_change_with_its_source() -> None:
    diff = _diff(BASE, BASE.replace("a : int16  # first", "a2 : int16  # {a} first"))
    assert diff.drops == () and [(c.kind, c.source) for c in diff.changes] == [("rename", "a")]
    assert diff.source_name("a2") == "a" and diff.source_name("b") == "b"


def test_a_rename_that_already_happened_is_ignored() -> None:
    done = BASE.replace("a : int16  # first", "a2 : int16  # first")
    assert _diff(done, done.replace("# first", "# {a} first")).is_empty


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("id : int32\n---\nx : int16 # {a}\ny : int16 # {a}\n", r"rename attribute \{a\} twice"),
        ("id : int32\n---\nx : int16 # {q}\n", "Attribute q does not exist in the original"),
        (BASE + "a2 : int16 # {a}\n", "`a` is still in the new definition"),
        ("id : int32\n---\nb : int16 # {a}\n", "`b` already exists"),
    ],
)
def test_impossible_renames_are_refused(new: str, message: str) -> None:
    with pytest.raises(DataJointError, match=message):
        _diff(BASE, new)


@pytest.mark.parametrize(
    "new",
    [
        "id : int64\n---\na : int16  # first\nb : varchar(10)\n",
        "id : int32  # now with a comment\n---\na : int16  # first\nb : varchar(10)\n",
        "id : int32\na : int16\n---\nb : varchar(10)\n",
        "-> Rig\nid : int32\n---\na : int16  # first\nb : varchar(10)\n",
        "idx : int32  # {id}\n---\na : int16  # first\nb : varchar(10)\n",
    ],
)
def test_the_primary_key_cannot_change(new: str) -> None:
    with pytest.raises(NotImplementedError, match="cannot alter the primary key"):
        _diff(BASE, new)


def test_secondary_foreign_keys_and_indexes_are_added_and_dropped() -> None:
    with_fk = BASE + "-> [nullable, unique] Rig\nindex(a, b)\n"
    added = _diff(BASE, with_fk)
    assert [fk.parent_table for fk in added.added_foreign_keys] == ["#rig"]
    assert [(i.unique, i.items) for i in added.added_indexes] == [
        (True, ("rig",)),
        (False, ("a", "b")),
    ]
    dropped = _diff(with_fk, BASE)
    assert dropped.drops == ("rig",) and len(dropped.dropped_foreign_keys) == 1
    assert len(dropped.dropped_indexes) == 2


def test_a_column_in_a_singleton_table_can_move_first() -> None:
    diff = _diff("---\na : int16\nb : int16\n", "---\nb : int16\na : int16\n")
    assert [(c.column.name, c.after) for c in diff.changes] == [("b", FIRST), ("a", "b")]


def test_defaults_are_compared_by_meaning() -> None:
    now, _ = _resolve("id : int32\n---\nt = CURRENT_TIMESTAMP : datetime(3)\nx = 5.0 : float32\n")
    read, _ = _resolve("id : int32\n---\nt=current_timestamp(3) : datetime(3)\nx = 5 : float32\n")
    assert same_column(now.column("t"), read.column("t"))
    assert same_column(now.column("x"), read.column("x"))
    assert not same_column(now.column("x"), _resolve("id:int32\n---\nx=6:float32\n")[0].column("x"))
