"""Data-database sessions: a thread keeps one while it works, a finished request gives it back,
and the next request (on any thread) reuses it instead of connecting again."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished

from pipelines.services import data

# request_finished also closes Django's own stale connections, which touches the portal DB.
pytestmark = pytest.mark.django_db


@pytest.fixture
def sqlite_data(settings: Any, tmp_path: Path) -> Any:
    settings.JOINERY = {**settings.JOINERY, "DATA_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"}
    data.data_connection()  # the file and its metadata tables exist before threads open it
    data.close_data_connections()
    yield
    data.close_data_connections()


def test_a_thread_keeps_its_session_until_its_request_finishes(sqlite_data: None) -> None:
    first = data.data_connection()
    assert data.data_connection() is first
    request_finished.send(sender=None)
    assert data.data_connection() is first  # taken back from the pool, not reopened


def test_a_finished_requests_session_serves_the_next_thread(sqlite_data: None) -> None:
    seen: list[Any] = []

    def request() -> None:
        seen.append(data.data_connection())
        request_finished.send(sender=None)

    for _ in range(3):
        worker = threading.Thread(target=request)
        worker.start()
        worker.join()
    assert seen[0] is seen[1] is seen[2]


def test_a_session_left_in_a_transaction_is_rolled_back_when_given_back(
    sqlite_data: None,
) -> None:
    connection = data.data_connection()
    connection.start_transaction()
    request_finished.send(sender=None)
    assert not connection.in_transaction


def test_two_threads_at_once_get_two_sessions(sqlite_data: None) -> None:
    seen: list[Any] = []
    barrier = threading.Barrier(2)

    def request() -> None:
        seen.append(data.data_connection())
        barrier.wait(timeout=10)
        request_finished.send(sender=None)

    workers = [threading.Thread(target=request) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert seen[0] is not seen[1]
