# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload, operator"
"""Every error an ill-formed query expression raises (spec/engine.md §4, §12 bug 10).

Errors are raised when the expression is built, before any SQL is sent, and are formatted
``DataJointError``s (``TypeError`` for ill-typed ``dj.Top`` arguments, as in DataJoint).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.settings import Config

U_JOIN_MESSAGE_BUG = (
    "schema/operators.py operand() formats 'table {operation} dj.U(...)', so `X * dj.U(...)` "
    "says 'table join dj.U(...)' instead of 'table * dj.U(...)'"
)
OTHER_CONNECTION_NOT_BUG = (
    "schema/expression.py QueryExpression.restrict checks the connection of the restriction "
    "object itself; a query wrapped in dj.Not (so every `A - B`), a list or an AndList is never "
    "checked and compiles against A's connection"
)


@pytest.fixture(scope="module", params=["sqlite", "mysql"])
def t(request: pytest.FixtureRequest) -> Iterator[SimpleNamespace]:
    fixture = "mysql_connection" if request.param == "mysql" else "sqlite_connection"
    connection: dj.Connection = request.getfixturevalue(fixture)
    schema = dj.Schema(f"jt_{os.getpid()}_err_{uuid.uuid4().hex[:6]}", connection=connection)

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int16
        ---
        name : varchar(16)
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        kind : varchar(8)
        """

    @schema
    class Keeper(dj.Manual):
        definition = """
        -> Subject
        keeper : int16
        ---
        name : varchar(16)
        """

    @schema
    class ThingA(dj.Manual):
        definition = """
        id : int16
        ---
        a : varchar(8)
        """

    @schema
    class ThingB(dj.Manual):
        definition = """
        id : int16
        ---
        b : varchar(8)
        """

    try:
        Subject.insert([{"subject_id": 1, "name": "ann"}, {"subject_id": 2, "name": "bob"}])
        Session.insert([{"subject_id": 1, "session": 1, "kind": "a"}])
        Keeper.insert(
            [
                {"subject_id": 1, "keeper": 1, "name": "ann"},
                {"subject_id": 2, "keeper": 1, "name": "zed"},
            ]
        )
        yield SimpleNamespace(**{k: v for k, v in locals().items() if isinstance(v, type)})
    finally:
        schema.drop(prompt=False)


def raises(
    message: str, build: Callable[[], Any], error: type[Exception] = dj.DataJointError
) -> None:
    """``build()`` raises ``error`` whose text is exactly ``message``."""
    with pytest.raises(error) as caught:
        build()
    assert str(caught.value) == message


DIFFERENT_LINEAGE = (
    "Cannot join on attribute `id`: different lineages ({a} vs {b}). "
    "Use .proj() to rename one of the attributes."
)


def lineage(table: Any, name: str) -> str:
    return str(table.heading[name].lineage)


# ---- connections (§4.1) ------------------------------------------------------------------------


@pytest.fixture
def elsewhere(t: Any) -> Iterator[Any]:
    """``Subject`` through a second connection to the same database."""
    address = t.Subject().connection.address
    if address.backend == "sqlite":
        url = f"sqlite:///{address.path}"
    else:
        url = os.environ.get("JOINERY_TEST_MYSQL_URL", "mysql://root:@127.0.0.1:3306")
    other = dj.Connection(url=url, config=Config(environ={}))
    try:
        yield dj.FreeTable(other, t.Subject.full_table_name)
    finally:
        other.close()


OTHER_CONNECTION = r"^Cannot operate on expressions from different connections\. "


def test_operands_from_different_connections_are_refused(t: Any, elsewhere: Any) -> None:
    builds: list[Callable[[], Any]] = [
        lambda: t.Subject * elsewhere,
        lambda: t.Subject.extend(elsewhere),
        lambda: t.Subject & elsewhere,
        lambda: t.Subject.aggr(elsewhere, n="count(*)"),
        lambda: t.Subject.proj() + elsewhere.proj(),
    ]
    for build in builds:
        with pytest.raises(dj.DataJointError, match=OTHER_CONNECTION):
            build()


def test_negated_operands_from_different_connections_are_refused(t: Any, elsewhere: Any) -> None:
    builds: list[Callable[[], Any]] = [
        lambda: t.Subject - elsewhere.proj(),
        lambda: t.Subject & dj.Not(elsewhere.proj()),
        lambda: t.Subject & [elsewhere.proj()],
    ]
    for build in builds:
        with pytest.raises(dj.DataJointError, match=OTHER_CONNECTION):
            build()


# ---- restriction (§4.2) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("restriction", "text"),
    [
        (None, "None"),
        (3, "3"),
        (2.5, "2.5"),
        (object, "<class 'object'>"),
    ],
    ids=["none", "int", "float", "object"],
)
def test_invalid_restriction_types(t: Any, restriction: Any, text: str) -> None:
    raises(f"Invalid restriction type {text}", lambda: t.Subject & restriction)


@pytest.mark.parametrize(
    "wrap",
    [lambda top: [top], lambda top: dj.AndList([top]), lambda top: dj.Not(top)],
    ids=["or-list", "and-list", "not"],
)
def test_top_inside_a_combined_restriction_is_refused(t: Any, wrap: Callable[[Any], Any]) -> None:
    raises(
        "Invalid restriction type Top(limit=1, order_by=['KEY'], offset=0)",
        lambda: t.Subject & wrap(dj.Top()),
    )
    raises(
        "Invalid restriction type Top(limit=2, order_by=['KEY'], offset=0)",
        lambda: t.Subject - dj.Top(2),
    )


def test_string_restriction_naming_an_unknown_attribute(t: Any) -> None:
    raises("Attribute `nope` is not found in query.", lambda: t.Subject & "nope = 1")
    raises("Attribute `name` is not found in query.", lambda: t.Subject.proj() & "name = 'x'")
    raises(
        "Attribute `subject_id` is not found in query.",
        lambda: t.Subject.proj(sid="subject_id") & "subject_id = 1",
    )


def test_removed_operators(t: Any) -> None:
    raises(
        "The ^ operator has been removed in DataJoint 2.0. Use .restrict(other, "
        "semantic_check=False) for restrictions without semantic checking.",
        lambda: t.Subject() ^ t.Session(),
    )
    raises(
        "The @ operator has been removed in DataJoint 2.0. Use .join(other, "
        "semantic_check=False) for joins without semantic checking.",
        lambda: t.Subject() @ t.Session(),
    )


def test_restriction_by_a_query_checks_lineage(t: Any) -> None:
    message = DIFFERENT_LINEAGE.format(a=lineage(t.ThingA, "id"), b=lineage(t.ThingB, "id"))
    raises(message, lambda: t.ThingA & t.ThingB)
    raises(message, lambda: t.ThingA - t.ThingB)
    with pytest.raises(dj.DataJointError, match=r"^Cannot join on attribute `name`: lineage miss"):
        t.Keeper & t.Subject
    unchecked = t.Keeper().restrict(t.Subject, semantic_check=False)  # on subject_id and name
    assert unchecked.to_dicts() == [{"subject_id": 1, "keeper": 1, "name": "ann"}]


# ---- join (§4.3, §4.4) ---------------------------------------------------------------------------


def test_join_on_namesakes_with_different_lineages(t: Any) -> None:
    message = DIFFERENT_LINEAGE.format(a=lineage(t.ThingA, "id"), b=lineage(t.ThingB, "id"))
    raises(message, lambda: t.ThingA * t.ThingB)
    raises(message, lambda: t.ThingA.join(t.ThingB))
    flipped = DIFFERENT_LINEAGE.format(a=lineage(t.ThingB, "id"), b=lineage(t.ThingA, "id"))
    raises(flipped, lambda: t.ThingB * t.ThingA)
    raises(message, lambda: t.ThingA.proj() * t.ThingB.proj())


def test_join_on_a_namesake_without_lineage(t: Any) -> None:
    message = (
        "Cannot join on attribute `name`: lineage missing on one side (None vs None). This "
        "usually indicates a stale `~lineage` entry or a secondary attribute that has no origin; "
        "run `schema.rebuild_lineage()` or use `.proj()` to rename one of the attributes."
    )
    raises(message, lambda: t.Keeper * t.Subject)
    raises(message, lambda: t.Subject.extend(t.Keeper))  # lineage is checked first
    computed = t.Subject.proj(x="1")
    with pytest.raises(
        dj.DataJointError, match=r"attribute `x`: lineage missing on one side \(None vs None\)"
    ):
        computed * t.Session.proj(x="2")


def test_join_with_a_non_expression(t: Any) -> None:
    for other in ({"subject_id": 1}, "subject_id = 1", 3, None):
        raises("The argument of join must be a QueryExpression", lambda o=other: t.Subject * o)


def test_left_join_requires_the_left_to_determine_the_right(t: Any) -> None:
    message = (
        "Left join requires the left operand to determine the right operand (A → B). The "
        "following attributes from the right operand's primary key are not in the left operand: "
        "{}. Use an inner join or restructure the query."
    )
    raises(message.format("['session']"), lambda: t.Subject.extend(t.Session))
    raises(message.format("['session']"), lambda: t.Subject.join(t.Session, left=True))
    raises(message.format("['id']"), lambda: t.Subject.extend(t.ThingA))


def test_universal_set_after_join_is_refused(t: Any) -> None:
    raises(
        "dj.U(...) * table is no longer supported in DataJoint 2.0. "
        "Use dj.U(...) & table or dj.U(...).aggr(table, ...).",
        lambda: dj.U("kind") * t.Session,
    )
    with pytest.raises(dj.DataJointError, match=r"dj\.U\(\.\.\.\) is no longer supported"):
        t.Session * dj.U("kind")


def test_table_times_universal_set_names_the_operator(t: Any) -> None:
    pattern = r"^table \* dj\.U\(\.\.\.\) is no longer supported in DataJoint 2\.0\."
    with pytest.raises(dj.DataJointError, match=pattern):
        t.Session * dj.U("kind")


# ---- proj (§4.5, §12 bug 10) --------------------------------------------------------------------


def test_proj_errors(t: Any) -> None:
    raises("1 is not a valid data type for an attribute in .proj", lambda: t.Subject.proj(1))
    raises("None is not a valid data type for an attribute in .proj", lambda: t.Session.proj(None))
    raises("Attribute `nope` not found.", lambda: t.Subject.proj("nope"))
    raises("Attribute `nope` not found.", lambda: t.Subject.proj("-nope"))
    raises("Attribute `name` already exists", lambda: t.Subject.proj("name", name="subject_id"))
    raises("Attribute `kind` already exists", lambda: t.Session.proj(..., kind="session"))


def test_excluding_a_key_attribute_is_a_formatted_error(t: Any) -> None:  # §12 bug 10
    raises("Cannot exclude primary key attribute `session`", lambda: t.Session.proj("-session"))
    with pytest.raises(dj.DataJointError) as caught:
        t.Session.proj(..., "-subject_id")
    assert "%s" not in str(caught.value)
    assert caught.value.args == ("Cannot exclude primary key attribute `subject_id`",)


def test_proj_may_reuse_a_name_that_is_not_selected(t: Any) -> None:
    assert t.Subject.proj(name="subject_id").heading.names == ["name"]
    assert t.Session.proj(kind="session").heading.names == ["subject_id", "kind"]


# ---- aggr (§4.6) --------------------------------------------------------------------------------


def test_aggregation_needs_the_group_to_hold_the_key(t: Any) -> None:
    raises(
        "Aggregation requires the group expression to contain all primary key attributes of "
        "the grouping expression. Missing attributes: ['session'].",
        lambda: t.Session.aggr(t.Subject, n="count(*)"),
    )
    raises(
        "Aggregation requires the group expression to contain all primary key attributes of "
        "the grouping expression. Missing attributes: ['subject_id'].",
        lambda: t.Subject.aggr(t.ThingA, n="count(*)"),
    )


def test_aggregation_checks_lineage(t: Any) -> None:
    with pytest.raises(dj.DataJointError, match=r"^Cannot join on attribute `name`: lineage miss"):
        t.Subject.aggr(t.Keeper, n="count(*)")
    renamed = t.ThingA.proj(subject_id="id")
    with pytest.raises(dj.DataJointError, match=r"^Cannot join on attribute `subject_id`: diff"):
        t.Subject.aggr(renamed, n="count(*)")


def test_aggregation_argument_errors(t: Any) -> None:
    raises(
        "The argument of aggr must be a QueryExpression",
        lambda: t.Subject.aggr({"subject_id": 1}, n="count(*)"),
    )
    raises("Attribute `name` already exists", lambda: t.Subject.aggr(t.Session, "name", name="1"))
    raises("Attribute `nope` not found.", lambda: t.Subject.aggr(t.Session, "nope", n="count(*)"))
    raises(
        "1 is not a valid data type for an attribute in .proj",
        lambda: t.Subject.aggr(t.Session, 1, n="count(*)"),
    )


# ---- union (§4.7) -------------------------------------------------------------------------------


def test_union_errors(t: Any) -> None:
    raises(
        "The operands of a union must share the same primary key.", lambda: t.Subject + t.Session
    )
    raises(
        "The operands of a union must share the same primary key.",
        lambda: t.Subject.proj() + t.Session.proj(),
    )
    raises(
        "The operands of a union must not share any secondary attributes.",
        lambda: t.Subject.proj("name") + t.Subject.proj("name"),
    )
    for other in (1, {"subject_id": 1}, "subject_id = 1"):
        raises(
            "A QueryExpression can only be unioned with another QueryExpression",
            lambda o=other: t.Subject + o,
        )


def test_union_of_keys_does_no_lineage_check(t: Any) -> None:
    union = t.Subject.proj() + t.ThingA.proj(subject_id="id")
    assert union.primary_key == ["subject_id"]
    assert len(union) == 2


# ---- dj.U (§4.8, §12 bug 10) --------------------------------------------------------------------


def test_universal_set_errors(t: Any) -> None:
    raises(
        "dj.U(...) - table produces an infinite set and is not supported. "
        "Restrict the table instead: table - other.",
        lambda: dj.U("kind") - t.Session,
    )
    raises("Set U can only be restricted with a QueryExpression.", lambda: dj.U("k") & {"k": 1})
    raises("Set U can only be restricted with a QueryExpression.", lambda: dj.U("k") & "k = 1")
    raises(
        "dj.U.aggr requires a QueryExpression as the group argument.",
        lambda: dj.U("kind").aggr({"kind": "a"}, n="count(*)"),
    )
    raises(
        "Cannot set exclude_nonmatching=False when aggregating on a universal set.",
        lambda: dj.U("kind").aggr(t.Session, n="count(*)", exclude_nonmatching=False),
    )


def test_universal_set_with_a_missing_attribute_is_a_formatted_error(t: Any) -> None:  # bug 10
    raises(
        "Attributes ['nope'] not found in the group expression.", lambda: dj.U("nope") & t.Session
    )
    raises(
        "Attributes ['nope'] not found in the group expression.",
        lambda: dj.U("kind", "nope").aggr(t.Session, n="count(*)"),
    )


# ---- dj.Top (§4.9) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: dj.Top(1.5), "Top limit must be an integer"),
        (lambda: dj.Top("1"), "Top limit must be an integer"),
        (lambda: dj.Top(True), "Top limit must be an integer"),
        (lambda: dj.Top(1, 3), "Top order_by attributes must all be strings"),
        (lambda: dj.Top(1, ["a", 2]), "Top order_by attributes must all be strings"),  # type: ignore[list-item]
        (lambda: dj.Top(1, offset="2"), "The offset argument must be an integer"),
        (lambda: dj.Top(1, offset=None), "The offset argument must be an integer"),
    ],
    ids=[
        "float-limit",
        "str-limit",
        "bool-limit",
        "int-order",
        "mixed-order",
        "str-offset",
        "none",
    ],
)
def test_ill_typed_top_arguments(build: Callable[[], Any], message: str) -> None:
    raises(message, build, TypeError)


# ---- fetching (§4.10) ---------------------------------------------------------------------------


def test_fetch1_needs_exactly_one_row(t: Any) -> None:
    raises("fetch1 requires exactly one tuple in the input set.", lambda: t.Subject.fetch1())
    raises("fetch1 requires exactly one tuple in the input set.", lambda: t.ThingA.fetch1())
    raises("fetch1 should only return one tuple. 2 tuples found", lambda: t.Subject.fetch1("name"))
    raises("Attribute `nope` not found.", lambda: (t.Subject & {"subject_id": 1}).fetch1("nope"))
    joined = t.Subject * t.Session
    assert joined.fetch1("KEY") == {"subject_id": 1, "session": 1}


def test_errors_are_raised_before_any_sql_is_sent(t: Any) -> None:
    """A failed build leaves nothing half-done: the same operands still work afterwards."""
    with pytest.raises(dj.DataJointError):
        t.ThingA * t.ThingB
    assert re.match(r"^SELECT ", (t.ThingA.proj() * t.ThingB.proj(b_id="id")).make_sql())
