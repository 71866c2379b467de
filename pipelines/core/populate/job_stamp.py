"""Write the hidden job-metadata columns of a made row (spec/engine.md §5.9).

DataJoint stamps a row after its transaction commits, so a crash between the two leaves a result
without its record. Here the stamp is written inside the key's transaction: the row and its
start time, duration and code version commit together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..definition.job_metadata import JOB_METADATA_NAMES
from ..query.values import cached_encoder
from ..sql.key_list import keys_where
from .jobs import job_version

VERSION_LENGTH = 64


class JobStamp:
    """Stamps rows of one table that has the job-metadata columns."""

    def __init__(self, table: Any) -> None:
        self._connection = table.connection
        dialect = self._connection.dialect
        attributes = table.heading.all_attributes
        self._attributes = attributes
        self._names: list[str] = list(table.primary_key)
        textual = not dialect.has_column_comments
        self._encode_start = cached_encoder(attributes["_job_start_time"], textual)
        assignments = ", ".join(
            f"{dialect.quote(n)}={dialect.placeholder}" for n in JOB_METADATA_NAMES
        )
        self._update = (
            f"UPDATE {dialect.table_ref(table.database, table.table_name)} SET {assignments}"
        )
        version = job_version(self._connection.config["jobs.version_method"])
        self._version = (version or "")[:VERSION_LENGTH]

    @staticmethod
    def applies_to(table: Any) -> bool:
        return "_job_start_time" in table.heading.hidden_attributes

    def __call__(self, key: dict[str, Any], started: float, duration: float) -> None:
        """Stamp ``key``'s row: ``started`` is the wall-clock time (epoch seconds) make began."""
        connection = self._connection
        where, params = keys_where(connection.dialect, self._attributes, self._names, [key])
        start = self._encode_start(datetime.fromtimestamp(started))
        connection.query(f"{self._update} WHERE {where}", [start, duration, self._version, *params])
