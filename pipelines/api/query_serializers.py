"""Request and response shapes of the query, code and diagram endpoints, for the OpenAPI schema.

The views do not validate requests with these: the queries service checks a spec against the
tables and headings it names and reports the place of an error (``details.at``), which a
serializer cannot know.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from pipelines.services.query_spec import DEFAULT_LIMIT, FUNCTIONS, MAX_JOINS, MAX_LIMIT

CONDITION_HELP = (
    "A condition tree: {attribute, operator, value} with operator one of = != < <= > >= like, "
    "not like, in, not in (value: a list), between (value: [low, high]), is null, is not null "
    "(no value); {and: [...]}, {or: [...]}, {not: condition}; or {table: {schema, name}, "
    "where: condition} to keep rows that match that table (a semijoin). Values are JSON values, "
    "bound as parameters; names are checked against the heading."
)
KEEP_HELP = 'Attributes kept beside the primary key: a list of names, or "all" (the default).'


class TableRefSpec(serializers.Serializer[Any]):
    schema = serializers.CharField(help_text="One of the pipeline's schemas.")
    name = serializers.CharField(help_text="Class name: `Session`, or `Session.Trial` for a part.")


class ProjectionSpec(serializers.Serializer[Any]):
    keep = serializers.JSONField(required=False, help_text=KEEP_HELP)
    exclude = serializers.ListField(
        child=serializers.CharField(), required=False, help_text='Dropped (with keep "all").'
    )
    rename = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="{new name: attribute}."
    )


class OperandSpec(serializers.Serializer[Any]):
    table = TableRefSpec()
    where = serializers.JSONField(required=False, help_text=CONDITION_HELP)
    project = ProjectionSpec(required=False)


class JoinSpec(OperandSpec):
    left = serializers.BooleanField(
        required=False, default=False, help_text="Keep rows with no match (a left join)."
    )


class ComputationSpec(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="The new attribute's name.")
    function = serializers.ChoiceField(
        choices=FUNCTIONS, help_text="std and variance are not available on SQLite."
    )
    attribute = serializers.CharField(
        help_text='An attribute of the group, or "*" with count (counts the matching rows).'
    )


class AggregateSpec(serializers.Serializer[Any]):
    table = TableRefSpec(required=False, help_text="Per row, aggregate this table's matches.")
    where = serializers.JSONField(required=False, help_text=CONDITION_HELP)
    project = ProjectionSpec(required=False)
    compute = ComputationSpec(many=True, required=False)
    keep = serializers.JSONField(required=False, help_text=KEEP_HELP)
    keep_all_rows = serializers.BooleanField(
        required=False, default=True, help_text="Keep rows with no match (the default)."
    )
    group_by = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Instead of table: group the query by these attributes (dj.U).",
    )


class QuerySpec(serializers.Serializer[Any]):
    table = TableRefSpec(help_text="The table the query starts from.")
    join = JoinSpec(many=True, required=False, help_text=f"At most {MAX_JOINS} tables.")
    where = serializers.JSONField(required=False, help_text=CONDITION_HELP + " After the joins.")
    aggregate = AggregateSpec(required=False)
    having = serializers.JSONField(required=False, help_text="A condition on the aggregate.")
    project = ProjectionSpec(required=False)
    order_by = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text='Attribute names, "-name" for descending; the primary key breaks ties.',
    )
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT
    )
    offset = serializers.IntegerField(required=False, min_value=0, default=0)


class ColumnOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    type = serializers.CharField()


class QueryOut(serializers.Serializer[Any]):
    columns = ColumnOut(many=True)
    primary_key = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.JSONField(),
        help_text="One object per row. Dates are ISO text, decimals strings, UUIDs strings, "
        'blobs {"blob": true, "size": bytes}, JSON attributes JSON.',
    )
    count = serializers.IntegerField(help_text="Rows of the whole query (before limit/offset).")
    code = serializers.CharField(help_text="Python that runs the same query.")


class QueryCodeOut(serializers.Serializer[Any]):
    code = serializers.CharField()


class DiagramAttributeOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    type = serializers.CharField()
    in_key = serializers.BooleanField()
    nullable = serializers.BooleanField()
    default = serializers.CharField(allow_null=True)
    comment = serializers.CharField()


class NodeOut(serializers.Serializer[Any]):
    id = serializers.CharField(help_text="The full table name; edges refer to it.")
    schema = serializers.CharField()
    name = serializers.CharField(help_text="Class name, as queries address the table.")
    table_name = serializers.CharField()
    tier = serializers.CharField()
    master = serializers.CharField(allow_null=True, help_text="A part's master (its id).")
    primary_key = serializers.ListField(child=serializers.CharField())
    attributes = DiagramAttributeOut(many=True)
    introduces_dimension = serializers.BooleanField()
    rows = serializers.IntegerField(allow_null=True)


class EdgeOut(serializers.Serializer[Any]):
    parent = serializers.CharField()  # type: ignore[assignment]  # a field, not the serializer's parent
    child = serializers.CharField()
    primary = serializers.BooleanField(help_text="The foreign key is part of the child's key.")
    multi = serializers.BooleanField(help_text="The child adds key attributes (one-to-many).")
    aliased = serializers.BooleanField()
    attr_map = serializers.DictField(child=serializers.CharField(), help_text="child: parent")
    renamed = serializers.DictField(child=serializers.CharField())
    part_of_master = serializers.BooleanField()


class DiagramOut(serializers.Serializer[Any]):
    schemas = serializers.ListField(child=serializers.CharField())
    direction = serializers.CharField()
    nodes = NodeOut(many=True)
    edges = EdgeOut(many=True)
    tiers = serializers.DictField(child=serializers.JSONField())


EXAMPLE_SPEC = {
    "table": {"schema": "lab", "name": "Session"},
    "join": [
        {
            "table": {"schema": "lab", "name": "Subject"},
            "where": {"attribute": "species", "value": "mouse"},
        }
    ],
    "where": {"attribute": "session_date", "operator": ">=", "value": "2024-01-01"},
    "aggregate": {
        "table": {"schema": "lab", "name": "Session.Trial"},
        "compute": [
            {"name": "n_trials", "function": "count", "attribute": "*"},
            {"name": "mean_rt", "function": "avg", "attribute": "reaction_time"},
        ],
    },
    "having": {"attribute": "n_trials", "operator": ">", "value": 10},
    "project": {"rename": {"date": "session_date"}},
    "order_by": ["-n_trials"],
    "limit": 20,
}
EXAMPLE_CODE = """import pipelines.core as dj
from pipelines.core.query.conditions import Compare

lab = dj.virtual_schema("lab")

query = lab.Session()
query = query * (lab.Subject & {"species": "mouse"})
query = query & Compare("session_date", ">=", "2024-01-01")
query = query.aggr(lab.Session.Trial, ..., n_trials="count(`trial`)", mean_rt="avg(`reaction_time`)")
query = query & Compare("n_trials", ">", 10)
query = query.proj(..., date="session_date")

total = len(query)
rows = query.to_dicts(order_by=["n_trials DESC", "KEY"], limit=20)
"""
QUERY_EXAMPLES = [
    OpenApiExample("Sessions with many trials", value=EXAMPLE_SPEC, request_only=True),
    OpenApiExample(
        "A restriction by another table",
        value={
            "table": {"schema": "lab", "name": "Subject"},
            "where": {
                "not": {
                    "table": {"schema": "lab", "name": "Session"},
                    "where": {"attribute": "session_date", "operator": ">=", "value": "2025-01-01"},
                }
            },
            "order_by": ["subject_id"],
        },
        request_only=True,
    ),
    OpenApiExample(
        "Distinct values with counts",
        value={
            "table": {"schema": "lab", "name": "Subject"},
            "aggregate": {
                "group_by": ["species"],
                "compute": [{"name": "n", "function": "count", "attribute": "*"}],
            },
        },
        request_only=True,
    ),
    OpenApiExample(
        "Rows and the code",
        value={
            "columns": [
                {"name": "subject_id", "type": "int32"},
                {"name": "n", "type": "expression"},
            ],
            "primary_key": ["subject_id"],
            "rows": [{"subject_id": 1, "n": 3}],
            "count": 1,
            "code": EXAMPLE_CODE,
        },
        response_only=True,
    ),
]
