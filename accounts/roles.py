"""Roles on a pipeline, strongest first: owner > maintainer > operator > entry > viewer.

A member holds one role per pipeline; every role includes what the weaker ones may do:

* viewer: browse tables, rows, queries, the diagram and runs;
* entry: also insert and correct rows of Manual and Lookup tables;
* operator: also start and cancel populate runs, delete rows;
* maintainer: also change the pipeline's table definitions and apply them;
* owner: also manage members and the pipeline itself.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MAINTAINER = "maintainer", "Maintainer"
    OPERATOR = "operator", "Operator"
    ENTRY = "entry", "Entry"
    VIEWER = "viewer", "Viewer"


#: Higher is stronger.
RANK = {Role.VIEWER: 1, Role.ENTRY: 2, Role.OPERATOR: 3, Role.MAINTAINER: 4, Role.OWNER: 5}


def role_allows(role: str | None, minimum: str) -> bool:
    """Whether ``role`` (None: no role at all) may do what ``minimum`` may."""
    return role is not None and RANK[Role(role)] >= RANK[Role(minimum)]


def weaker_of(first: str, second: str) -> str:
    return first if RANK[Role(first)] <= RANK[Role(second)] else second
