"""Table naming (spec/engine.md §1.9): examples, errors, and agreement with DataJoint."""

from __future__ import annotations

import re
import warnings

import datajoint.user_tables as dj_tables
import datajoint.utils as dj_utils
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.core.definition.naming import (
    MAX_TABLE_NAME_LENGTH,
    TIER_PREFIXES,
    check_table_name_length,
    class_name_to_snake,
    job_table_name,
    master_of,
    snake_to_class_name,
    table_name_for,
    tier_of_table_name,
    validate_class_name,
)
from pipelines.core.errors import DataJointError


@pytest.mark.parametrize(
    ("class_name", "snake"),
    [
        ("Session", "session"),
        ("SessionTrial", "session_trial"),
        ("IJ", "i_j"),
        ("TTestUpdate", "t_test_update"),
        ("SelectPK", "select_p_k"),
        ("DataA", "data_a"),
        ("ProcessedEMG", "processed_e_m_g"),
        ("Data2A", "data2_a"),
        ("A1b2", "a1b2"),
    ],
)
def test_class_name_to_snake_splits_before_every_capital(class_name: str, snake: str) -> None:
    assert class_name_to_snake(class_name) == snake


@pytest.mark.parametrize(
    ("table_name", "class_name"),
    [
        ("session_trial", "SessionTrial"),
        ("i_j", "IJ"),
        ("processed_e_m_g", "ProcessedEMG"),
        ("#outfit_launch", "OutfitLaunch"),
        ("__e", "E"),
        ("_imported_thing", "ImportedThing"),
        ("data_1x", "Data_1x"),
        ("a_", "A_"),
    ],
)
def test_snake_to_class_name_capitalizes_after_separators(table_name: str, class_name: str) -> None:
    assert snake_to_class_name(table_name) == class_name


def test_validate_class_name_accepts_camel_case_silently() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert validate_class_name("SessionTrial") == "SessionTrial"


def test_validate_class_name_warns_and_removes_underscores() -> None:
    with pytest.warns(UserWarning) as record:
        assert validate_class_name("Session_Trial") == "SessionTrial"
    assert str(record[0].message) == (
        "Table class name `Session_Trial` contains underscores. "
        "CamelCase names without underscores are recommended."
    )


@pytest.mark.parametrize("class_name", ["session", "1Session", "Session-Trial", "", "Séance"])
def test_validate_class_name_rejects_non_camel_case(class_name: str) -> None:
    with pytest.raises(DataJointError) as error:
        validate_class_name(class_name)
    assert error.value.args[0] == (
        f"Table class name `{class_name}` is invalid. "
        "Class names must be in CamelCase, starting with a capital letter."
    )


def test_validate_class_name_reports_the_name_as_written() -> None:
    with pytest.warns(UserWarning), pytest.raises(DataJointError, match="`_session`"):
        validate_class_name("_session")


@pytest.mark.parametrize(
    ("tier", "class_name", "master", "table_name"),
    [
        ("Manual", "Session", None, "session"),
        ("Lookup", "OutfitLaunch", None, "#outfit_launch"),
        ("Imported", "Recording", None, "_recording"),
        ("Computed", "SpikeRate", None, "__spike_rate"),
        ("Part", "F", "__e", "__e__f"),
        ("Part", "OutfitPiece", "#outfit_launch", "#outfit_launch__outfit_piece"),
        ("Part", "Website", "profile", "profile__website"),
    ],
)
def test_table_name_is_tier_prefix_plus_snake_name(
    tier: str, class_name: str, master: str | None, table_name: str
) -> None:
    assert table_name_for(tier, class_name, master) == table_name


def test_tier_prefixes_are_datajoints() -> None:
    assert TIER_PREFIXES == {"Manual": "", "Lookup": "#", "Imported": "_", "Computed": "__"}
    for tier, prefix in TIER_PREFIXES.items():
        assert getattr(dj_tables, tier)._prefix == prefix


def test_table_name_for_validates_the_class_name() -> None:
    with pytest.warns(UserWarning):
        assert table_name_for("Manual", "My_Table") == "my_table"
    with pytest.warns(UserWarning), pytest.raises(DataJointError, match="is invalid"):
        table_name_for("Manual", "my_table")


@pytest.mark.parametrize(
    ("tier", "master", "message"),
    [
        ("Part", None, "Part table `Thing` has no master table"),
        ("Manual", "session", "Only a Part table has a master, not a Manual table"),
        ("Master", None, "Unknown table tier `Master`"),
    ],
)
def test_table_name_for_rejects_inconsistent_tiers(
    tier: str, master: str | None, message: str
) -> None:
    with pytest.raises(DataJointError) as error:
        table_name_for(tier, "Thing", master)
    assert error.value.args[0] == message


@pytest.mark.parametrize(
    ("table_name", "tier"),
    [
        ("session", "Manual"),
        ("session_trial", "Manual"),
        ("a1_b2", "Manual"),
        ("#outfit_launch", "Lookup"),
        ("_recording", "Imported"),
        ("__spike_rate", "Computed"),
        ("__e__f", "Part"),
        ("#outfit_launch__outfit_piece", "Part"),
        ("profile__website", "Part"),
        ("_rec__chan", "Part"),
        ("~lineage", None),
        ("~~spike_rate", None),
        ("~jobs", None),
        ("Session", None),
        ("session_", None),
        ("session__", None),
        ("a__b__c", None),
        ("1session", None),
        ("___x", None),
        ("session_1", None),
        ("", None),
    ],
)
def test_tier_is_read_from_the_table_name(table_name: str, tier: str | None) -> None:
    assert tier_of_table_name(table_name) == tier


@pytest.mark.parametrize(
    ("table_name", "master"),
    [
        ("__e__f", "__e"),
        ("#outfit_launch__outfit_piece", "#outfit_launch"),
        ("profile__website", "profile"),
        ("_rec__chan", "_rec"),
        ("session", None),
        ("__e", None),
        ("~lineage", None),
    ],
)
def test_master_of_a_part_table_name(table_name: str, master: str | None) -> None:
    assert master_of(table_name) == master


@pytest.mark.parametrize(
    ("table_name", "job_table"),
    [
        ("__result", "~~result"),
        ("_recording", "~~recording"),
        ("__comp__item", "~~comp__item"),
        ("session", "~~session"),
    ],
)
def test_job_table_name_strips_leading_underscores(table_name: str, job_table: str) -> None:
    assert job_table_name(table_name) == job_table


def test_imported_and_computed_namesakes_share_a_job_table() -> None:
    assert job_table_name("_my_table") == job_table_name("__my_table") == "~~my_table"


def test_table_name_at_the_max_length_is_accepted() -> None:
    assert MAX_TABLE_NAME_LENGTH == 64
    check_table_name_length("a" * 64)
    check_table_name_length("a" * 63, 63)


@pytest.mark.parametrize(("length", "max_length"), [(65, 64), (64, 63)])
def test_table_name_over_the_max_length_is_rejected(length: int, max_length: int) -> None:
    name = "__" + "a" * (length - 2)
    with pytest.raises(DataJointError) as error:
        check_table_name_length(name, max_length)
    assert error.value.args[0] == f"Table name `{name}` exceeds the max length of {max_length}"


# ---- differential: DataJoint's own conversions and tier regexes -------------------------------

CAMEL_NAMES = st.from_regex(re.compile(r"[A-Z][A-Za-z0-9]{0,15}"), fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(CAMEL_NAMES)
def test_snake_name_agrees_with_datajoint(class_name: str) -> None:
    assert class_name_to_snake(class_name) == dj_utils.from_camel_case(class_name)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="abXY19_#~-. é", max_size=14))
def test_class_name_from_table_name_agrees_with_datajoint(table_name: str) -> None:
    assert snake_to_class_name(table_name) == dj_utils.to_camel_case(table_name)


DJ_TIERS = {
    "Manual": dj_tables.Manual,
    "Lookup": dj_tables.Lookup,
    "Imported": dj_tables.Imported,
    "Computed": dj_tables.Computed,
    "Part": dj_tables.Part,
}


def _datajoint_tier(table_name: str) -> str | None:
    matches = [tier for tier, cls in DJ_TIERS.items() if dj_tables.is_tier(table_name, cls)]
    assert len(matches) <= 1, table_name
    return matches[0] if matches else None


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab1__#~", max_size=12))
def test_tier_classification_agrees_with_datajoint(table_name: str) -> None:
    assert tier_of_table_name(table_name) == _datajoint_tier(table_name)


@pytest.mark.parametrize(
    "table_name",
    ["session", "#outfit_launch", "_rec", "__e", "__e__f", "#a__b", "a__b__c", "~lineage", "x_"],
)
def test_listed_tier_classifications_agree_with_datajoint(table_name: str) -> None:
    assert tier_of_table_name(table_name) == _datajoint_tier(table_name)
