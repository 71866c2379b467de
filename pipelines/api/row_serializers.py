"""Request and response shapes of the tables and rows endpoints (``/api/pipelines/<slug>/tables/``).

Row values in JSON: numbers are numbers (NaN is null), decimals strings, dates ``YYYY-MM-DD``,
datetimes ISO 8601, uuids their text, ``json`` attributes JSON, ``bool`` attributes true/false.
Bytes never travel inline: a ``bytes``, ``<blob>`` or ``<attach>`` value is
``{"blob": true, "size": n, "download": url}``, a value in an object store
``{"blob": true, "size": n|null, "store": name, "download": null}``. To enter one, give a
``<blob>`` any JSON value, and a ``bytes``/``<attach>``/``<hash@>`` value as a file object
``{"base64": "...", "filename": "name.ext"}`` (or upload it to the row's blob endpoint).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

VALUES_HELP = (
    "Attribute name -> value. Numbers as numbers, decimals as strings, dates YYYY-MM-DD, "
    "datetimes ISO 8601, uuids as text, json as JSON, bool as true/false; bytes, <blob> and "
    '<attach> values as {"blob": true, "size": n, "download": url} (object-store values add '
    '"store"). In requests: <blob> takes any JSON value; bytes/<attach>/<hash@> a file object '
    '{"base64": "…", "filename": "…"}.'
)
WHERE_HELP = (
    'A condition tree: {"attribute", "operator", "value"}, {"and": [...]}, {"or": [...]}, '
    '{"not": ...}, or {"table": {"schema", "name"}, "where": ...} (rows with a match in '
    "another table). Operators: = != < <= > >= like, not like, in, not in, between, is null, "
    "is not null."
)


def _values(**kwargs: Any) -> serializers.DictField:
    return serializers.DictField(
        child=serializers.JSONField(allow_null=True), help_text=VALUES_HELP, **kwargs
    )


class HeadingAttributeOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    type = serializers.CharField(help_text="The declared type (int32, varchar(20), <attach>…).")
    sql_type = serializers.CharField()
    kind = serializers.CharField(
        help_text="plain, bool, json, bytes, or the codec's name (blob, attach, hash, …)."
    )
    storage = serializers.ChoiceField(
        choices=["value", "bytes", "store", "raw"],
        help_text="value: shown; bytes: a placeholder with a download link; store: object-store "
        "metadata; raw: the stored value of a codec the portal does not decode.",
    )
    entry = serializers.ChoiceField(
        choices=["value", "file", "none"],
        help_text="How a value is entered: a JSON value, a file object, or not through the portal.",
    )
    in_key = serializers.BooleanField()
    nullable = serializers.BooleanField()
    default = serializers.CharField(allow_null=True)
    autoincrement = serializers.BooleanField()
    comment = serializers.CharField(allow_blank=True)
    enum = serializers.ListField(child=serializers.CharField(), allow_null=True)


class TableOut(serializers.Serializer[Any]):
    schema = serializers.CharField()
    name = serializers.CharField(help_text="The class name: Session, or Session.Trial for a part.")
    tier = serializers.ChoiceField(choices=["Manual", "Lookup", "Imported", "Computed", "Part"])
    table_name = serializers.CharField(help_text="The SQL table name.")
    entry = serializers.BooleanField(
        help_text="Rows may be entered and corrected (Manual and Lookup tables and their parts)."
    )
    primary_key = serializers.ListField(child=serializers.CharField())
    attributes = HeadingAttributeOut(many=True)


class TableDetailOut(TableOut):
    count = serializers.IntegerField(help_text="Rows in the table.")


class RowsPageOut(serializers.Serializer[Any]):
    count = serializers.IntegerField(allow_null=True, help_text="Matching rows (null if count=0).")
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    order_by = serializers.ListField(child=serializers.CharField())
    attributes = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=_values())
    next_after = serializers.DictField(
        child=serializers.JSONField(), allow_null=True,
        help_text="The last row's key when the page is full: pass as after for the next page.",
    )  # fmt: skip


class RowsSearchIn(serializers.Serializer[Any]):
    where = serializers.JSONField(required=False, allow_null=True, help_text=WHERE_HELP)
    order_by = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, default=list,
        help_text='Attribute names, "-name" for descending; the key is appended.',
    )  # fmt: skip
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=100)
    offset = serializers.IntegerField(min_value=0, default=0)
    count = serializers.BooleanField(default=True)
    after = serializers.DictField(
        child=serializers.JSONField(allow_null=True), required=False, allow_null=True,
        help_text="Start after the row of this key, in key order.",
    )  # fmt: skip


class RowsInsertIn(serializers.Serializer[Any]):
    rows = serializers.ListField(
        child=serializers.JSONField(allow_null=True, help_text=VALUES_HELP), min_length=1,
        help_text="Rows to insert, all or nothing.",
    )  # fmt: skip


class RowErrorsOut(serializers.Serializer[Any]):
    index = serializers.IntegerField(help_text="The row's position in the request (from 0).")
    # A field named like Serializer.errors: the metaclass moves it away, mypy cannot tell.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.CharField(),
        help_text='Attribute -> reason ("*" for the row as a whole).',
    )


class InsertOut(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="Rows received.")
    inserted = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    errors = RowErrorsOut(  # type: ignore[assignment]
        many=True, help_text="Every bad row (dry run; else a 400 lists them)."
    )


class InvalidRowsDetails(serializers.Serializer[Any]):
    rows = RowErrorsOut(many=True)


class InvalidRowsError(serializers.Serializer[Any]):
    code = serializers.CharField(help_text='"invalid_rows"')
    message = serializers.CharField()
    details = InvalidRowsDetails()


class InvalidRowsOut(serializers.Serializer[Any]):
    """The 400 of an insert or upload with bad rows: nothing was written."""

    error = InvalidRowsError()


class RowUpdateIn(serializers.Serializer[Any]):
    key = serializers.DictField(
        child=serializers.JSONField(allow_null=True), help_text="The row's primary key values."
    )
    values = _values()


class DeletePreviewIn(serializers.Serializer[Any]):
    where = serializers.JSONField(required=False, allow_null=True, help_text=WHERE_HELP)
    keys = serializers.ListField(
        child=serializers.DictField(child=serializers.JSONField(allow_null=True)), required=False,
        allow_null=True, help_text="Primary keys of the rows to delete (at most 1000).",
    )  # fmt: skip
    part_integrity = serializers.ChoiceField(choices=["enforce", "cascade"], default="enforce")


class TableRowsOut(serializers.Serializer[Any]):
    schema = serializers.CharField()
    table = serializers.CharField()
    rows = serializers.IntegerField()


class DeletePreviewOut(serializers.Serializer[Any]):
    tables = TableRowsOut(many=True, help_text="Every table that loses rows, parents first.")
    total = serializers.IntegerField()
    refusal = serializers.CharField(allow_null=True, help_text="Why the delete would be refused.")
    token = serializers.CharField(
        allow_null=True, help_text="Pass to rows/delete/ (null: nothing to delete, or refused)."
    )
    expires_at = serializers.DateTimeField(allow_null=True)


class DeleteIn(serializers.Serializer[Any]):
    token = serializers.CharField()


class DeleteOut(serializers.Serializer[Any]):
    tables = TableRowsOut(many=True)
    total = serializers.IntegerField()


class FileIn(serializers.Serializer[Any]):
    file = serializers.FileField()
