"""Golden ALTER text (spec/engine.md §2.8), no database.

For the changes DataJoint supports, the MySQL statement is DataJoint 2.3.5's own ``alter`` output
byte for byte (its declare module runs offline, as in test_ddl). Beyond DataJoint: foreign-key and
index clauses, and SQLite's three strategies (metadata only, RENAME COLUMN, rebuild).
"""

from __future__ import annotations

import warnings

import pytest

from pipelines.core.definition.parser import parse_definition
from pipelines.core.definition.resolve import resolve_table
from pipelines.core.definition.resolved import ParentAttribute, ParentKey, ResolvedTable
from pipelines.core.definition.table_diff import TableDiff, diff_tables, take_rename_markers
from pipelines.core.sql.alter_ddl import LiveNames, mysql_alter, sqlite_alter
from pipelines.core.sql.ddl import create_table_sql, mysql_column_sql
from pipelines.core.sql.dialects import MySQLDialect, SQLiteDialect

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import datajoint.declare as dj_declare
    from datajoint.adapters import get_adapter

MYSQL = MySQLDialect()
SQLITE = SQLiteDialect()
RIG = ParentKey("db", "#rig", (ParentAttribute("rig", "varchar(8)", "rig name", False, None),))


def _resolve(
    text: str, parents: tuple[ParentKey, ...] = ()
) -> tuple[ResolvedTable, dict[str, str]]:
    spec, renames = take_rename_markers(parse_definition(text))
    table = resolve_table(spec, database="db", table_name="t", parents=list(parents))
    return table, renames


def _diff(old: str, new: str, parents: tuple[ParentKey, ...] = ()) -> TableDiff:
    before, _ = _resolve(old, parents[: old.count("->")])
    after, renames = _resolve(new, parents[: new.count("->")])
    return diff_tables(before, after, renames)


def _datajoint(old: str, new: str) -> str:
    clauses = dj_declare.alter(new, old, {}, get_adapter("mysql"))[0]
    return "ALTER TABLE `db`.`t`\n\t" + ",\n\t".join(clauses)


def _ours(old: str, new: str) -> str:
    (statement,) = mysql_alter(_diff(old, new), MYSQL, LiveNames()).statements
    return statement


BASE = "# a table\nid : int32\n---\na : int16  # first\nb = 'x' : varchar(10)\nc = null : float32\n"

SUPPORTED = {
    "add at the end": BASE + "d = 5 : int16  # added\n",
    "add first": BASE.replace("---\n", "---\nz = null : date\n"),
    "drop": BASE.replace("c = null : float32\n", ""),
    "drop and add": BASE.replace("a : int16  # first", "e : int8"),
    "modify type": BASE.replace("int16", "int64"),
    "modify default": BASE.replace("'x'", "'y'"),
    "modify nullability": BASE.replace("a : int16", "a = null : int16"),
    "reorder": "# a table\nid : int32\n---\nb = 'x' : varchar(10)\na : int16  # first\n"
    "c = null : float32\n",
    "move last first": "# a table\nid : int32\n---\nc = null : float32\na : int16  # first\n"
    "b = 'x' : varchar(10)\n",
    "table comment": BASE.replace("# a table", "# another table"),
    "everything": "# new\nid : int32\n---\nc : float64\nb = 'x' : varchar(10)\nd = 5 : int16 # added\n",
    "blob and json": BASE + 'x = null : <blob>\ny = null : json  # with "quotes"\n',
}


@pytest.mark.parametrize("case", list(SUPPORTED))
def test_mysql_column_clauses_are_datajoints(case: str) -> None:
    assert _ours(BASE, SUPPORTED[case]) == _datajoint(BASE, SUPPORTED[case])


def test_a_rename_is_datajoints_change_clause_without_the_marker() -> None:
    new = BASE.replace("a : int16  # first", "a2 : int64  # {a} first")
    assert _ours(BASE, new) == _datajoint(BASE, new).replace("{a} ", "")
    assert _ours(BASE, new) == (
        'ALTER TABLE `db`.`t`\n\tCHANGE `a` `a2` bigint NOT NULL COMMENT ":int64:first" '
    )


def test_column_sql_is_the_create_table_line() -> None:
    table, _ = _resolve(BASE + "-> [nullable] Rig\nd = CURRENT_TIMESTAMP : datetime(3)\n", (RIG,))
    created = create_table_sql(table, MYSQL)[0].split("\n")
    assert [mysql_column_sql(c, MYSQL) for c in table.columns] == [
        line.rstrip(",") for line in created[1 : 1 + len(table.columns)]
    ]


def test_foreign_key_and_index_clauses() -> None:
    diff = _diff(BASE, BASE + "-> [nullable, unique] Rig\nindex(a, b)\n", (RIG,))
    (statement,) = mysql_alter(diff, MYSQL, LiveNames()).statements
    assert statement == (
        "ALTER TABLE `db`.`t`\n"
        '\tADD `rig` varchar(8) COMMENT "rig name" AFTER `c`,\n'
        "\tADD FOREIGN KEY (`rig`) REFERENCES `db`.`#rig` (`rig`) ON UPDATE CASCADE ON DELETE "
        "RESTRICT,\n"
        "\tADD UNIQUE INDEX (`rig`),\n"
        "\tADD INDEX (`a`,`b`)"
    )


def test_dropping_a_foreign_key_and_indexes_names_them() -> None:
    old = BASE + "-> [nullable, unique] Rig\nindex(a, b)\n"
    names = LiveNames(
        foreign_keys={(("rig",), "db", "#rig", ("rig",)): "t_ibfk_1"},
        indexes={(True, ("rig",)): ["rig"], (False, ("a", "b")): ["a"]},
    )
    (statement,) = mysql_alter(_diff(old, BASE, (RIG,)), MYSQL, names).statements
    # The unique index goes with its column; the other one is named.
    assert statement == (
        "ALTER TABLE `db`.`t`\n\tDROP FOREIGN KEY `t_ibfk_1`,\n\tDROP INDEX `a`,\n\tDROP `rig`"
    )


def test_dropping_the_unique_option_keeps_an_index_for_the_foreign_key() -> None:
    old = BASE + "-> [nullable, unique] Rig\n"
    names = LiveNames(indexes={(True, ("rig",)): ["rig"]})
    diff = _diff(old, BASE + "-> [nullable] Rig\n", (RIG, RIG))
    assert mysql_alter(diff, MYSQL, names).statements == (
        "ALTER TABLE `db`.`t`\n\tDROP INDEX `rig`,\n\tADD INDEX (`rig`)",
    )


def test_a_foreign_key_turned_into_an_attribute_loses_its_server_made_index() -> None:
    old = BASE + "-> [nullable] Rig\n"
    new = BASE + "rig = null : varchar(8)\n"
    names = LiveNames(
        foreign_keys={(("rig",), "db", "#rig", ("rig",)): "t_ibfk_1"},
        indexes={(False, ("rig",)): ["rig"]},
    )
    (statement,) = mysql_alter(_diff(old, new, (RIG,)), MYSQL, names).statements
    assert statement.split("\n\t")[1:3] == ["DROP FOREIGN KEY `t_ibfk_1`,", "DROP INDEX `rig`,"]


def test_no_change_no_statement() -> None:
    assert mysql_alter(_diff(BASE, BASE), MYSQL, LiveNames()).statements == ()
    assert sqlite_alter(_diff(BASE, BASE), SQLITE).statements == ()


# ---- SQLite ----------------------------------------------------------------------------------


def test_sqlite_comment_and_declared_type_changes_need_no_ddl() -> None:
    new = BASE.replace("# a table", "# other").replace("# first", "# premier")
    new = new.replace("a : int16", "a : int32")  # same storage affinity
    result = sqlite_alter(_diff(BASE, new), SQLITE)
    assert result.statements == () and not result.rebuild


def test_sqlite_pure_renames_use_rename_column() -> None:
    new = BASE.replace("a : int16  # first", "a2 : int16  # {a} first")
    result = sqlite_alter(_diff(BASE, new), SQLITE)
    assert result.statements == ('ALTER TABLE "db.t" RENAME COLUMN "a" TO "a2"',)
    assert not result.rebuild


def test_sqlite_other_changes_rebuild_the_table() -> None:
    new = BASE.replace("a : int16  # first", "a2 : int16  # {a} first").replace(
        "c = null : float32\n", "d = 1 : int8\n"
    )
    result = sqlite_alter(_diff(BASE, new + "index(d)\n"), SQLITE)
    assert result.rebuild
    create, copy, drop, rename, index = result.statements
    assert create.startswith('CREATE TABLE IF NOT EXISTS "db.~alter~t" (\n"id" INT NOT NULL,\n')
    assert copy == 'INSERT INTO "db.~alter~t" ("id", "a2", "b") SELECT "id", "a", "b" FROM "db.t"'
    assert (drop, rename) == ('DROP TABLE "db.t"', 'ALTER TABLE "db.~alter~t" RENAME TO "db.t"')
    assert index == 'CREATE INDEX IF NOT EXISTS "db.t.i0" ON "db.t" ("d")'
