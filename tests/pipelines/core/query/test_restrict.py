# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""Restriction ``A & c`` / ``A - c`` (spec/engine.md §4.2) on SQLite and on MariaDB.

Every condition form, the negation algebra, semijoins and antijoins, and values that must travel
as bound parameters (quotes, ``%``, backslashes), never spliced into the SQL text.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import numpy as np
import pandas as pd
import pytest

import pipelines.core as dj

DATETIME_FOR_DATE = (
    "values._temporal_encoder turns a datetime given for a date attribute into a date, then "
    "calls date.isoformat(sep=' ') on the textual (SQLite) path: TypeError"
)
TOKEN = uuid.UUID("6a2f41a3-c54c-fce8-32d2-0324e1c32e22")


@pytest.fixture
def tables(schema: dj.Schema) -> dict[str, Any]:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(20)
        born = null : date
        token = null : uuid
        flag = 0 : bool
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        stamp = null : datetime
        """

    @schema
    class Other(dj.Manual):
        definition = """
        other_id : int16
        ---
        name : varchar(20)
        """

    Subject.insert(
        [
            {"subject_id": 1, "name": "50%", "born": "2020-01-01", "token": TOKEN, "flag": 1},
            {"subject_id": 2, "name": "o'neil", "born": None, "token": None, "flag": 0},
            {
                "subject_id": 3,
                "name": "back\\slash",
                "born": "2021-06-30",
                "token": None,
                "flag": 0,
            },
            {"subject_id": 4, "name": "plain", "born": "2022-01-01", "token": None, "flag": 0},
        ]
    )
    Session.insert(
        [
            {"subject_id": 1, "session": 1, "stamp": "2024-01-01 10:00:00"},
            {"subject_id": 3, "session": 1, "stamp": None},
        ]
    )
    return {"Subject": Subject, "Session": Session, "Other": Other}


@pytest.fixture
def subject(tables: dict[str, Any]) -> Any:
    return tables["Subject"]


def ids(query: Any) -> list[int]:
    keys: list[dict[str, Any]] = query.keys()
    return sorted(row["subject_id"] for row in keys)


ALL = [1, 2, 3, 4]


# ---- dicts and records ---------------------------------------------------------------------------


def test_dict_restricts_by_equality_on_every_known_key(subject: Any) -> None:
    assert ids(subject & {"subject_id": 1}) == [1]
    assert ids(subject & {"flag": 0, "name": "plain"}) == [4]
    assert ids(subject & {"subject_id": np.int64(2)}) == [2]


def test_dict_keys_that_are_not_attributes_are_ignored(subject: Any) -> None:
    assert ids(subject & {"subject_id": 1, "zzz": 5}) == [1]
    assert ids(subject & {"zzz": 5}) == ALL


def test_dict_none_value_is_is_null(subject: Any) -> None:
    assert ids(subject & {"born": None}) == [2]
    assert ids(subject - {"born": None}) == [1, 3, 4]
    assert "IS NULL" in (subject & {"born": None}).make_sql()


def test_dict_keys_renamed_away_are_ignored(subject: Any) -> None:
    renamed = subject.proj(sid="subject_id")
    assert renamed.heading.names == ["sid"]
    assert len(renamed & {"subject_id": 1}) == 4


def test_restriction_after_a_rename_uses_the_new_name(subject: Any) -> None:
    renamed = subject.proj("name", sid="subject_id")
    assert len(renamed & "sid = 1") == 1
    assert (renamed & {"sid": 3}).to_dicts()[0]["name"] == "back\\slash"


def test_numpy_record_restricts_by_its_fields(subject: Any) -> None:
    record = subject.to_arrays(order_by="KEY")[2]
    assert isinstance(record, np.void)
    assert ids(subject & record) == [3]
    keys = subject.proj().to_arrays(order_by="KEY")[:2]
    assert ids(subject & keys) == [1, 2]


def test_dataframe_restricts_by_its_rows(subject: Any) -> None:
    assert ids(subject & pd.DataFrame({"subject_id": [2, 4]})) == [2, 4]
    frame = subject.proj("flag").to_pandas()  # indexed by the primary key: index included
    assert ids(subject & frame[frame["flag"] == 1]) == [1]


# ---- strings ---------------------------------------------------------------------------------


def test_string_is_raw_sql(subject: Any) -> None:
    assert ids(subject & "subject_id > 2") == [3, 4]
    assert ids(subject & "subject_id in (1, 2)") == [1, 2]
    assert ids(subject & "born is null") == [2]
    assert ids(subject & "lower(name) = 'plain'") == [4]
    assert ids(subject & "`subject_id` = 2") == [2]
    assert ids(subject & "  ") == ALL


def test_string_naming_an_unknown_attribute_is_refused_before_sql(subject: Any) -> None:
    with pytest.raises(dj.DataJointError, match=r"^Attribute `zzz` is not found in query\.$"):
        subject & "zzz = 1"
    with pytest.raises(dj.DataJointError, match="Attribute `zz` is not found in query"):
        subject & "`zz` = 2"
    with pytest.raises(dj.DataJointError, match="Attribute `nope` is not found in query"):
        subject & "subject_id = 1 and nope = 2"


def test_lowercase_true_and_false_are_accepted_in_strings(subject: Any) -> None:
    assert ids(subject & "flag = true") == [1]
    assert ids(subject & "flag = TRUE") == [1]
    assert ids(subject & "flag = false") == [2, 3, 4]


def test_quoted_text_in_strings_is_not_taken_for_attributes(subject: Any) -> None:
    assert ids(subject & "name = 'plain'") == [4]
    assert ids(subject & "name like '50%'") == [1]
    assert ids(subject & "name like '%nei%'") == [2]


def test_date_comparisons_in_strings(subject: Any) -> None:
    assert ids(subject & "born > '2020-06-01'") == [3, 4]
    assert ids(subject & "born = '2021-06-30'") == [3]


# ---- collections and combinators ------------------------------------------------------------


def test_list_is_or(subject: Any) -> None:
    assert ids(subject & [{"subject_id": 1}, "subject_id = 3"]) == [1, 3]
    assert ids(subject & ({"subject_id": 2}, {"subject_id": 4})) == [2, 4]
    assert ids(subject - [{"subject_id": 1}, {"subject_id": 2}]) == [3, 4]


def test_empty_list_restricts_to_nothing(subject: Any) -> None:
    assert ids(subject & []) == []
    assert ids(subject & [[]]) == []
    assert ids(subject - []) == ALL


def test_a_true_item_in_a_list_keeps_everything(subject: Any) -> None:
    assert ids(subject & [{"subject_id": 1}, True]) == ALL
    assert ids(subject & [False, {"subject_id": 1}]) == [1]


def test_andlist_is_and(subject: Any) -> None:
    assert ids(subject & dj.AndList([{"flag": 0}, "subject_id > 2"])) == [3, 4]
    assert ids(subject & dj.AndList([])) == ALL
    assert ids(subject - dj.AndList([])) == []
    assert ids(subject & dj.AndList([{"flag": 0}, False])) == []


def test_not_and_minus(subject: Any) -> None:
    assert ids(subject & dj.Not({"subject_id": 1})) == [2, 3, 4]
    assert ids(subject & dj.Not(dj.Not({"subject_id": 1}))) == [1]
    assert ids(subject - {"subject_id": 1}) == [2, 3, 4]
    assert ids(subject - "subject_id > 1") == [1]
    assert ids(subject - {}) == []
    assert ids(subject - {"foo": 0}) == []


def test_true_and_false(subject: Any) -> None:
    query = subject()
    assert (query & True) is query
    assert (query & {}) is query
    assert (query & dj.AndList([])) is query
    assert ids(query & False) == []
    assert ids(query - False) == ALL
    assert ids(query - True) == []


def test_chained_restrictions_and_together(subject: Any) -> None:
    query = subject & "subject_id > 1" & {"flag": 0} & "subject_id < 4"
    assert ids(query) == [2, 3]
    assert ids((subject - {"subject_id": 2}) & [{"subject_id": 2}, {"subject_id": 3}]) == [3]


def test_restricting_a_table_class_works_like_an_instance(subject: Any) -> None:
    assert ids(subject & {"subject_id": 3}) == ids(subject() & {"subject_id": 3}) == [3]
    assert ids(subject - {"subject_id": 3}) == [1, 2, 4]


# ---- queries as conditions ------------------------------------------------------------------


def test_semijoin_and_antijoin(tables: dict[str, Any]) -> None:
    subject, session = tables["Subject"], tables["Session"]
    assert ids(subject & session) == [1, 3]
    assert ids(subject - session) == [2, 4]
    assert ids(subject & -session) == [2, 4]
    assert ids(subject & (session & "stamp is not null")) == [1]
    assert ids(subject & session.proj()) == [1, 3]
    assert ids(subject - (session & {"subject_id": 3})) == [1, 2, 4]
    assert ids(session & (subject & {"flag": 1})) == [1]


def test_restriction_by_a_query_with_no_common_attributes_is_exists(
    tables: dict[str, Any],
) -> None:
    session, other = tables["Session"], tables["Other"]
    assert ids(session & other) == []
    assert ids(session - other) == [1, 3]
    other.insert1({"other_id": 1, "name": "x"})
    assert ids(session & other) == [1, 3]
    assert ids(session - other) == []
    assert ids(session & (other & {"other_id": 2})) == []


def test_namesakes_without_shared_lineage_are_refused(tables: dict[str, Any]) -> None:
    subject, other = tables["Subject"], tables["Other"]
    other.insert1({"other_id": 1, "name": "plain"})
    with pytest.raises(dj.DataJointError, match="Cannot join on attribute `name`"):
        subject & other
    assert ids(subject().restrict(other, semantic_check=False)) == [4]


def test_expressions_from_different_connections_are_refused(
    tables: dict[str, Any], conn: dj.Connection
) -> None:
    address = conn.address
    url = (
        f"sqlite:///{address.path}"
        if address.backend == "sqlite"
        else f"mysql://{address.user}:{address.password or ''}@{address.host}:{address.port}"
    )
    other_connection = dj.Connection(url=url, config=conn.config)
    try:
        foreign = dj.FreeTable(other_connection, tables["Session"].full_table_name)
        assert len(foreign) == 2
        with pytest.raises(dj.DataJointError, match="Cannot operate on expressions from different"):
            tables["Subject"] & foreign
    finally:
        other_connection.close()


# ---- values are bound, never spliced ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [("50%", [1]), ("o'neil", [2]), ("back\\slash", [3]), ("x' OR '1'='1", []), ("%%", [])],
)
def test_special_characters_in_values_are_bound_parameters(
    subject: Any, name: str, expected: list[int]
) -> None:
    query = subject & {"name": name}
    assert ids(query) == expected
    assert name not in query.make_sql()


def test_dates_as_strings_or_objects(tables: dict[str, Any]) -> None:
    subject, session = tables["Subject"], tables["Session"]
    assert ids(subject & {"born": "2020-01-01"}) == [1]
    assert ids(subject & {"born": dt.date(2020, 1, 1)}) == [1]
    assert ids(session & {"stamp": "2024-01-01 10:00:00"}) == [1]
    assert ids(session & {"stamp": dt.datetime(2024, 1, 1, 10)}) == [1]
    assert ids(session & {"stamp": "2024-01-01 10:00:01"}) == []


def test_a_datetime_value_for_a_date_attribute_compares_its_date(
    subject: Any, backend: str, request: pytest.FixtureRequest
) -> None:
    assert ids(subject & {"born": dt.datetime(2021, 6, 30, 0, 0)}) == [3]


def test_uuid_values(subject: Any) -> None:
    assert ids(subject & {"token": TOKEN}) == [1]
    assert ids(subject & {"token": str(TOKEN)}) == [1]
    assert ids(subject & {"token": TOKEN.bytes}) == [1]
    assert ids(subject & {"token": uuid.uuid4()}) == []
    with pytest.raises(dj.DataJointError, match="`token`: badly formed UUID"):
        ids(subject & {"token": "nope"})


# ---- invalid restrictions -------------------------------------------------------------------


@pytest.mark.parametrize(
    "condition",
    [[dj.Top(1)], dj.AndList([dj.Top(1)]), dj.Not(dj.Top(1)), [{"subject_id": 1}, dj.Top(2)]],
    ids=["list", "andlist", "not", "mixed-list"],
)
def test_top_inside_a_combinator_is_refused(subject: Any, condition: Any) -> None:
    with pytest.raises(
        dj.DataJointError, match=r"Invalid restriction type Top\(limit=\d, order_by=\['KEY'\]"
    ):
        subject & condition


@pytest.mark.parametrize(
    "condition", [None, 3, 2.5, b"x", object()], ids=["none", "int", "float", "bytes", "object"]
)
def test_invalid_restriction_types_are_refused(subject: Any, condition: Any) -> None:
    with pytest.raises(dj.DataJointError, match="Invalid restriction type"):
        subject & condition
