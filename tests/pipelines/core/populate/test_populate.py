# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload"
"""``populate()`` in direct mode and with the job queue (spec/engine.md §5.2, §5.4, §5.5)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.populate.outcome import SKIPPED, RunSettings
from tests.pipelines.core.populate.pipeline_fixture import build


@pytest.fixture
def pipeline(schema: dj.Schema) -> SimpleNamespace:
    tables = build(schema)
    tables.Source.insert({"source_id": i, "value": 10 + i} for i in range(6))
    return tables


def _ids(table: Any) -> set[int]:
    return {row["source_id"] for row in table.to_dicts()}


def test_populate_makes_exactly_the_pending_keys(pipeline: SimpleNamespace) -> None:
    pipeline.Square.insert1({"source_id": 0, "square": -1, "worker": 0}, allow_direct_insert=True)
    result = pipeline.Square.populate()
    assert result == {"success_count": 5, "error_list": []}
    assert _ids(pipeline.Square) == set(range(6))
    assert (pipeline.Square & {"source_id": 0}).fetch1("square") == -1
    assert (pipeline.Square & {"source_id": 3}).fetch1("square") == 13 * 13
    assert pipeline.Square.populate() == {"success_count": 0, "error_list": []}


def test_populate_restrictions_limit_the_keys(pipeline: SimpleNamespace) -> None:
    result = pipeline.Square.populate("source_id < 2", {"source_id": 4})
    assert result == {"success_count": 0, "error_list": []}  # an AndList: both must hold
    pipeline.Square.populate([{"source_id": 1}, {"source_id": 4}])
    assert _ids(pipeline.Square) == {1, 4}
    pipeline.Square.populate(pipeline.Source & "value > 14")
    assert _ids(pipeline.Square) == {1, 4, 5}


def test_max_calls_caps_the_number_of_makes(pipeline: SimpleNamespace) -> None:
    assert pipeline.Square.populate(max_calls=2)["success_count"] == 2
    assert len(pipeline.Square()) == 2


def test_parts_inserted_in_make_land_with_the_master(pipeline: SimpleNamespace) -> None:
    pipeline.Square.populate({"source_id": 2})
    digits = (pipeline.Square.Digit & {"source_id": 2}).to_dicts(order_by="digit_pos")
    assert [d["digit"] for d in digits] == [1, 2]


def test_a_failing_make_rolls_back_only_its_key(pipeline: SimpleNamespace) -> None:
    result = pipeline.Failing.populate(suppress_errors=True)
    assert result["success_count"] == 3
    assert sorted(key["source_id"] for key, _ in result["error_list"]) == [1, 3, 5]
    messages = {key["source_id"]: message for key, message in result["error_list"]}
    assert messages[1] == "ValueError: odd value 11"
    assert _ids(pipeline.Failing) == {0, 2, 4}  # the rows the odd keys inserted are gone


def test_errors_are_raised_unless_suppressed(
    pipeline: SimpleNamespace, conn: dj.Connection
) -> None:
    with pytest.raises(ValueError, match="odd value 11"):
        pipeline.Failing.populate({"source_id": 1})
    assert len(pipeline.Failing()) == 0
    assert not conn.in_transaction


def test_return_exception_objects_gives_the_exceptions(pipeline: SimpleNamespace) -> None:
    result = pipeline.Failing.populate(
        {"source_id": 3}, suppress_errors=True, return_exception_objects=True
    )
    [(key, error)] = result["error_list"]
    assert key == {"source_id": 3}
    assert isinstance(error, ValueError) and str(error) == "odd value 13"


def test_message_without_text_is_the_class_name(schema: dj.Schema) -> None:
    @schema
    class Base(dj.Lookup):
        definition = "base_id : int32"
        contents = [(1,)]

    @schema
    class Quiet(dj.Computed):
        definition = "-> Base"

        def make(self, key: dict[str, Any]) -> None:
            raise RuntimeError

    result = Quiet.populate(suppress_errors=True)
    assert result["error_list"] == [({"base_id": 1}, "RuntimeError")]


def test_keyboard_interrupt_is_raised_even_when_suppressing(
    schema: dj.Schema, conn: dj.Connection
) -> None:
    @schema
    class Base(dj.Lookup):
        definition = "base_id : int32"
        contents = [(1,)]

    @schema
    class Interrupted(dj.Computed):
        definition = "-> Base"

        def make(self, key: dict[str, Any]) -> None:
            self.insert1(key)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Interrupted.populate(suppress_errors=True)
    assert len(Interrupted()) == 0
    assert not conn.in_transaction


def test_direct_insert_is_refused_outside_make(pipeline: SimpleNamespace) -> None:
    with pytest.raises(dj.DataJointError, match="can only be done inside its make"):
        pipeline.Square.insert1({"source_id": 0, "square": 0, "worker": 0})
    pipeline.Square.populate({"source_id": 0})
    with pytest.raises(dj.DataJointError, match="can only be done inside its make"):
        pipeline.Square.insert1({"source_id": 1, "square": 0, "worker": 0})


def test_populate_refuses_a_transaction_and_a_restricted_table(
    pipeline: SimpleNamespace, conn: dj.Connection
) -> None:
    with pytest.raises(dj.DataJointError, match="Cannot call populate on a restricted table"):
        (pipeline.Square & {"source_id": 1}).populate()
    with (
        conn.transaction,
        pytest.raises(dj.DataJointError, match=r"Populate cannot be called during a transaction\."),
    ):
        pipeline.Square.populate()


def test_a_key_made_by_another_worker_is_skipped(pipeline: SimpleNamespace) -> None:
    # Direct mode does not re-check each key; the primary key refuses the second insert.
    pipeline.Square.insert1({"source_id": 2, "square": 7, "worker": 0}, allow_direct_insert=True)
    outcome = pipeline.Square()._populate1({"source_id": 2}, RunSettings())
    assert outcome[0] == SKIPPED
    assert (pipeline.Square & {"source_id": 2}).fetch1("square") == 7
    assert len(pipeline.Square.Digit()) == 0


def test_default_key_source_joins_renamed_primary_parents(schema: dj.Schema) -> None:
    @schema
    class Person(dj.Lookup):
        definition = """
        person_id : int32
        ---
        name : varchar(20)
        """
        contents = [(1, "ann"), (2, "bob")]

    @schema
    class Topic(dj.Lookup):
        definition = """
        topic : varchar(8)
        ---
        name : varchar(20)
        """
        contents = [("a", "alpha")]

    @schema
    class Match(dj.Computed):
        definition = """
        -> Person.proj(kid='person_id')
        -> Topic
        ---
        name : varchar(40)
        """

        def make(self, key: dict[str, Any]) -> None:
            self.insert1({**key, "name": f"{key['kid']}-{key['topic']}"})

    assert sorted(Match.key_source.heading.names) == ["kid", "topic"]
    assert Match.progress() == (2, 2)  # namesake `name` attributes do not confuse pending keys
    assert Match.populate()["success_count"] == 2
    assert sorted(Match.to_dicts(), key=lambda r: r["kid"])[0] == {
        "kid": 1,
        "topic": "a",
        "name": "1-a",
    }


def test_key_source_may_be_overridden(pipeline: SimpleNamespace, schema: dj.Schema) -> None:
    Source = source = pipeline.Source  # noqa: F841 (the definition names it)

    @schema
    class Evens(dj.Computed):
        definition = """
        -> Source
        """

        @property
        def key_source(self) -> Any:
            return source & "source_id % 2 = 0"

        def make(self, key: dict[str, Any]) -> None:
            self.insert1(key)

    assert Evens.populate()["success_count"] == 3
    assert _ids(Evens) == {0, 2, 4}


def test_key_source_class_attribute_is_instantiated(
    pipeline: SimpleNamespace, schema: dj.Schema
) -> None:
    Source = pipeline.Source

    @schema
    class Copy(dj.Computed):
        definition = """
        -> Source
        """
        key_source = Source

        def make(self, key: dict[str, Any]) -> None:
            self.insert1(key)

    assert Copy.populate()["success_count"] == 6


def test_key_source_errors(
    pipeline: SimpleNamespace, schema: dj.Schema, conn: dj.Connection
) -> None:
    Source = pipeline.Source  # noqa: F841 (the definition names it)
    with conn.config.override(jobs__allow_new_pk_fields_in_computed_tables=True):

        @schema
        class Orphan(dj.Computed):
            definition = """
            orphan_id : int32
            """

    @schema
    class Bad(dj.Computed):
        definition = """
        -> Source
        """
        key_source = 42

    @schema
    class Other(dj.Lookup):
        definition = "other_id : int32"

    @schema
    class Lacking(dj.Computed):
        definition = """
        -> Source
        """
        key_source = Other

    with pytest.raises(dj.DataJointError, match="must have dependencies from its primary key"):
        Orphan.populate()
    with pytest.raises(dj.DataJointError, match="Invalid key_source value"):
        Bad.populate()
    with pytest.raises(dj.DataJointError, match="lacks attribute other_id from the primary key"):
        Lacking.progress()


# --- the job queue ---------------------------------------------------------------------------------
def test_reserve_jobs_makes_every_key_and_clears_the_queue(pipeline: SimpleNamespace) -> None:
    result = pipeline.Square.populate(reserve_jobs=True)
    assert result == {"success_count": 6, "error_list": []}
    assert _ids(pipeline.Square) == set(range(6))
    assert pipeline.Square().jobs.progress()["pending"] == 0
    assert pipeline.Square().jobs.progress()["reserved"] == 0


def test_reserve_jobs_records_errors_with_traceback(pipeline: SimpleNamespace) -> None:
    result = pipeline.Failing.populate(reserve_jobs=True, suppress_errors=True)
    assert result["success_count"] == 3
    errors = pipeline.Failing().jobs.errors.to_dicts()
    assert sorted(e["source_id"] for e in errors) == [1, 3, 5]
    assert all(e["error_message"].startswith("ValueError: odd value") for e in errors)
    assert all("Traceback" in (e["error_stack"] or "") for e in errors)
    again = pipeline.Failing.populate(reserve_jobs=True, suppress_errors=True)
    assert again == {"success_count": 0, "error_list": []}  # errors are not retried


def test_reserve_jobs_skips_a_key_reserved_elsewhere(pipeline: SimpleNamespace) -> None:
    jobs = pipeline.Square().jobs
    jobs.declare()
    jobs.refresh()
    assert jobs.reserve({"source_id": 3})
    result = pipeline.Square.populate(reserve_jobs=True, refresh=False)
    assert result["success_count"] == 5
    assert _ids(pipeline.Square) == {0, 1, 2, 4, 5}


def test_reserve_jobs_respects_max_calls_and_restrictions(pipeline: SimpleNamespace) -> None:
    result = pipeline.Square.populate("source_id > 1", reserve_jobs=True, max_calls=2)
    assert result["success_count"] == 2
    assert _ids(pipeline.Square) <= {2, 3, 4, 5}
