"""Golden SQL of the query compiler (spec/engine.md §4.2, §4.9, §4.11, §4.12), no database.

Each node is compiled for both dialects; every value must travel as a bound parameter. Subquery
aliases come from a process-wide counter, so they are normalized to ``$N`` before comparing.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest

from pipelines.core.errors import DataJointError
from pipelines.core.query.conditions import (
    FALSE,
    TRUE,
    And,
    Compare,
    Condition,
    InQuery,
    InValues,
    Negate,
    Or,
    RawSQL,
)
from pipelines.core.query.heading import ColumnInfo, Heading
from pipelines.core.query.nodes import Field, Limit, Node, Project, Restrict, TableRef
from pipelines.core.query.top import Top
from pipelines.core.sql.compiler import Compiler
from pipelines.core.sql.dialects import Dialect, MySQLDialect, SQLiteDialect

MYSQL = Compiler(MySQLDialect())
SQLITE = Compiler(SQLiteDialect())

COLUMNS = [
    ColumnInfo("subject_id", "int", False, None, ":int32:", True),
    ColumnInfo("session_idx", "smallint", False, None, ":int16:session number", True),
    ColumnInfo("session_date", "date", False, None, ":date:", False),
    ColumnInfo("score", "float", True, None, ":float32:", False),
    ColumnInfo("token", "binary(16)", True, None, ":uuid:", False),
    ColumnInfo("meta", "json", True, None, ":json:", False),
    ColumnInfo("created", "datetime(3)", False, "CURRENT_TIMESTAMP(3)", ":datetime(3):", False),
    ColumnInfo("notes", "varchar(40)", False, "", ":varchar(40):", False),
]
LINEAGE = {
    "subject_id": "db.subject.subject_id",
    "session_idx": "db.session.session_idx",
}
HEADING = Heading.from_columns(COLUMNS, LINEAGE)
SESSION = TableRef("db", "session", HEADING)

MYSQL_FIELDS = "`subject_id`,`session_idx`,`session_date`,`score`,`token`,`meta`,`created`,`notes`"
SQLITE_FIELDS = '"subject_id","session_idx","session_date","score","token","meta","created","notes"'
MYSQL_SELECT = f"SELECT {MYSQL_FIELDS} FROM `db`.`session`"
SQLITE_SELECT = f'SELECT {SQLITE_FIELDS} FROM "db.session"'


def _normalized(compiled: tuple[str, list[Any]]) -> tuple[str, list[Any]]:
    sql, params = compiled
    return re.sub(r"([`\"])\$[0-9a-f]+\1", r"\1$N\1", sql), params


def mysql(node: Node) -> tuple[str, list[Any]]:
    return _normalized(MYSQL.sql(node))


def sqlite(node: Node) -> tuple[str, list[Any]]:
    return _normalized(SQLITE.sql(node))


def where(condition: Condition) -> Restrict:
    return Restrict(SESSION, condition, HEADING)


# ---- table references -------------------------------------------------------------------------


def test_table_ref_selects_every_visible_attribute_in_heading_order() -> None:
    assert mysql(SESSION) == (MYSQL_SELECT, [])
    assert sqlite(SESSION) == (SQLITE_SELECT, [])


def test_hidden_attributes_are_not_selected() -> None:
    columns = [
        ColumnInfo("value", "int", False, None, ":int32:", False),
        ColumnInfo("_singleton", "tinyint", False, "1", ":bool:singleton primary key", True),
    ]
    heading = Heading.from_columns(columns, {"_singleton": "db.#one._singleton"})
    assert mysql(TableRef("db", "#one", heading)) == ("SELECT `value` FROM `db`.`#one`", [])
    assert sqlite(TableRef("db", "#one", heading)) == ('SELECT "value" FROM "db.#one"', [])


def test_identifiers_with_quote_characters_are_escaped() -> None:
    heading = Heading.from_columns([ColumnInfo("a", "int", False, None, "", True)], {})
    assert mysql(TableRef("we`ird", "t`x", heading))[0] == "SELECT `a` FROM `we``ird`.`t``x`"
    assert sqlite(TableRef('we"ird', "tx", heading))[0] == 'SELECT "a" FROM "we""ird.tx"'


# ---- restriction: one test per condition kind -----------------------------------------------


def test_compare_binds_the_value_as_a_parameter() -> None:
    assert mysql(where(Compare("subject_id", "=", 1))) == (
        f"{MYSQL_SELECT} WHERE (`subject_id`=%s)",
        [1],
    )
    assert sqlite(where(Compare("subject_id", "=", 1))) == (
        f'{SQLITE_SELECT} WHERE ("subject_id"=?)',
        [1],
    )


@pytest.mark.parametrize("operator", ["!=", "<", "<=", ">", ">="])
def test_comparison_operators_are_written_verbatim(operator: str) -> None:
    assert mysql(where(Compare("score", operator, 2.5))) == (
        f"{MYSQL_SELECT} WHERE (`score`{operator}%s)",
        [2.5],
    )


def test_like_operators_are_upper_cased_and_spaced() -> None:
    assert mysql(where(Compare("notes", "like", "ab%"))) == (
        f"{MYSQL_SELECT} WHERE (`notes` LIKE %s)",
        ["ab%"],
    )
    assert sqlite(where(Compare("notes", "not like", "ab%"))) == (
        f'{SQLITE_SELECT} WHERE ("notes" NOT LIKE ?)',
        ["ab%"],
    )


def test_compare_with_none_is_is_null_and_not_equal_none_is_is_not_null() -> None:
    assert mysql(where(Compare("score", "=", None))) == (
        f"{MYSQL_SELECT} WHERE (`score` IS NULL)",
        [],
    )
    assert sqlite(where(Compare("score", "!=", None))) == (
        f'{SQLITE_SELECT} WHERE ("score" IS NOT NULL)',
        [],
    )


def test_ordering_comparison_with_none_is_refused() -> None:
    with pytest.raises(DataJointError, match="Cannot compare `score` with NULL using <"):
        MYSQL.sql(where(Compare("score", "<", None)))


def test_date_values_are_bound_as_dates_on_mysql_and_iso_text_on_sqlite() -> None:
    condition = Compare("session_date", "=", dt.date(2024, 1, 2))
    assert mysql(where(condition))[1] == [dt.date(2024, 1, 2)]
    assert sqlite(where(condition))[1] == ["2024-01-02"]
    as_text = Compare("session_date", "=", "2024-01-02")
    assert mysql(where(as_text))[1] == [dt.date(2024, 1, 2)]
    assert sqlite(where(as_text))[1] == ["2024-01-02"]


def test_datetime_values_are_bound_as_datetimes_on_mysql_and_iso_text_on_sqlite() -> None:
    moment = dt.datetime(2024, 1, 2, 3, 4, 5, 678000)
    assert mysql(where(Compare("created", ">", moment)))[1] == [moment]
    assert sqlite(where(Compare("created", ">", moment)))[1] == ["2024-01-02 03:04:05.678000"]


def test_uuid_values_are_bound_as_sixteen_bytes() -> None:
    value = uuid.UUID("12345678-1234-5678-1234-567812345678")
    for compiled in (
        mysql(where(Compare("token", "=", value))),
        sqlite(where(Compare("token", "=", str(value)))),
    ):
        assert compiled[1] == [value.bytes]


def test_a_badly_formed_uuid_is_refused_before_any_sql() -> None:
    with pytest.raises(DataJointError, match="badly formed UUID"):
        MYSQL.sql(where(Compare("token", "=", "not-a-uuid")))


def test_json_path_compare_uses_the_dialect_json_function() -> None:
    condition = Compare("meta", "=", "x", path="a.b")
    assert mysql(where(condition)) == (
        f"{MYSQL_SELECT} WHERE (json_value(`meta`, _utf8mb4'$.a.b')=%s)",
        ["x"],
    )
    assert sqlite(where(condition)) == (
        f"{SQLITE_SELECT} WHERE (json_extract(\"meta\", '$.a.b')=?)",
        ["x"],
    )


def test_json_path_with_cast_adds_returning_on_mysql_only() -> None:
    condition = Compare("meta", "=", 20.5, path="length", cast="decimal(4,1)")
    assert mysql(where(condition))[0].endswith(
        "WHERE (json_value(`meta`, _utf8mb4'$.length' returning decimal(4,1))=%s)"
    )
    assert sqlite(where(condition))[0].endswith("WHERE (json_extract(\"meta\", '$.length')=?)")


def test_json_path_compare_with_a_dict_value_binds_its_json_text() -> None:
    assert mysql(where(Compare("meta", "=", {"k": [1, 2]}, path="a")))[1] == ['{"k": [1, 2]}']


def test_in_values_binds_one_placeholder_per_value() -> None:
    assert mysql(where(InValues("subject_id", (1, 2, 3)))) == (
        f"{MYSQL_SELECT} WHERE (`subject_id` IN (%s,%s,%s))",
        [1, 2, 3],
    )
    assert sqlite(where(InValues("subject_id", (4,)))) == (
        f'{SQLITE_SELECT} WHERE ("subject_id" IN (?))',
        [4],
    )


def test_in_values_with_no_values_is_false() -> None:
    assert mysql(where(InValues("subject_id", ()))) == (f"{MYSQL_SELECT} WHERE (1=0)", [])


def test_raw_sql_doubles_percent_for_mysql_only() -> None:
    text = "score > 5 and notes like '%a'"
    assert mysql(where(RawSQL(text))) == (
        f"{MYSQL_SELECT} WHERE (score > 5 and notes like '%%a')",
        [],
    )
    assert sqlite(where(RawSQL(text))) == (f"{SQLITE_SELECT} WHERE ({text})", [])


def test_and_or_not_nest_with_datajoint_spacing() -> None:
    both = And((Compare("subject_id", "=", 1), Compare("session_idx", "=", 2)))
    either = Or((Compare("subject_id", "=", 1), Compare("session_idx", "=", 2)))
    assert mysql(where(both)) == (
        f"{MYSQL_SELECT} WHERE ((`subject_id`=%s)AND(`session_idx`=%s))",
        [1, 2],
    )
    assert mysql(where(either)) == (
        f"{MYSQL_SELECT} WHERE ((`subject_id`=%s) OR (`session_idx`=%s))",
        [1, 2],
    )
    assert sqlite(where(Negate(either))) == (
        f'{SQLITE_SELECT} WHERE (NOT (("subject_id"=?) OR ("session_idx"=?)))',
        [1, 2],
    )


def test_true_and_false_conditions_are_constant_predicates() -> None:
    assert mysql(where(TRUE)) == (f"{MYSQL_SELECT} WHERE (1=1)", [])
    assert sqlite(where(FALSE)) == (f"{SQLITE_SELECT} WHERE (1=0)", [])


def test_chained_restrictions_and_together_in_one_where() -> None:
    inner = where(Compare("subject_id", "=", 1))
    node = Restrict(inner, Compare("score", ">", 0.5), HEADING)
    assert mysql(node) == (
        f"{MYSQL_SELECT} WHERE (`subject_id`=%s)AND(`score`>%s)",
        [1, 0.5],
    )


def test_semijoin_selects_the_common_attributes_of_the_inner_query() -> None:
    inner = where(Compare("score", ">", 1.0))
    node = where(InQuery(("subject_id",), inner, ("subject_id",)))
    assert mysql(node) == (
        f"{MYSQL_SELECT} WHERE ((`subject_id`) IN "
        "(SELECT `subject_id` FROM `db`.`session` WHERE (`score`>%s)))",
        [1.0],
    )
    assert sqlite(node) == (
        f'{SQLITE_SELECT} WHERE (("subject_id") IN '
        '(SELECT "subject_id" FROM "db.session" WHERE ("score">?)))',
        [1.0],
    )


def test_semijoin_aliases_inner_names_that_differ() -> None:
    node = where(InQuery(("subject_id", "session_idx"), SESSION, ("subject_id", "score")))
    assert mysql(node)[0] == (
        f"{MYSQL_SELECT} WHERE ((`subject_id`,`session_idx`) IN "
        "(SELECT `subject_id`,`score` as `session_idx` FROM `db`.`session`))"
    )


def test_antijoin_is_a_negated_semijoin() -> None:
    node = where(Negate(InQuery(("subject_id",), SESSION, ("subject_id",))))
    assert mysql(node)[0] == (
        f"{MYSQL_SELECT} WHERE (NOT ((`subject_id`) IN (SELECT `subject_id` FROM `db`.`session`)))"
    )


def test_restriction_by_a_query_with_no_common_attributes_is_exists() -> None:
    assert mysql(where(InQuery((), SESSION, ()))) == (
        f"{MYSQL_SELECT} WHERE (EXISTS ({MYSQL_SELECT}))",
        [],
    )


def test_params_are_ordered_as_placeholders_appear() -> None:
    inner = where(Compare("score", ">", 9.0))
    node = Restrict(
        where(
            And((Compare("subject_id", "=", 1), InQuery(("subject_id",), inner, ("subject_id",))))
        ),
        Compare("session_idx", "=", 3),
        HEADING,
    )
    sql, params = mysql(node)
    assert sql.count("%s") == 3
    assert params == [1, 9.0, 3]


def test_an_unknown_condition_type_is_refused() -> None:
    class Strange(Condition):
        pass

    with pytest.raises(DataJointError, match="Cannot compile condition"):
        MYSQL.sql(where(Strange()))


# ---- projection -----------------------------------------------------------------------------


def _projection() -> Project:
    fields = (
        Field("subject_id"),
        Field("session_idx"),
        Field("day", source="session_date"),
        Field("twice", expression="score*2"),
    )
    heading = Heading(
        [
            HEADING["subject_id"],
            HEADING["session_idx"],
            HEADING["session_date"].replace(name="day"),
            HEADING["score"].replace(name="twice", in_key=False),
        ]
    )
    return Project(SESSION, fields, heading)


def test_projection_renders_renames_and_computed_attributes_with_aliases() -> None:
    assert mysql(_projection()) == (
        "SELECT `subject_id`,`session_idx`,`session_date` as `day`,score*2 as `twice` "
        "FROM `db`.`session`",
        [],
    )
    assert sqlite(_projection()) == (
        'SELECT "subject_id","session_idx","session_date" as "day",score*2 as "twice" '
        'FROM "db.session"',
        [],
    )


def test_projection_to_the_primary_key_only() -> None:
    node = Project(
        SESSION,
        (Field("subject_id"), Field("session_idx")),
        HEADING.select(["subject_id", "session_idx"]),
    )
    assert mysql(node) == ("SELECT `subject_id`,`session_idx` FROM `db`.`session`", [])


def test_restricting_a_renamed_attribute_wraps_the_projection_in_a_subquery() -> None:
    projection = _projection()
    node = Restrict(projection, Compare("day", "=", "2024-01-01"), projection.heading)
    assert mysql(node) == (
        "SELECT `subject_id`,`session_idx`,`day`,`twice` FROM "
        "(SELECT `subject_id`,`session_idx`,`session_date` as `day`,score*2 as `twice` "
        "FROM `db`.`session`) as `$N` WHERE (`day`=%s)",
        [dt.date(2024, 1, 1)],
    )
    assert sqlite(node)[0].startswith('SELECT "subject_id","session_idx","day","twice" FROM (')
    assert sqlite(node)[1] == ["2024-01-01"]


def test_a_restriction_before_a_projection_stays_in_the_same_select() -> None:
    restricted = where(Compare("subject_id", "=", 7))
    fields = (Field("subject_id"), Field("session_idx"), Field("day", source="session_date"))
    heading = Heading(
        [HEADING["subject_id"], HEADING["session_idx"], HEADING["session_date"].replace(name="day")]
    )
    assert mysql(Project(restricted, fields, heading)) == (
        "SELECT `subject_id`,`session_idx`,`session_date` as `day` FROM `db`.`session` "
        "WHERE (`subject_id`=%s)",
        [7],
    )


def test_renaming_a_renamed_attribute_wraps_once() -> None:
    first = _projection()
    heading = Heading(
        [
            first.heading["subject_id"],
            first.heading["session_idx"],
            first.heading["day"].replace(name="d2"),
        ]
    )
    node = Project(
        first, (Field("subject_id"), Field("session_idx"), Field("d2", source="day")), heading
    )
    sql, _ = mysql(node)
    assert sql.startswith("SELECT `subject_id`,`session_idx`,`day` as `d2` FROM (SELECT ")
    assert sql.count("SELECT") == 2


def test_computing_from_a_computed_attribute_wraps_the_inner_projection() -> None:
    first = _projection()
    heading = Heading([*first.heading, first.heading["twice"].replace(name="quad")])
    fields = (*first.fields, Field("quad", expression="twice*2"))
    sql, _ = mysql(Project(first, fields, heading))
    assert sql.endswith(
        "twice*2 as `quad` FROM (SELECT `subject_id`,`session_idx`,`session_date` "
        "as `day`,score*2 as `twice` FROM `db`.`session`) as `$N`"
    )


# ---- Top: limit, ordering, merge and wrap -------------------------------------------------


def test_top_renders_order_limit_and_offset() -> None:
    node = Limit(SESSION, Top(5, "score DESC", 10), HEADING)
    assert mysql(node) == (f"{MYSQL_SELECT} ORDER BY `score` DESC LIMIT 5 OFFSET 10", [])
    assert sqlite(node) == (f'{SQLITE_SELECT} ORDER BY "score" DESC LIMIT 5 OFFSET 10', [])


def test_top_key_expands_to_the_primary_key_and_omits_a_zero_offset() -> None:
    assert mysql(Limit(SESSION, Top(), HEADING))[0] == (
        f"{MYSQL_SELECT} ORDER BY `subject_id`, `session_idx` LIMIT 1"
    )
    assert mysql(Limit(SESSION, Top(3, "KEY DESC"), HEADING))[0] == (
        f"{MYSQL_SELECT} ORDER BY `subject_id` DESC, `session_idx` DESC LIMIT 3"
    )


def test_top_keeps_duplicates_when_key_repeats_an_attribute() -> None:
    node = Limit(SESSION, Top(2, ["subject_id DESC", "KEY"]), HEADING)
    assert mysql(node)[0].endswith(
        "ORDER BY `subject_id` DESC, `subject_id`, `session_idx` LIMIT 2"
    )


def test_top_without_limit_but_with_offset_uses_a_huge_limit() -> None:
    node = Limit(SESSION, Top(None, "score", 4), HEADING)
    assert mysql(node)[0].endswith("ORDER BY `score` LIMIT 999999999999 OFFSET 4")


def test_top_without_limit_or_offset_only_orders() -> None:
    assert mysql(Limit(SESSION, Top(None, "score ASC"), HEADING))[0] == (
        f"{MYSQL_SELECT} ORDER BY `score` ASC"
    )


def test_top_order_items_that_are_expressions_are_copied_verbatim() -> None:
    node = Limit(SESSION, Top(1, "abs(score) DESC"), HEADING)
    assert mysql(node)[0].endswith("ORDER BY abs(score) DESC LIMIT 1")


def test_top_with_inherited_or_same_order_merges_limits_and_adds_offsets() -> None:
    first = Limit(SESSION, Top(5, "score DESC", 10), HEADING)
    inherited = Limit(first, Top(2, None, 1), HEADING)
    same = Limit(first, Top(2, "score DESC", 2), HEADING)
    assert mysql(inherited)[0] == f"{MYSQL_SELECT} ORDER BY `score` DESC LIMIT 2 OFFSET 11"
    assert mysql(same)[0] == f"{MYSQL_SELECT} ORDER BY `score` DESC LIMIT 2 OFFSET 12"


def test_top_with_a_different_order_wraps_the_previous_result() -> None:
    first = Limit(SESSION, Top(3, "score DESC"), HEADING)
    node = Limit(first, Top(1, "score"), HEADING)
    assert mysql(node) == (
        f"SELECT {MYSQL_FIELDS} FROM ({MYSQL_SELECT} ORDER BY `score` DESC LIMIT 3) as `$N` "
        "ORDER BY `score` LIMIT 1",
        [],
    )


def test_restricting_after_a_top_wraps_but_before_a_top_does_not() -> None:
    top = Top(2, "score DESC")
    after = Restrict(Limit(SESSION, top, HEADING), Compare("subject_id", "=", 1), HEADING)
    before = Limit(where(Compare("subject_id", "=", 1)), top, HEADING)
    assert mysql(after) == (
        f"SELECT {MYSQL_FIELDS} FROM ({MYSQL_SELECT} ORDER BY `score` DESC LIMIT 2) as `$N` "
        "WHERE (`subject_id`=%s)",
        [1],
    )
    assert mysql(before) == (
        f"{MYSQL_SELECT} WHERE (`subject_id`=%s) ORDER BY `score` DESC LIMIT 2",
        [1],
    )


# ---- count and exists -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "table"), [(MySQLDialect(), "`db`.`session`"), (SQLiteDialect(), '"db.session"')]
)
def test_count_and_exists_of_a_plain_restriction_stay_flat(dialect: Dialect, table: str) -> None:
    compiler = Compiler(dialect)
    node = where(Compare("subject_id", "=", 1))
    mark = dialect.placeholder
    q = dialect.quote("subject_id")
    assert compiler.count(SESSION) == (f"SELECT count(*) FROM {table}", [])
    assert compiler.count(node) == (f"SELECT count(*) FROM {table} WHERE ({q}={mark})", [1])
    assert compiler.exists(node) == (
        f"SELECT EXISTS(SELECT 1 FROM {table} WHERE ({q}={mark}))",
        [1],
    )


def test_count_and_exists_of_a_top_wrap_the_limited_select() -> None:
    node = Limit(where(Compare("subject_id", "=", 1)), Top(2, offset=1), HEADING)
    inner = (
        f"{MYSQL_SELECT} WHERE (`subject_id`=%s) "
        "ORDER BY `subject_id`, `session_idx` LIMIT 2 OFFSET 1"
    )
    assert _normalized(MYSQL.count(node)) == (f"SELECT count(*) FROM ({inner}) AS `$N`", [1])
    assert _normalized(MYSQL.exists(node)) == (
        f"SELECT EXISTS(SELECT 1 FROM ({inner}) AS `$N`)",
        [1],
    )


def test_subquery_aliases_are_unique_within_a_statement() -> None:
    first = Limit(SESSION, Top(3, "score DESC"), HEADING)
    second = Limit(first, Top(2, "score"), HEADING)
    node = Limit(second, Top(1, "session_idx"), HEADING)
    aliases = re.findall(r"`(\$[0-9a-f]+)`", MYSQL.sql(node)[0])
    assert len(aliases) == 2
    assert aliases[0] != aliases[1]


def test_a_query_of_a_known_shape_reuses_its_sql_and_binds_new_values() -> None:
    first = MYSQL.sql(Restrict(SESSION, Compare("subject_id", "=", 1), HEADING))
    second = MYSQL.sql(Restrict(SESSION, Compare("subject_id", "=", 2), HEADING))
    assert first[0] == second[0]
    assert (first[1], second[1]) == ([1], [2])


def test_an_unknown_node_type_is_refused() -> None:
    class Strange(Node):
        heading = HEADING

    with pytest.raises(DataJointError, match="Cannot compile query node Strange"):
        MYSQL.sql(Strange())
