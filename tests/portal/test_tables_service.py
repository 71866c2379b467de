# mypy: disable-error-code="call-arg, arg-type, attr-defined, misc"
"""A pipeline's tables, addressed by schema and class name, on both data backends."""

from __future__ import annotations

import pytest

import pipelines.core as dj
from pipelines.models import Pipeline
from pipelines.services.data import data_connection
from pipelines.services.errors import NotFound
from pipelines.services.tables import table_get, table_list, table_query
from tests.portal.conftest import make_pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(data_schema: str) -> Pipeline:
    schema = dj.Schema(data_schema, connection=data_connection())

    @schema
    class Rig(dj.Lookup):
        definition = """
        rig : varchar(8)
        """
        contents = [{"rig": "A"}]

    @schema
    class Session(dj.Manual):
        definition = """
        session : int32
        ---
        -> Rig
        """

        class Trial(dj.Part):
            definition = """
            -> master
            trial : int16
            """

    Session.insert1({"session": 1, "rig": "A"})
    return make_pipeline("lab", schemas=[data_schema])


def test_tables_are_listed_by_class_name_parents_first(lab: Pipeline, data_schema: str) -> None:
    names = [(t.name, t.tier, t.table_name) for t in table_list(pipeline=lab)]
    assert names == [
        ("Rig", "Lookup", "#rig"),
        ("Session", "Manual", "session"),
        ("Session.Trial", "Part", "session__trial"),
    ]
    session = table_get(pipeline=lab, schema=data_schema, name="Session")
    assert table_query(session).to_dicts() == [{"session": 1, "rig": "A"}]


@pytest.mark.parametrize(
    ("schema", "name"),
    [("own", "Nope"), ("own", "session"), ("own", "#rig"), ("other", "Rig"), ("own", "~lineage")],
)
def test_unknown_tables_and_foreign_schemas_are_not_found(
    lab: Pipeline, data_schema: str, schema: str, name: str
) -> None:
    with pytest.raises(NotFound):
        table_get(pipeline=lab, schema=data_schema if schema == "own" else "other", name=name)
