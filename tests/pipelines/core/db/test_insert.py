# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""``insert`` / ``insert1`` (spec/engine.md §3.1, §9) on SQLite and on MariaDB.

Every accepted input shape, every option, and every error: its class, and a message that names
the attribute and the row. A failed batch never leaves part of itself behind.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import pipelines.core as dj
from pipelines.core.errors import UnknownFieldError


def _tables(schema: dj.Schema) -> dict[str, Any]:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name = '' : varchar(8)
        small = 0 : int8
        kind = 'a' : enum('a', 'b')
        token = null : uuid
        meta = null : json
        weight = null : float64
        born = null : date
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        note : varchar(10)
        """

    return {"Subject": Subject, "Session": Session}


@pytest.fixture
def subject(schema: dj.Schema) -> Any:
    return _tables(schema)["Subject"]


def _ids(table: Any) -> list[int]:
    keys: list[dict[str, Any]] = table.keys()
    return sorted(row["subject_id"] for row in keys)


# ---- accepted inputs -----------------------------------------------------------------------


def test_insert_dicts_in_any_key_order(subject: Any) -> None:
    subject.insert([{"subject_id": 1, "name": "ann"}, {"name": "bob", "subject_id": 2}])
    assert subject.to_dicts(order_by="KEY")[1]["name"] == "bob"
    assert _ids(subject) == [1, 2]


def test_insert1_of_a_dict(subject: Any) -> None:
    subject.insert1({"subject_id": 3, "weight": 2.5, "born": dt.date(2020, 5, 6)})
    row = subject.fetch1()
    assert (row["weight"], row["born"]) == (2.5, dt.date(2020, 5, 6))


def test_insert_numpy_records_and_structured_arrays(subject: Any) -> None:
    array = np.array(
        [(1, "np", 2.5), (2, "np2", np.nan)],
        dtype=[("subject_id", "i8"), ("name", "U8"), ("weight", "f8")],
    )
    subject.insert(array)
    subject.insert([np.array([(3, "rec", 1.0)], dtype=array.dtype)[0]])
    assert subject.to_dicts(order_by="KEY") == [
        {**_defaults(1), "name": "np", "weight": 2.5},
        {**_defaults(2), "name": "np2", "weight": None},
        {**_defaults(3), "name": "rec", "weight": 1.0},
    ]


def test_insert_dataframe_with_default_index(subject: Any) -> None:
    frame = pd.DataFrame({"subject_id": [1, 2], "name": ["df", "df2"], "weight": [1.0, np.nan]})
    subject.insert(frame)
    assert subject.to_arrays("weight").tolist() == [1.0, None]


def test_insert_dataframe_indexed_by_the_primary_key(subject: Any, schema: dj.Schema) -> None:
    subject.insert([{"subject_id": i, "name": f"n{i}"} for i in (1, 2)])

    @schema
    class Copy(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(8)
        """

    frame = subject.proj("name").to_pandas()
    assert list(frame.index.names) == ["subject_id"]
    Copy.insert(frame)
    assert Copy.to_dicts(order_by="KEY") == [
        {"subject_id": 1, "name": "n1"},
        {"subject_id": 2, "name": "n2"},
    ]


def test_positional_tuples_are_deprecated_but_accepted(subject: Any) -> None:
    with pytest.warns(DeprecationWarning, match="Positional inserts are deprecated"):
        subject.insert([(5, "tup", 1, "b", None, None, 1.5, None)])
    assert subject.fetch1("name", "kind", "weight") == ("tup", "b", 1.5)


def test_positional_row_of_the_wrong_length_is_refused(subject: Any) -> None:
    with (
        pytest.warns(DeprecationWarning),
        pytest.raises(
            dj.DataJointError, match="Incorrect number of attributes: 2 given; 8 expected"
        ),
    ):
        subject.insert([(5, "short")])
    assert len(subject()) == 0


def test_a_dict_row_after_a_positional_row_is_read_as_a_dict(schema: dj.Schema) -> None:
    @schema
    class Color(dj.Lookup):
        definition = """
        color : varchar(8)
        ---
        rgb : char(6)
        """

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        Color.insert([("red", "ff0000"), {"rgb": "0000ff", "color": "blue"}])
    assert Color.to_dicts(order_by="KEY") == [
        {"color": "blue", "rgb": "0000ff"},
        {"color": "red", "rgb": "ff0000"},
    ]


def test_insert_from_a_query_runs_insert_select(schema: dj.Schema, subject: Any) -> None:
    @schema
    class Named(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(8)
        """

    subject.insert([{"subject_id": i, "name": f"s{i}", "weight": i / 2} for i in range(5)])
    with pytest.raises(dj.DataJointError, match="Attribute `small` of the query is not in the"):
        Named.insert(subject & "subject_id < 3")
    assert len(Named()) == 0
    Named.insert(subject & "subject_id < 3", ignore_extra_fields=True)
    assert Named.to_dicts(order_by="KEY") == [{"subject_id": i, "name": f"s{i}"} for i in range(3)]
    Named.insert(subject.proj("name"), skip_duplicates=True)
    assert len(Named()) == 5
    Named.insert(subject.proj(name="kind"), replace=True)
    assert set(Named.to_arrays("name").tolist()) == {"a"}


def test_insert_from_a_table_class(schema: dj.Schema, subject: Any) -> None:
    @schema
    class Backup(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name = '' : varchar(8)
        small = 0 : int8
        kind = 'a' : enum('a', 'b')
        token = null : uuid
        meta = null : json
        weight = null : float64
        born = null : date
        """

    subject.insert([{"subject_id": 1, "meta": {"k": [1]}, "token": uuid.UUID(int=7)}])
    Backup.insert(type(subject()))
    assert Backup.to_dicts() == subject.to_dicts()


def test_insert_from_a_query_duplicate_carries_the_hint(schema: dj.Schema, subject: Any) -> None:
    subject.insert1({"subject_id": 1})
    with pytest.raises(dj.DuplicateError) as caught:
        subject.insert(subject.proj(), ignore_extra_fields=True)
    assert caught.value.args[-1] == (
        "To ignore duplicate entries in insert, set skip_duplicates=True"
    )


def test_insert_from_a_csv_path(subject: Any, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("subject_id,name,weight,born\n100,csv,1.5,2021-02-03\n101,csv2,,2021-02-04\n")
    subject.insert(path)
    subject.insert(str(path), skip_duplicates=True)
    assert subject.to_dicts(order_by="KEY") == [
        {**_defaults(100), "name": "csv", "weight": 1.5, "born": dt.date(2021, 2, 3)},
        {**_defaults(101), "name": "csv2", "born": dt.date(2021, 2, 4)},
    ]


def test_insert_of_nothing_is_a_no_op(subject: Any) -> None:
    subject.insert([])
    subject.insert(pd.DataFrame())
    assert len(subject()) == 0


def test_insert_of_a_single_dict_asks_for_insert1(subject: Any) -> None:
    with pytest.raises(dj.DataJointError, match="use insert1 for a single row"):
        subject.insert({"subject_id": 1})


# ---- options ----------------------------------------------------------------------------------


def test_replace_overwrites_the_row(subject: Any) -> None:
    subject.insert1({"subject_id": 1, "name": "old"})
    subject.insert1({"subject_id": 1, "name": "new"}, replace=True)
    assert subject.fetch1("name") == "new"


def test_skip_duplicates_skips_existing_keys_and_inserts_the_rest(subject: Any) -> None:
    subject.insert1({"subject_id": 1, "name": "keep"})
    subject.insert(
        [{"subject_id": 1, "name": "dup"}, {"subject_id": 2, "name": "two"}],
        skip_duplicates=True,
    )
    assert subject.to_arrays("name", order_by="KEY").tolist() == ["keep", "two"]


def test_skip_duplicates_does_not_hide_foreign_key_errors(schema: dj.Schema) -> None:
    session = _tables(schema)["Session"]
    with pytest.raises(dj.IntegrityError):
        session.insert1({"subject_id": 1, "session": 1, "note": "x"}, skip_duplicates=True)


def test_ignore_extra_fields_drops_unknown_attributes(subject: Any) -> None:
    subject.insert(
        [{"subject_id": 1, "nope": 5}, {"subject_id": 2, "other": "x"}], ignore_extra_fields=True
    )
    assert _ids(subject) == [1, 2]


def test_chunk_size_inserts_every_chunk(subject: Any) -> None:
    subject.insert([{"subject_id": i} for i in range(7)], chunk_size=2)
    assert _ids(subject) == list(range(7))


def test_a_duplicate_in_a_later_chunk_leaves_nothing_behind(subject: Any) -> None:
    subject.insert1({"subject_id": 0})
    rows = [{"subject_id": i} for i in range(10, 15)] + [{"subject_id": 0}]
    with pytest.raises(dj.DuplicateError):
        subject.insert(rows, chunk_size=2)
    assert _ids(subject) == [0]


def test_allow_direct_insert_on_computed_and_imported(schema: dj.Schema, subject: Any) -> None:
    Subject = subject  # noqa: F841 - referenced by the definitions below

    @schema
    class Scan(dj.Imported):
        definition = """
        -> Subject
        """

    @schema
    class Stats(dj.Computed):
        definition = """
        -> Subject
        ---
        mean = null : float64
        """

    subject.insert1({"subject_id": 1})
    message = (
        "Inserts into an auto-populated table can only be done inside its make method during a "
        "populate call. To override, set keyword argument allow_direct_insert=True."
    )
    for table in (Scan, Stats):
        with pytest.raises(dj.DataJointError) as caught:
            table.insert1({"subject_id": 1})
        assert str(caught.value) == message
        with pytest.raises(dj.DataJointError, match="allow_direct_insert=True"):
            table.insert(subject.proj())
        table.insert1({"subject_id": 1}, allow_direct_insert=True)
        assert len(table()) == 1


# ---- all or nothing ---------------------------------------------------------------------------


def test_a_batch_with_one_invalid_row_inserts_nothing(subject: Any) -> None:
    rows = [
        {"subject_id": 1, "small": 1},
        {"subject_id": 2, "small": 999},
        {"subject_id": 3, "small": 2},
    ]
    with pytest.raises(dj.DataJointError, match=r"`small`.*\(row 2 of the insert into"):
        subject.insert(rows)
    assert len(subject()) == 0


def test_a_duplicate_in_the_middle_of_a_batch_inserts_nothing(subject: Any) -> None:
    subject.insert1({"subject_id": 1})
    with pytest.raises(dj.DuplicateError):
        subject.insert([{"subject_id": 20}, {"subject_id": 1}, {"subject_id": 21}])
    assert _ids(subject) == [1]


def test_a_key_repeated_inside_one_batch_inserts_nothing(subject: Any) -> None:
    with pytest.raises(dj.DuplicateError):
        subject.insert([{"subject_id": 30}, {"subject_id": 31}, {"subject_id": 30}])
    assert len(subject()) == 0


def test_a_missing_parent_in_a_batch_inserts_nothing(schema: dj.Schema) -> None:
    tables = _tables(schema)
    tables["Subject"].insert1({"subject_id": 1})
    rows = [
        {"subject_id": 1, "session": 1, "note": "ok"},
        {"subject_id": 2, "session": 1, "note": "x"},
    ]
    with pytest.raises(dj.IntegrityError):
        tables["Session"].insert(rows)
    assert len(tables["Session"]()) == 0


def test_rows_with_different_fields_are_refused(subject: Any) -> None:
    with pytest.raises(dj.DataJointError, match="Attempt to insert rows with different fields"):
        subject.insert([{"subject_id": 1}, {"subject_id": 2, "name": "x"}])
    assert len(subject()) == 0


def test_an_insert_inside_a_cancelled_transaction_is_rolled_back(
    subject: Any, conn: dj.Connection
) -> None:
    with pytest.raises(RuntimeError), conn.transaction:
        subject.insert([{"subject_id": 1}, {"subject_id": 2}])
        assert len(subject()) == 2
        raise RuntimeError("abort")
    assert len(subject()) == 0


# ---- errors: class and message -----------------------------------------------------------------


def test_duplicate_error_carries_the_skip_duplicates_hint(subject: Any) -> None:
    subject.insert1({"subject_id": 1})
    with pytest.raises(dj.DuplicateError) as caught:
        subject.insert1({"subject_id": 1})
    error = caught.value
    assert isinstance(error, dj.QueryError)
    assert len(error.args) == 2
    assert f"(inserting into {subject.full_table_name})" in error.args[0]
    assert error.args[1] == "To ignore duplicate entries in insert, set skip_duplicates=True"


def test_integrity_error_names_the_missing_parent_table(schema: dj.Schema) -> None:
    session = _tables(schema)["Session"]
    with pytest.raises(dj.IntegrityError) as caught:
        session.insert1({"subject_id": 5, "session": 1, "note": "x"})
    message = str(caught.value)
    assert f"`{schema.database}`.`subject` (subject_id)" in message
    assert f"(inserting into `{schema.database}`.`session`)" in message


def test_unknown_attribute_is_a_key_error_naming_it(subject: Any) -> None:
    with pytest.raises(KeyError) as caught:
        subject.insert1({"subject_id": 2, "nope": 1})
    assert isinstance(caught.value, UnknownFieldError)
    assert isinstance(caught.value, dj.DataJointError)
    assert str(caught.value).startswith(
        f"`nope` is not in the table heading of {subject.full_table_name}."
    )
    assert "ignore_extra_fields=True" in str(caught.value)


def test_unknown_attribute_in_a_later_row_names_the_row(subject: Any) -> None:
    with pytest.raises(UnknownFieldError, match=r"`zzz` is not in the table heading \(row 2\)"):
        subject.insert([{"subject_id": 1}, {"subject_id": 2, "zzz": 0}])


def test_missing_required_attribute(schema: dj.Schema) -> None:
    session = _tables(schema)["Session"]
    with pytest.raises(dj.MissingAttributeError) as caught:
        session.insert1({"subject_id": 1, "session": 1})
    assert str(caught.value) == (
        f"Missing value for attribute `note` of `{schema.database}`.`session`: it has no "
        "default and is not nullable."
    )
    with pytest.raises(dj.MissingAttributeError, match="attributes `subject_id`, `session`"):
        session.insert1({"note": "x"})


def test_none_for_a_required_attribute_names_the_row(schema: dj.Schema) -> None:
    session = _tables(schema)["Session"]
    _tables_subject = schema.get_table("subject")
    _tables_subject.insert1({"subject_id": 1})
    rows = [
        {"subject_id": 1, "session": 1, "note": "a"},
        {"subject_id": 1, "session": 2, "note": None},
    ]
    with pytest.raises(dj.MissingAttributeError, match=r"`note` .* cannot be NULL.*\(row 2\)"):
        session.insert(rows)
    assert len(session()) == 0


INVALID_VALUES = [
    ({"small": 300}, "Invalid value 300 for attribute `small`: out of range [-128, 127]"),
    ({"small": -129}, "Invalid value -129 for attribute `small`: out of range [-128, 127]"),
    ({"small": 1.5}, "Invalid value 1.5 for attribute `small`: expected an integer"),
    ({"subject_id": "abc"}, "Invalid value 'abc' for attribute `subject_id`: expected an integer"),
    ({"name": "x" * 9}, "Invalid value 'xxxxxxxxx' for attribute `name`: longer than 8 characters"),
    ({"kind": "c"}, "Invalid value 'c' for attribute `kind`: not one of a, b"),
    ({"token": "zzz"}, "Invalid value 'zzz' for attribute `token`: badly formed UUID"),
    ({"weight": "heavy"}, "Invalid value 'heavy' for attribute `weight`: expected a number"),
    ({"weight": float("inf")}, "Invalid value inf for attribute `weight`: infinity cannot be"),
    (
        {"born": "2024-13-45"},
        "Invalid value '2024-13-45' for attribute `born`: expected an ISO date (YYYY-MM-DD)",
    ),
    ({"born": 5}, "Invalid value 5 for attribute `born`: expected a date or datetime"),
    ({"name": ["a"]}, "Invalid value ['a'] for attribute `name`: expected a string"),
]


@pytest.mark.parametrize(("values", "message"), INVALID_VALUES)
def test_invalid_values_are_refused_before_any_sql(
    subject: Any, values: dict[str, Any], message: str
) -> None:
    row = {"subject_id": 4, **values}
    with pytest.raises(dj.DataJointError) as caught:
        subject.insert1(row)
    text = str(caught.value)
    assert text.startswith(message), text
    assert text.endswith(f"(row 1 of the insert into {subject.full_table_name})")
    assert len(subject()) == 0


def test_non_serializable_json_is_refused(subject: Any) -> None:
    with pytest.raises(dj.DataJointError) as caught:
        subject.insert1({"subject_id": 4, "meta": {"a": {1, 2}}})
    text = str(caught.value)
    assert text.startswith(
        "Invalid value {'a': {1, 2}} for attribute `meta`: not JSON-serializable"
    )
    assert "(row 1 of the insert into" in text


def test_the_error_names_the_row_of_the_bad_value(subject: Any) -> None:
    rows = [{"subject_id": i, "kind": "a"} for i in range(4)]
    rows[3]["kind"] = "z"
    with pytest.raises(dj.DataJointError, match=r"`kind`: not one of a, b \(row 4 of the insert"):
        subject.insert(rows)


def test_long_values_in_error_messages_are_shortened(subject: Any) -> None:
    with pytest.raises(dj.DataJointError) as caught:
        subject.insert1({"subject_id": 1, "name": "y" * 200})
    assert "'yyyy" in str(caught.value) and "..." in str(caught.value)
    assert len(str(caught.value)) < 200


# ---- value conversion -----------------------------------------------------------------------


def _defaults(subject_id: int) -> dict[str, Any]:
    return {
        "subject_id": subject_id,
        "name": "",
        "small": 0,
        "kind": "a",
        "token": None,
        "meta": None,
        "weight": None,
        "born": None,
    }


def test_nan_and_empty_string_in_numeric_attributes_become_null_or_default(subject: Any) -> None:
    subject.insert1({"subject_id": 1, "weight": float("nan"), "small": ""})
    assert subject.fetch1() == _defaults(1)


def test_none_becomes_the_default_or_null(subject: Any) -> None:
    subject.insert1({"subject_id": 1, "weight": None, "token": None, "small": None})
    assert subject.fetch1() == _defaults(1)


def test_numpy_scalars_bools_and_strings_are_converted(subject: Any) -> None:
    subject.insert1(
        {
            "subject_id": np.int64(7),
            "small": True,
            "weight": np.float32(0.5),
            "name": "  sp ",
            "born": "2020-01-02",
            "token": "12345678-1234-5678-1234-567812345678",
            "meta": [1, "two", {"three": None}],
        }
    )
    assert subject.fetch1() == {
        "subject_id": 7,
        "name": "  sp ",
        "small": 1,
        "kind": "a",
        "token": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "meta": [1, "two", {"three": None}],
        "weight": 0.5,
        "born": dt.date(2020, 1, 2),
    }


def test_integers_given_as_strings_or_integral_floats_are_accepted(subject: Any) -> None:
    subject.insert([{"subject_id": "8", "small": 3.0}, {"subject_id": 9, "small": "-4"}])
    assert subject.to_arrays("small", order_by="KEY").tolist() == [3, -4]


def test_integer_bounds_are_inclusive(schema: dj.Schema) -> None:
    @schema
    class Bounds(dj.Manual):
        definition = """
        b_id : int8
        ---
        i16 : int16
        i32 : int32
        i64 : int64
        """

    Bounds.insert1({"b_id": 127, "i16": 32767, "i32": 2**31 - 1, "i64": 2**63 - 1})
    Bounds.insert1({"b_id": -128, "i16": -32768, "i32": -(2**31), "i64": -(2**63)})
    assert Bounds.to_dicts(order_by="KEY")[1] == {
        "b_id": 127,
        "i16": 32767,
        "i32": 2**31 - 1,
        "i64": 2**63 - 1,
    }
    with pytest.raises(dj.DataJointError, match="`i64`: out of range"):
        Bounds.insert1({"b_id": 0, "i16": 0, "i32": 0, "i64": 2**63})


def test_a_datetime_for_a_date_attribute_stores_its_date(
    subject: Any, backend: str, request: pytest.FixtureRequest
) -> None:
    subject.insert1({"subject_id": 1, "born": dt.datetime(2020, 5, 6, 7, 8)})
    assert subject.fetch1("born") == dt.date(2020, 5, 6)


def test_decimal_and_datetime_values_round_trip(schema: dj.Schema) -> None:
    @schema
    class Money(dj.Manual):
        definition = """
        m_id : int16
        ---
        amount : decimal(8,3)
        stamp : datetime(3)
        """

    Money.insert(
        [
            {"m_id": 1, "amount": decimal.Decimal("12.5"), "stamp": "2024-01-02 03:04:05.678"},
            {"m_id": 2, "amount": "0.001", "stamp": dt.datetime(2024, 1, 2, 3, 4, 5, 678000)},
        ]
    )
    assert Money.to_dicts(order_by="KEY") == [
        {
            "m_id": 1,
            "amount": decimal.Decimal("12.500"),
            "stamp": dt.datetime(2024, 1, 2, 3, 4, 5, 678000),
        },
        {
            "m_id": 2,
            "amount": decimal.Decimal("0.001"),
            "stamp": dt.datetime(2024, 1, 2, 3, 4, 5, 678000),
        },
    ]
    with pytest.raises(dj.DataJointError, match="`amount`: expected a decimal number"):
        Money.insert1({"m_id": 3, "amount": "lots", "stamp": "2024-01-01"})
