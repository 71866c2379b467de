"""A write to the data database and its audit event, committed together.

Two databases cannot share one transaction. The data database's transaction is opened inside
the portal's and committed last inside it: if the write or the audit event fails, both roll
back; only the portal's own final COMMIT failing after the data committed could leave a change
without its event. Audit payloads list rows by key, at most ``MAX_KEYS`` of them, with counts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction

import pipelines.core as dj
from pipelines.services.data import data_connection
from pipelines.services.row_tables import MAX_KEYS, key_out


@contextlib.contextmanager
def data_write() -> Iterator[dj.Connection]:
    """Open both transactions; the block writes to the data database and records the audit
    event (``audit_record``) on the portal's."""
    connection = data_connection()
    with transaction.atomic():
        connection.start_transaction()
        try:
            yield connection
        except BaseException:
            with contextlib.suppress(dj.DataJointError):
                connection.cancel_transaction()
            raise
        connection.commit_transaction()


def keys_payload(keys: Iterable[dict[str, Any]], count: int) -> dict[str, Any]:
    """``{"count", "keys": [at most MAX_KEYS keys], "keys_truncated"}`` for an audit payload."""
    listed: list[dict[str, Any]] = []
    for key in keys:
        if len(listed) == MAX_KEYS:
            break
        listed.append(key_out(key))
    return {"count": count, "keys": listed, "keys_truncated": count > len(listed)}
