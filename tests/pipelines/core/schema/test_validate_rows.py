# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, union-attr"
"""``validate_rows``: every problem of every row an insert would meet, found without writing,
on SQLite and on MariaDB. What it passes, insert accepts."""

from __future__ import annotations

from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.db import row_lookups
from pipelines.core.schema.validate_rows import validate_rows, value_errors


@pytest.fixture
def lab(schema: dj.Schema) -> dict[str, Any]:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(8)
        born = null : date
        weight = 1.0 : float64
        """

    @schema
    class Pair(dj.Manual):
        definition = """
        -> Subject
        partner : int32
        ---
        -> [nullable] Subject.proj(mentor='subject_id')
        file = null : <attach>
        """

    @schema
    class Code(dj.Lookup):
        definition = """
        code : varchar(8)
        amount : decimal(5,2)
        """
        contents = [{"code": "abc", "amount": "1.50"}]

    @schema
    class Note(dj.Manual):
        definition = """
        note_id : int auto_increment
        ---
        text : varchar(20)
        """

    Subject.insert([{"subject_id": 1, "name": "ann"}, {"subject_id": 2, "name": "bob"}])
    return {"Subject": Subject(), "Pair": Pair(), "Code": Code(), "Note": Note()}


def test_value_problems_are_reported_per_row_and_attribute(lab: dict[str, Any]) -> None:
    rows: list[Any] = [
        {"subject_id": 3, "name": "cy"},
        {"subject_id": "x", "name": "too long a name", "born": "someday"},
        {"subject_id": 4},
        {"subject_id": 5, "name": "ok", "colour": "red"},
        ("a", "tuple"),
        {"subject_id": 6, "name": "ok", "weight": ""},  # an empty number is the default
    ]
    report = validate_rows(lab["Subject"], rows)
    assert not report and report.count == 6
    assert sorted(report.errors) == [1, 2, 3, 4]
    assert set(report.errors[1]) == {"subject_id", "name", "born"}
    assert "expected an integer" in report.errors[1]["subject_id"]
    assert "longer than 8" in report.errors[1]["name"]
    assert "required" in report.errors[2]["name"]
    assert report.errors[3] == {"colour": "The table has no such attribute."}
    assert set(report.errors[4]) == {"*"}
    good = [rows[0], rows[5]]
    assert validate_rows(lab["Subject"], good)
    for row in good:  # what passes, insert takes
        lab["Subject"].insert1(row)
    assert len(lab["Subject"]) == 4


def test_keys_repeated_in_the_batch_or_present_in_the_table(lab: dict[str, Any]) -> None:
    report = validate_rows(
        lab["Subject"],
        [
            {"subject_id": 1, "name": "dup"},
            {"subject_id": 7, "name": "new"},
            {"subject_id": "7", "name": "again"},
            {"subject_id": 7.0, "name": "third"},
        ],
    )
    assert report.errors == {
        0: {"subject_id": "The table already has this key."},
        2: {"subject_id": "The key repeats row 1's."},
        3: {"subject_id": "The key repeats row 1's."},
    }
    decimals = validate_rows(
        lab["Code"], [{"code": "abc", "amount": 1.5}, {"code": "x", "amount": "2.5"},
                      {"code": "x", "amount": "2.50"}],
    )  # fmt: skip
    assert sorted(decimals.errors) == [0, 2]
    assert set(decimals.errors[0]) == {"code", "amount"}


def test_the_database_decides_which_keys_are_equal(lab: dict[str, Any], backend: str) -> None:
    """MariaDB compares strings case-insensitively (the default collation); SQLite does not."""
    report = validate_rows(lab["Code"], [{"code": "ABC", "amount": "1.5"}])
    assert bool(report) is (backend == "sqlite")


def test_references_to_missing_parents(lab: dict[str, Any]) -> None:
    report = validate_rows(
        lab["Pair"],
        [
            {"subject_id": 1, "partner": 1, "mentor": 2},
            {"subject_id": 9, "partner": 1},
            {"subject_id": 1, "partner": 2, "mentor": 9},
            {"subject_id": 2, "partner": 1, "mentor": None},
            {"subject_id": "bad", "partner": 1, "mentor": 8},
        ],
    )
    assert sorted(report.errors) == [1, 2, 4]
    assert set(report.errors[1]) == {"subject_id"} and "subject" in report.errors[1]["subject_id"]
    assert set(report.errors[2]) == {"mentor"} and "No row of" in report.errors[2]["mentor"]
    assert "expected an integer" in report.errors[4]["subject_id"]
    assert "No row of" in report.errors[4]["mentor"]  # the good values are still checked
    assert validate_rows(lab["Pair"], [{"subject_id": 9, "partner": 1}], check_database=False)


def test_codec_values_are_validated_by_the_codec(lab: dict[str, Any], tmp_path: Any) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello")
    report = validate_rows(
        lab["Pair"],
        [{"subject_id": 1, "partner": 5, "file": str(path)}, {"subject_id": 1, "partner": 6, "file": 7}],
    )  # fmt: skip
    assert list(report.errors) == [1] and "<attach> expects a file path" in report.errors[1]["file"]


def test_auto_increment_keys_may_be_left_out(lab: dict[str, Any]) -> None:
    assert validate_rows(
        lab["Note"], [{"text": "a"}, {"text": "b"}, {"note_id": None, "text": "c"}]
    )


def test_large_batches_are_checked_in_chunks(
    lab: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(row_lookups, "CHUNK_ROWS", 7)
    rows = [{"subject_id": i, "partner": 0, "mentor": i % 4} for i in range(1, 40)]
    report = validate_rows(lab["Pair"], rows)
    assert sorted(report.errors) == [i - 1 for i in range(1, 40) if i > 2 or i % 4 not in (1, 2)]


def test_value_errors_of_an_update(lab: dict[str, Any]) -> None:
    assert value_errors(lab["Subject"], {"name": "new", "born": None}) == {}
    errors = value_errors(lab["Subject"], {"name": None, "born": "x", "nope": 1})
    assert set(errors) == {"name", "born", "nope"} and "required" in errors["name"]
