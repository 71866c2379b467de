"""Hidden job-metadata columns of auto-populated tables (spec/engine.md §5.9).

With ``jobs.add_job_metadata`` set when a Computed or Imported table (not a part) is declared, the
table gets three hidden columns after the user's: when its row's ``make`` began, how long it took
and the code version. They carry no lineage and are invisible to fetch, joins and headings.
"""

from __future__ import annotations

import dataclasses

from .naming import tier_of_table_name
from .parser import parse_attribute_line
from .resolve import _attribute_column as attribute_column  # one rendering for every column
from .resolved import Column, ResolvedTable

#: The columns as DataJoint declares them, in its definition language.
JOB_METADATA_LINES = (
    "_job_start_time = null : datetime(3) # when computation began",
    "_job_duration = null : float32 # computation duration in seconds",
    '_job_version = "" : varchar(64) # code version',
)
JOB_METADATA_NAMES = ("_job_start_time", "_job_duration", "_job_version")


def takes_job_metadata(table_name: str) -> bool:
    """Computed and Imported tables do; their parts and the other tiers do not."""
    return tier_of_table_name(table_name) in ("Computed", "Imported")


def job_metadata_columns(database: str, table_name: str) -> tuple[Column, ...]:
    columns = []
    for number, line in enumerate(JOB_METADATA_LINES, start=1):
        spec = parse_attribute_line(line, in_key=False, number=number, allow_reserved=True)
        column = attribute_column(spec, database, table_name)
        columns.append(dataclasses.replace(column, is_hidden=True))
    return tuple(columns)


def with_job_metadata(resolved: ResolvedTable) -> ResolvedTable:
    """``resolved`` with the job-metadata columns appended after its own."""
    extra = job_metadata_columns(resolved.database, resolved.table_name)
    return dataclasses.replace(resolved, columns=resolved.columns + extra)
