"""Golden SQL of join, extend, proj, aggr, union, dj.U and dj.Top nodes (spec/engine.md §4.3–§4.12).

Joinery's SQL, not DataJoint's: values are bound (``%s`` / ``?``), an always-true join is
``ON 1=1``, subqueries are aliased ``$<hex>`` from a process-wide counter (normalized to ``$N``).
Each case is written once in MySQL form; the SQLite form differs only in quoting, table naming
(``"db.table"``) and placeholders, and is derived by ``sqlite_form``. No database is used.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from pipelines.core.query.algebra import join_heading, union_heading
from pipelines.core.query.conditions import Compare, InQuery, Negate, RawSQL
from pipelines.core.query.heading import Attribute, ColumnInfo, Heading
from pipelines.core.query.nodes import (
    Aggregate,
    Distinct,
    Field,
    Join,
    Limit,
    Node,
    Project,
    Restrict,
    TableRef,
    Union,
)
from pipelines.core.query.top import Top
from pipelines.core.schema.computed import computed_attribute
from pipelines.core.sql.compiler import Compiler
from pipelines.core.sql.dialects import MySQLDialect, SQLiteDialect

MYSQL = Compiler(MySQLDialect())
SQLITE = Compiler(SQLiteDialect())


def table(name: str, key: str, secondary: str = "", **lineage: str) -> TableRef:
    """``db.<name>`` with integer attributes ``key | secondary``; key lineage is its own."""
    keys, others = key.split(), secondary.split()
    columns = [ColumnInfo(n, "int", False, None, ":int32:", True) for n in keys] + [
        ColumnInfo(n, "int", True, None, ":int32:", False) for n in others
    ]
    origins = {n: f"db.{name}.{n}" for n in keys} | lineage
    return TableRef("db", name, Heading.from_columns(columns, origins))


SUBJECT = table("subject", "subject_id", "name age")
SESSION = table("session", "subject_id session", "kind", subject_id="db.subject.subject_id")
TRIAL = table(
    "trial",
    "subject_id session trial",
    "outcome",
    subject_id="db.subject.subject_id",
    session="db.session.session",
)
NOTE = table("note", "subject_id", "note", subject_id="db.subject.subject_id")
RIG = table("rig", "rig_id", "rig_name")

SUBJECT_SQL = "SELECT `subject_id`,`name`,`age` FROM `db`.`subject`"
SESSION_SQL = "SELECT `subject_id`,`session`,`kind` FROM `db`.`session`"


# ---- helpers ----------------------------------------------------------------------------------


def normalized(compiled: tuple[str, list[Any]]) -> tuple[str, list[Any]]:
    sql, params = compiled
    return re.sub(r"([`\"])\$[0-9a-f]+\1", r"\1$N\1", sql), params


def sqlite_form(mysql_sql: str) -> str:
    sql = re.sub(r"`db`\.`([^`]+)`", r'"db.\1"', mysql_sql)
    return sql.replace("`", '"').replace("%s", "?")


def assert_sql(
    node: Node, expected: str, params: list[Any] | None = None, kind: str = "sql"
) -> None:
    """``node`` compiles to ``expected`` on MySQL and to its SQLite form on SQLite."""
    for compiler, sql in ((MYSQL, expected), (SQLITE, sqlite_form(expected))):
        assert normalized(getattr(compiler, kind)(node)) == (sql, params or [])


def join(a: Node, b: Node, *, left: bool = False, semantic_check: bool = True) -> Join:
    heading, using = join_heading(a.heading, b.heading, left=left, semantic_check=semantic_check)
    return Join(a, b, using, left, heading)


def where(node: Node, condition: Any) -> Restrict:
    return Restrict(node, condition, node.heading)


def top(node: Node, *args: Any, **kwargs: Any) -> Limit:
    return Limit(node, Top(*args, **kwargs), node.heading)


def keep(node: Node, *names: str, **renames: str) -> Project:
    """``proj(*names, new=old)`` of plain attributes, in the operand's heading order."""
    heading = node.heading
    sources = {old: new for new, old in renames.items()}
    fields = [
        Field(sources[n], source=n) if n in sources else Field(n)
        for n in heading.names
        if n in sources or n in names or n in heading.primary_key
    ]
    attributes = [heading[f.source or f.name].replace(name=f.name) for f in fields]
    return Project(node, tuple(fields), Heading(attributes))


def compute(node: Node, **expressions: str) -> Project:
    """``proj(name='expr', …)``: the key plus computed attributes."""
    heading = node.heading
    fields = [Field(n) for n in heading.primary_key]
    fields += [Field(n, expression=e) for n, e in expressions.items()]
    attributes: list[Attribute] = [heading[n] for n in heading.primary_key]
    attributes += [computed_attribute(heading, n) for n in expressions]
    return Project(node, tuple(fields), Heading(attributes))


def aggr(a: Node, b: Node, *kept: str, exclude_nonmatching: bool = False, **exprs: str) -> Node:
    """``a.aggr(b, *kept, **exprs)`` as the operator builds it."""
    joined, using = join_heading(a.heading, b.heading)
    names = [*a.heading.primary_key, *kept]
    fields = [Field(n) for n in names] + [Field(n, expression=e) for n, e in exprs.items()]
    heading = Heading(
        [a.heading[n] for n in names] + [computed_attribute(a.heading, n) for n in exprs]
    )
    child = Join(a, b, using, not exclude_nonmatching, joined)
    return Aggregate(child, tuple(names), tuple(fields), heading)


def universal(node: Node, *names: str) -> Distinct:
    """``dj.U(*names) & node``."""
    heading = Heading([node.heading[n].replace(in_key=True) for n in names])
    return Distinct(Project(node, tuple(Field(n) for n in names), heading), heading)


def universal_aggr(node: Node, *names: str, **exprs: str) -> Aggregate:
    """``dj.U(*names).aggr(node, **exprs)``."""
    heading = Heading(
        [node.heading[n].replace(in_key=True) for n in names]
        + [computed_attribute(node.heading, n) for n in exprs]
    )
    fields = [Field(n) for n in names] + [Field(n, expression=e) for n, e in exprs.items()]
    return Aggregate(node, names, tuple(fields), heading)


def union(a: Node, b: Node) -> Union:
    return Union(a, b, union_heading(a.heading, b.heading))


# ---- join ---------------------------------------------------------------------------------


def test_join_uses_the_namesakes_and_orders_the_select_list_by_the_heading() -> None:
    assert_sql(
        join(SUBJECT, SESSION),
        "SELECT `subject_id`,`session`,`kind`,`name`,`age` FROM `db`.`subject` "
        "JOIN `db`.`session` USING (`subject_id`)",
    )
    assert_sql(
        join(SESSION, SUBJECT),
        "SELECT `subject_id`,`session`,`kind`,`name`,`age` FROM `db`.`session` "
        "JOIN `db`.`subject` USING (`subject_id`)",
    )


def test_join_without_namesakes_is_a_cross_join() -> None:
    assert_sql(
        join(SUBJECT, RIG),
        "SELECT `subject_id`,`rig_id`,`name`,`age`,`rig_name` FROM `db`.`subject` "
        "CROSS JOIN `db`.`rig`",
    )


def test_join_lists_using_attributes_in_the_left_order() -> None:
    left = table("l", "b a", "x", a="db.k.a", b="db.k.b")
    right = table("r", "a b", "y", a="db.k.a", b="db.k.b")
    assert_sql(
        join(left, right),
        "SELECT `b`,`a`,`x`,`y` FROM `db`.`l` JOIN `db`.`r` USING (`b`, `a`)",
    )


def test_join_without_semantic_check_joins_on_every_namesake() -> None:
    a, b = table("a", "id", "x"), table("b", "id", "y")
    assert_sql(
        join(a, b, semantic_check=False),
        "SELECT `id`,`x`,`y` FROM `db`.`a` JOIN `db`.`b` USING (`id`)",
    )


def test_join_concatenates_both_restrictions_with_params_in_order() -> None:
    node = join(where(SUBJECT, Compare("age", ">", 2)), where(SESSION, Compare("kind", "=", 7)))
    assert_sql(
        node,
        "SELECT `subject_id`,`session`,`kind`,`name`,`age` FROM `db`.`subject` "
        "JOIN `db`.`session` USING (`subject_id`) WHERE (`age`>%s)AND(`kind`=%s)",
        [2, 7],
    )


def test_join_of_a_join_wraps_the_multi_table_operand() -> None:
    inner = (
        "(SELECT `subject_id`,`session`,`kind`,`name`,`age` FROM `db`.`subject` "
        "JOIN `db`.`session` USING (`subject_id`)) as `$N`"
    )
    fields = "`subject_id`,`session`,`trial`,`outcome`,`kind`,`name`,`age`"
    assert_sql(
        join(join(SUBJECT, SESSION), TRIAL),
        f"SELECT {fields} FROM {inner} JOIN `db`.`trial` USING (`subject_id`, `session`)",
    )
    assert_sql(
        join(TRIAL, join(SUBJECT, SESSION)),
        f"SELECT {fields} FROM `db`.`trial` JOIN {inner} USING (`subject_id`, `session`)",
    )


def test_cross_join_onto_a_join_stays_flat() -> None:
    assert_sql(
        join(join(SUBJECT, NOTE), RIG),
        "SELECT `subject_id`,`rig_id`,`name`,`age`,`note`,`rig_name` FROM `db`.`subject` "
        "JOIN `db`.`note` USING (`subject_id`) CROSS JOIN `db`.`rig`",
    )


def test_join_wraps_an_operand_with_a_top() -> None:  # §12 bug 3
    assert_sql(
        join(SUBJECT, top(SESSION, 1)),
        "SELECT `subject_id`,`session`,`kind`,`name`,`age` FROM `db`.`subject` JOIN "
        f"({SESSION_SQL} ORDER BY `subject_id`, `session` LIMIT 1) as `$N` USING (`subject_id`)",
    )
    assert_sql(
        join(top(SUBJECT, 2, "age DESC"), SESSION),
        "SELECT `subject_id`,`session`,`kind`,`name`,`age` FROM "
        f"({SUBJECT_SQL} ORDER BY `age` DESC LIMIT 2) as `$N` "
        "JOIN `db`.`session` USING (`subject_id`)",
    )


def test_join_wraps_a_distinct_operand() -> None:  # §12 bug 6
    assert_sql(
        join(universal(SESSION, "subject_id"), SUBJECT),
        "SELECT `subject_id`,`name`,`age` FROM "
        "(SELECT DISTINCT `subject_id` FROM `db`.`session`) as `$N` "
        "JOIN `db`.`subject` USING (`subject_id`)",
    )


def test_join_wraps_an_aggregation_operand() -> None:
    counts = aggr(SUBJECT, SESSION, n="count(session)")
    assert_sql(
        join(SESSION, counts),
        "SELECT `subject_id`,`session`,`kind`,`n` FROM `db`.`session` JOIN "
        "(SELECT `subject_id`,count(session) as `n` FROM `db`.`subject` "
        "LEFT JOIN `db`.`session` USING (`subject_id`) GROUP BY `subject_id`) as `$N` "
        "USING (`subject_id`)",
    )


def test_join_with_a_union_on_either_side() -> None:  # issue #930, §12 bug 4
    one = where(keep(SUBJECT), RawSQL("subject_id=1"))
    three = where(keep(SUBJECT), RawSQL("subject_id=3"))
    union_sql = (
        "(SELECT `subject_id` FROM "
        "(SELECT `subject_id` FROM `db`.`subject` WHERE (subject_id=1)) as `$N` "
        "UNION SELECT `subject_id` FROM "
        "(SELECT `subject_id` FROM `db`.`subject` WHERE (subject_id=3)) as `$N`) as `$N`"
    )
    assert_sql(
        join(union(one, three), SESSION),
        f"SELECT `subject_id`,`session`,`kind` FROM {union_sql} "
        "JOIN `db`.`session` USING (`subject_id`)",
    )
    assert_sql(
        join(RIG, union(one, three)),
        f"SELECT `rig_id`,`subject_id`,`rig_name` FROM `db`.`rig` CROSS JOIN {union_sql}",
    )


def test_join_keeps_a_renamed_non_join_attribute_flat() -> None:
    assert_sql(
        join(keep(SUBJECT, years="age"), SESSION),
        "SELECT `subject_id`,`session`,`kind`,`age` as `years` FROM `db`.`subject` "
        "JOIN `db`.`session` USING (`subject_id`)",
    )


def test_join_wraps_an_operand_whose_join_attribute_is_renamed() -> None:
    parentage = table(
        "parentage",
        "subject_id parent",
        "",
        subject_id="db.subject.subject_id",
        parent="db.subject.subject_id",
    )
    parents = keep(SUBJECT, parent="subject_id")
    assert_sql(
        join(parentage, parents),
        "SELECT `subject_id`,`parent` FROM `db`.`parentage` JOIN "
        "(SELECT `subject_id` as `parent` FROM `db`.`subject`) as `$N` USING (`parent`)",
    )


def test_join_wraps_both_operands_when_their_tables_share_other_columns() -> None:
    keeper = table("keeper", "subject_id keeper", "name", subject_id="db.subject.subject_id")
    assert_sql(
        join(keeper, keep(SUBJECT)),
        "SELECT `subject_id`,`keeper`,`name` FROM "
        "(SELECT `subject_id`,`keeper`,`name` FROM `db`.`keeper`) as `$N` JOIN "
        "(SELECT `subject_id` FROM `db`.`subject`) as `$N` USING (`subject_id`)",
    )


def test_semijoin_of_a_join_with_its_own_operand() -> None:  # issue #463
    semi = where(SUBJECT, InQuery(("subject_id",), SESSION, ("subject_id",)))
    assert_sql(
        join(semi, SESSION),
        "SELECT `subject_id`,`session`,`kind`,`name`,`age` FROM `db`.`subject` "
        "JOIN `db`.`session` USING (`subject_id`) "
        "WHERE ((`subject_id`) IN (SELECT `subject_id` FROM `db`.`session`))",
    )


# ---- extend -------------------------------------------------------------------------------


def test_left_join_uses_left_join_using() -> None:
    assert_sql(
        join(SUBJECT, NOTE, left=True),
        "SELECT `subject_id`,`name`,`age`,`note` FROM `db`.`subject` "
        "LEFT JOIN `db`.`note` USING (`subject_id`)",
    )


def test_left_join_restricts_the_right_operand_inside_a_subquery() -> None:
    assert_sql(
        join(where(SUBJECT, Compare("age", ">", 1)), where(NOTE, RawSQL("note > 1")), left=True),
        "SELECT `subject_id`,`name`,`age`,`note` FROM `db`.`subject` LEFT JOIN "
        "(SELECT `subject_id`,`note` FROM `db`.`note` WHERE (note > 1)) as `$N` "
        "USING (`subject_id`) WHERE (`age`>%s)",
        [1],
    )


def test_left_join_without_namesakes_is_on_an_always_true_condition() -> None:
    singleton = TableRef("db", "#one", Heading([]))
    node = Join(SUBJECT, singleton, (), True, SUBJECT.heading)
    assert_sql(node, f"{SUBJECT_SQL} LEFT JOIN `db`.`#one` ON 1=1")


# ---- proj ---------------------------------------------------------------------------------


def test_proj_renames_and_computes_in_the_same_select() -> None:
    assert_sql(
        keep(SUBJECT, "age", nm="name"),
        "SELECT `subject_id`,`name` as `nm`,`age` FROM `db`.`subject`",
    )
    assert_sql(
        compute(SUBJECT, double="age*2", three="3"),
        "SELECT `subject_id`,age*2 as `double`,3 as `three` FROM `db`.`subject`",
    )


def test_proj_of_a_restriction_stays_flat() -> None:
    assert_sql(
        keep(where(SUBJECT, RawSQL("age>1")), sid="subject_id"),
        "SELECT `subject_id` as `sid` FROM `db`.`subject` WHERE (age>1)",
    )


def test_renaming_a_renamed_attribute_wraps() -> None:
    once = keep(SUBJECT, n2="name")
    assert_sql(
        keep(once, n3="n2"),
        "SELECT `subject_id`,`n2` as `n3` FROM "
        "(SELECT `subject_id`,`name` as `n2` FROM `db`.`subject`) as `$N`",
    )


def test_computing_over_a_computed_attribute_wraps() -> None:
    assert_sql(
        compute(compute(SUBJECT, d="age*2"), e="d+1"),
        "SELECT `subject_id`,d+1 as `e` FROM "
        "(SELECT `subject_id`,age*2 as `d` FROM `db`.`subject`) as `$N`",
    )


def test_restriction_after_a_rename_wraps() -> None:
    renamed = keep(SUBJECT, i="subject_id")
    assert_sql(
        where(renamed, RawSQL("i in (1,2)")),
        "SELECT `i` FROM (SELECT `subject_id` as `i` FROM `db`.`subject`) as `$N` "
        "WHERE (i in (1,2))",
    )


def test_renaming_a_key_attribute_keeps_it_in_place() -> None:  # issues #483/#516
    assert_sql(
        keep(SESSION, sid="subject_id"),
        "SELECT `subject_id` as `sid`,`session` FROM `db`.`session`",
    )


def test_computed_projection_of_an_antijoin() -> None:  # issue #558
    sessions = InQuery(("subject_id",), SESSION, ("subject_id",))
    node = compute(where(SUBJECT, Negate(sessions)), x="3")
    assert_sql(
        node,
        "SELECT `subject_id`,3 as `x` FROM `db`.`subject` "
        "WHERE (NOT ((`subject_id`) IN (SELECT `subject_id` FROM `db`.`session`)))",
    )


def test_proj_of_a_top_keeps_the_order_in_the_same_select() -> None:
    assert_sql(
        keep(top(SUBJECT, 2, "age DESC"), y="age"),
        "SELECT `subject_id`,`age` as `y` FROM `db`.`subject` ORDER BY `age` DESC LIMIT 2",
    )


def test_proj_of_a_distinct_or_a_grouping_wraps() -> None:
    assert_sql(
        keep(universal(SESSION, "subject_id", "kind")),
        "SELECT `subject_id`,`kind` FROM "
        "(SELECT DISTINCT `subject_id`,`kind` FROM `db`.`session`) as `$N`",
    )
    assert_sql(
        compute(aggr(SUBJECT, SESSION, n="count(session)"), m="n*2"),
        "SELECT `subject_id`,n*2 as `m` FROM (SELECT `subject_id`,count(session) as `n` "
        "FROM `db`.`subject` LEFT JOIN `db`.`session` USING (`subject_id`) "
        "GROUP BY `subject_id`) as `$N`",
    )


# ---- aggr ---------------------------------------------------------------------------------

COUNTS_SQL = (
    "SELECT `subject_id`,count(session) as `n` FROM `db`.`subject` "
    "LEFT JOIN `db`.`session` USING (`subject_id`) GROUP BY `subject_id`"
)


def test_aggregation_left_joins_and_groups_by_the_key() -> None:
    assert_sql(aggr(SUBJECT, SESSION, n="count(session)"), COUNTS_SQL)


def test_aggregation_excluding_nonmatching_rows_is_an_inner_join() -> None:
    assert_sql(
        aggr(SUBJECT, SESSION, exclude_nonmatching=True, n="count(session)"),
        COUNTS_SQL.replace("LEFT JOIN", "JOIN"),
    )


def test_aggregation_groups_by_every_kept_attribute() -> None:  # §12 bug 1
    assert_sql(
        aggr(SUBJECT, SESSION, "name", "age", n="count(session)"),
        "SELECT `subject_id`,`name`,`age`,count(session) as `n` FROM `db`.`subject` "
        "LEFT JOIN `db`.`session` USING (`subject_id`) GROUP BY `subject_id`, `name`, `age`",
    )


def test_aggregation_restricts_the_group_inside_the_left_join() -> None:  # §12 bug 2
    assert_sql(
        aggr(
            where(SUBJECT, RawSQL("age > 2")), where(SESSION, Compare("kind", "=", 1)), n="count(*)"
        ),
        "SELECT `subject_id`,count(*) as `n` FROM `db`.`subject` LEFT JOIN "
        f"({SESSION_SQL} WHERE (`kind`=%s)) as `$N` USING (`subject_id`) "
        "WHERE (age > 2) GROUP BY `subject_id`",
        [1],
    )


def test_aggregation_of_a_join_wraps_the_group() -> None:
    assert_sql(
        aggr(SUBJECT, join(SESSION, TRIAL), n="count(trial)"),
        "SELECT `subject_id`,count(trial) as `n` FROM `db`.`subject` LEFT JOIN "
        "(SELECT `subject_id`,`session`,`trial`,`outcome`,`kind` FROM `db`.`session` "
        "JOIN `db`.`trial` USING (`subject_id`, `session`)) as `$N` USING (`subject_id`) "
        "GROUP BY `subject_id`",
    )


def test_restricting_an_aggregation_wraps_it() -> None:
    counts = aggr(SUBJECT, SESSION, n="count(session)")
    assert_sql(
        where(counts, RawSQL("n>1")),
        f"SELECT `subject_id`,`n` FROM ({COUNTS_SQL}) as `$N` WHERE (n>1)",
    )
    assert_sql(
        where(counts, Compare("subject_id", "=", 3)),
        f"SELECT `subject_id`,`n` FROM ({COUNTS_SQL}) as `$N` WHERE (`subject_id`=%s)",
        [3],
    )


def test_top_of_an_aggregation_follows_the_group_by() -> None:
    assert_sql(
        top(aggr(SUBJECT, SESSION, n="count(session)"), 2, "n DESC"),
        f"{COUNTS_SQL} ORDER BY `n` DESC LIMIT 2",
    )


# ---- dj.U ---------------------------------------------------------------------------------


def test_universal_set_selects_distinct_values() -> None:
    assert_sql(
        universal(where(SESSION, RawSQL("subject_id=2")), "subject_id", "kind"),
        "SELECT DISTINCT `subject_id`,`kind` FROM `db`.`session` WHERE (subject_id=2)",
    )


def test_universal_set_without_attributes_selects_a_constant() -> None:  # §12 bug 7
    assert_sql(universal(SESSION), "SELECT DISTINCT 1 FROM `db`.`session`")
    assert_sql(
        universal(SESSION),
        "SELECT count(*) FROM (SELECT DISTINCT 1 FROM `db`.`session`) AS `$N`",
        kind="count",
    )


def test_universal_set_of_a_top_wraps_the_top() -> None:
    assert_sql(
        universal(top(SESSION, 3, "kind DESC"), "subject_id"),
        "SELECT DISTINCT `subject_id` FROM "
        "(SELECT `subject_id` FROM `db`.`session` ORDER BY `kind` DESC LIMIT 3) as `$N`",
    )


def test_universal_aggregation_groups_by_its_attributes_or_not_at_all() -> None:
    assert_sql(
        universal_aggr(SESSION, "kind", n="count(*)"),
        "SELECT `kind`,count(*) as `n` FROM `db`.`session` GROUP BY `kind`",
    )
    whole = universal_aggr(where(SESSION, RawSQL("kind > 0")), n="count(*)")
    assert_sql(whole, "SELECT count(*) as `n` FROM `db`.`session` WHERE (kind > 0)")
    assert_sql(
        where(whole, RawSQL("n > 3")),
        "SELECT `n` FROM (SELECT count(*) as `n` FROM `db`.`session` WHERE (kind > 0)) as `$N` "
        "WHERE (n > 3)",
    )


# ---- union --------------------------------------------------------------------------------


def test_union_of_keys_is_a_set_union_of_wrapped_operands() -> None:
    one = where(keep(SUBJECT), Compare("subject_id", "=", 1))
    two = where(keep(SUBJECT), Compare("subject_id", "=", 2))
    assert_sql(
        union(one, two),
        "SELECT `subject_id` FROM (SELECT `subject_id` FROM "
        "(SELECT `subject_id` FROM `db`.`subject` WHERE (`subject_id`=%s)) as `$N` "
        "UNION SELECT `subject_id` FROM "
        "(SELECT `subject_id` FROM `db`.`subject` WHERE (`subject_id`=%s)) as `$N`) as `$N`",
        [1, 2],
    )


def test_outer_union_binds_each_side_twice() -> None:
    left = where(keep(SUBJECT, "name"), Compare("subject_id", "<", 3))
    right = where(NOTE, Compare("subject_id", ">", 1))
    left_sql = "(SELECT `subject_id`,`name` FROM `db`.`subject` WHERE (`subject_id`<%s)) as `$N`"
    right_sql = "(SELECT `subject_id`,`note` FROM `db`.`note` WHERE (`subject_id`>%s)) as `$N`"
    assert_sql(
        union(left, right),
        "SELECT `subject_id`,`name`,`note` FROM ("
        f"SELECT `subject_id`,`name`,`note` FROM {left_sql} LEFT JOIN {right_sql} "
        "USING (`subject_id`) "
        f"UNION SELECT `subject_id`,NULL as `name`,`note` FROM {right_sql} "
        f"WHERE (`subject_id`) NOT IN (SELECT `subject_id` FROM {left_sql})) as `$N`",
        [3, 1, 1, 3],
    )


def test_union_of_unions_nests() -> None:  # issue #926
    a, b, c = (where(keep(SUBJECT), RawSQL(f"subject_id={i}")) for i in (1, 2, 4))
    sql, _ = normalized(MYSQL.sql(union(union(a, b), c)))
    assert sql.count(" UNION ") == 2
    assert sql.startswith(
        "SELECT `subject_id` FROM (SELECT `subject_id` FROM (SELECT `subject_id` FROM ("
    )


def test_top_of_a_union_orders_outside_the_union() -> None:  # §12 bug 5
    one = where(keep(SUBJECT), RawSQL("subject_id<3"))
    four = where(keep(SUBJECT), RawSQL("subject_id=4"))
    sql, _ = normalized(MYSQL.sql(top(union(one, four), 2, "subject_id DESC")))
    assert sql.endswith(") as `$N` ORDER BY `subject_id` DESC LIMIT 2")


def test_restricting_a_union_wraps_it() -> None:
    one = where(keep(SUBJECT), RawSQL("subject_id<3"))
    four = where(keep(SUBJECT), RawSQL("subject_id=4"))
    assert_sql(
        where(union(one, four), Compare("subject_id", "=", 2)),
        "SELECT `subject_id` FROM (SELECT `subject_id` FROM "
        "(SELECT `subject_id` FROM `db`.`subject` WHERE (subject_id<3)) as `$N` "
        "UNION SELECT `subject_id` FROM "
        "(SELECT `subject_id` FROM `db`.`subject` WHERE (subject_id=4)) as `$N`) as `$N` "
        "WHERE (`subject_id`=%s)",
        [2],
    )


# ---- dj.Top -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "clause"),
    [
        ((2,), {}, " ORDER BY `subject_id`, `session` LIMIT 2"),
        ((2, "KEY DESC"), {}, " ORDER BY `subject_id` DESC, `session` DESC LIMIT 2"),
        ((3, ["kind DESC", "KEY"]), {}, " ORDER BY `kind` DESC, `subject_id`, `session` LIMIT 3"),
        ((2,), {"offset": 3}, " ORDER BY `subject_id`, `session` LIMIT 2 OFFSET 3"),
        ((None,), {"offset": 4}, " ORDER BY `subject_id`, `session` LIMIT 999999999999 OFFSET 4"),
        ((None, "kind"), {}, " ORDER BY `kind`"),
    ],
    ids=["key", "key-desc", "list", "offset", "offset-without-limit", "order-only"],
)
def test_top_renders_order_limit_and_offset(
    args: tuple[Any, ...], kwargs: dict[str, Any], clause: str
) -> None:
    assert_sql(top(SESSION, *args, **kwargs), SESSION_SQL + clause)


def test_chained_tops_with_the_same_order_merge() -> None:
    assert_sql(
        top(top(SESSION, 4), 2, offset=1),
        f"{SESSION_SQL} ORDER BY `subject_id`, `session` LIMIT 2 OFFSET 1",
    )
    assert_sql(
        top(top(SESSION, 3), 2, offset=2),
        f"{SESSION_SQL} ORDER BY `subject_id`, `session` LIMIT 1 OFFSET 2",
    )
    assert_sql(
        top(top(SESSION, 4, "kind DESC"), 2, None),
        f"{SESSION_SQL} ORDER BY `kind` DESC LIMIT 2",
    )


def test_chained_tops_with_different_orders_wrap() -> None:
    assert_sql(
        top(top(SUBJECT, 3, "age DESC"), 1, "age"),
        f"SELECT `subject_id`,`name`,`age` FROM ({SUBJECT_SQL} ORDER BY `age` DESC LIMIT 3) "
        "as `$N` ORDER BY `age` LIMIT 1",
    )


def test_restriction_after_a_top_wraps_but_before_stays_flat() -> None:
    assert_sql(
        where(top(SUBJECT, 2, "age DESC"), RawSQL("age < 7")),
        f"SELECT `subject_id`,`name`,`age` FROM ({SUBJECT_SQL} ORDER BY `age` DESC LIMIT 2) "
        "as `$N` WHERE (age < 7)",
    )
    assert_sql(
        top(where(SUBJECT, RawSQL("age < 7")), 2, "age DESC"),
        f"{SUBJECT_SQL} WHERE (age < 7) ORDER BY `age` DESC LIMIT 2",
    )


# ---- len and bool -------------------------------------------------------------------------


def test_count_and_exists_of_a_flat_query_use_its_from_and_where() -> None:
    node = join(where(SUBJECT, RawSQL("age > 2")), SESSION)
    source = "`db`.`subject` JOIN `db`.`session` USING (`subject_id`) WHERE (age > 2)"
    assert_sql(node, f"SELECT count(*) FROM {source}", kind="count")
    assert_sql(node, f"SELECT EXISTS(SELECT 1 FROM {source})", kind="exists")


def test_count_and_exists_of_a_top_wrap_the_whole_query() -> None:  # §12 bug 8
    node = top(SUBJECT, 1, offset=100)
    inner = f"{SUBJECT_SQL} ORDER BY `subject_id` LIMIT 1 OFFSET 100"
    assert_sql(node, f"SELECT count(*) FROM ({inner}) AS `$N`", kind="count")
    assert_sql(node, f"SELECT EXISTS(SELECT 1 FROM ({inner}) AS `$N`)", kind="exists")


def test_count_of_an_aggregation_wraps_it() -> None:
    node = aggr(SUBJECT, SESSION, n="count(session)")
    assert_sql(node, f"SELECT count(*) FROM ({COUNTS_SQL}) AS `$N`", kind="count")
