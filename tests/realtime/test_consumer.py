"""``/ws/pipelines/<id>/`` through the ASGI application (Channels' test communicator): who may
open a socket, and replay after a last id, then live events, with nothing missed or repeated.

The events are written as workers write them (``events_record``); with the in-memory channel
layer the consumer tails the log. Real servers and workers run in test_embedded/test_production.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from accounts.models import User
from accounts.tokens import token_issue, token_revoke
from config.asgi import application
from pipelines.models import Pipeline, PopulateRun
from pipelines.services.runs_events import NewEvent, events_record
from tests.portal.conftest import PERSONAS

pytestmark = pytest.mark.django_db
PATH = "/ws/pipelines/lab/"


@pytest.fixture(autouse=True)
def _quick_tail(settings: Any) -> None:
    settings.JOINERY = {**settings.JOINERY, "TAIL_SECONDS": 0.05}


@pytest.fixture
def run(pipeline: Pipeline) -> PopulateRun:
    return PopulateRun.objects.create(pipeline=pipeline, schema="s", table="T")


def session_headers(user: User | None, origin: str | None = None) -> list[tuple[bytes, bytes]]:
    headers = []
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return headers


def play(scenario: Callable[[], Awaitable[Any]]) -> Any:
    return async_to_sync(scenario)()


async def opened(communicator: WebsocketCommunicator) -> tuple[bool, Any]:
    result: tuple[bool, Any] = await communicator.connect(timeout=5)
    return result


async def write(run: PopulateRun, count: int, start: int = 0) -> None:
    events = [NewEvent("key_done", {"n": start + i}, {}) for i in range(count)]
    await database_sync_to_async(events_record)(run=run, events=events, done=count)


async def collect(communicator: WebsocketCommunicator, until: int) -> list[dict[str, Any]]:
    """Events received until one with id ``until``; checks frames come in increasing id."""
    events: list[dict[str, Any]] = []
    while not events or events[-1]["id"] < until:
        frame = json.loads(await communicator.receive_from(timeout=5))
        assert frame["type"] == "events", frame
        events += frame["events"]
    return events


async def hello(communicator: WebsocketCommunicator) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await communicator.receive_from(timeout=5))
    assert frame["type"] == "hello"
    return frame


def _ids(run: PopulateRun) -> list[int]:
    return list(run.events.order_by("id").values_list("id", flat=True))


def ids_of(run: PopulateRun) -> list[int]:
    """The run's event ids (from sync code)."""
    return _ids(run)


async def ids_now(run: PopulateRun) -> list[int]:
    """The run's event ids (from a scenario)."""
    ids: list[int] = await database_sync_to_async(_ids)(run)
    return ids


# --- who may open a socket -------------------------------------------------------------------------
@pytest.mark.parametrize("persona", PERSONAS)
def test_members_open_a_socket_and_others_are_refused(
    personas: dict[str, User | None], persona: str
) -> None:
    headers = session_headers(personas[persona])

    async def scenario() -> tuple[bool, Any]:
        communicator = WebsocketCommunicator(application, PATH, headers)
        result = await opened(communicator)
        if result[0]:
            assert (await hello(communicator))["role"] == persona
        await communicator.disconnect()
        return result

    connected, _ = play(scenario)
    assert connected is (persona not in ("outsider", "anonymous"))


def test_a_token_opens_a_socket_by_query_or_subprotocol(
    personas: dict[str, User | None], pipeline: Pipeline
) -> None:
    viewer = personas["viewer"]
    assert viewer is not None
    _, raw = token_issue(user=viewer, name="socket")

    async def scenario() -> list[tuple[bool, Any]]:
        results = []
        for path, protocols in [(f"{PATH}?token={raw}", None), (PATH, ["bearer", raw])]:
            communicator = WebsocketCommunicator(application, path, subprotocols=protocols)
            results.append(await opened(communicator))
            await communicator.disconnect()
        by_id = WebsocketCommunicator(application, f"/ws/pipelines/{pipeline.pk}/?token={raw}")
        results.append(await opened(by_id))
        await by_id.disconnect()
        return results

    assert play(scenario) == [(True, None), (True, "bearer"), (True, None)]


def test_bad_tokens_are_refused_even_beside_a_valid_session(
    personas: dict[str, User | None], pipeline: Pipeline
) -> None:
    viewer = personas["viewer"]
    assert viewer is not None
    revoked, revoked_raw = token_issue(user=viewer, name="old")
    token_revoke(token=revoked)
    other = Pipeline.objects.create(name="Other", slug="other")
    _, elsewhere = token_issue(user=viewer, name="scoped", pipelines=[other])
    headers = session_headers(viewer)

    async def scenario() -> list[bool]:
        results = []
        for raw in (revoked_raw, "jnr_not-a-token", elsewhere):
            communicator = WebsocketCommunicator(application, f"{PATH}?token={raw}", headers)
            results.append((await opened(communicator))[0])
        missing = WebsocketCommunicator(application, "/ws/pipelines/nope/", headers)
        results.append((await opened(missing))[0])
        return results

    assert play(scenario) == [False, False, False, False]


def test_a_session_socket_from_another_site_is_refused(personas: dict[str, User | None]) -> None:
    viewer = personas["viewer"]
    assert viewer is not None
    _, raw = token_issue(user=viewer, name="script")
    origins = ("https://evil.example", "http://localhost:8000", "http://127.0.0.1:8000")
    headers = [session_headers(viewer, origin) for origin in origins]

    async def scenario() -> list[bool]:
        results = []
        for origin_headers in headers:
            communicator = WebsocketCommunicator(application, PATH, origin_headers)
            results.append((await opened(communicator))[0])
            await communicator.disconnect()
        token = WebsocketCommunicator(
            application, f"{PATH}?token={raw}", [(b"origin", b"https://evil.example")]
        )
        results.append((await opened(token))[0])  # a token is not a cookie: no Origin rule
        await token.disconnect()
        return results

    assert play(scenario) == [False, True, True, True]


# --- replay, then live ---------------------------------------------------------------------------
def test_replay_after_the_last_id_then_live_events_in_order(
    personas: dict[str, User | None], run: PopulateRun
) -> None:
    headers = session_headers(personas["viewer"])

    async def scenario() -> list[dict[str, Any]]:
        await write(run, 30)
        communicator = WebsocketCommunicator(application, PATH, headers)
        assert (await opened(communicator))[0]
        head = (await hello(communicator))["last_event_id"]
        known = await ids_now(run)
        assert head == known[-1]
        await communicator.send_json_to({"last_event_id": known[9]})
        received = await collect(communicator, head)
        await write(run, 700, start=30)  # more than one page of the log
        received += await collect(communicator, (await ids_now(run))[-1])
        await communicator.disconnect()
        return received

    received = play(scenario)
    assert [e["id"] for e in received] == ids_of(run)[10:]
    assert [e["key"]["n"] for e in received] == list(range(10, 730))
    assert set(received[0]) == {"id", "run", "kind", "key", "payload", "created_at"}


def test_a_reconnect_with_the_last_id_misses_nothing_and_repeats_nothing(
    personas: dict[str, User | None], run: PopulateRun
) -> None:
    headers = session_headers(personas["operator"])

    async def scenario() -> list[int]:
        first = WebsocketCommunicator(application, PATH, headers)
        assert (await opened(first))[0]
        await hello(first)
        await first.send_json_to({"last_event_id": 0})
        await write(run, 50)
        seen = [e["id"] for e in await collect(first, (await ids_now(run))[-1])]
        await first.disconnect()
        await write(run, 40, start=50)  # while the client is away
        again = WebsocketCommunicator(application, f"{PATH}?last_event_id={seen[-1]}", headers)
        assert (await opened(again))[0]
        await hello(again)
        await write(run, 10, start=90)
        seen += [e["id"] for e in await collect(again, (await ids_now(run))[-1])]
        await again.disconnect()
        return seen

    seen = play(scenario)
    assert seen == ids_of(run)
    assert len(seen) == len(set(seen)) == 100


def test_null_last_id_means_from_now_on(personas: dict[str, User | None], run: PopulateRun) -> None:
    headers = session_headers(personas["viewer"])

    async def scenario() -> list[dict[str, Any]]:
        await write(run, 5)
        communicator = WebsocketCommunicator(application, PATH, headers)
        assert (await opened(communicator))[0]
        await hello(communicator)
        await communicator.send_json_to({"last_event_id": None})
        assert await communicator.receive_nothing(timeout=0.3)
        await write(run, 3, start=5)
        events = await collect(communicator, (await ids_now(run))[-1])
        await communicator.disconnect()
        return events

    assert [e["key"]["n"] for e in play(scenario)] == [5, 6, 7]


@pytest.mark.parametrize(
    "message", ["not json", '{"last_event_id": "x"}', '{"last_event_id": -3}', '{"hello": 1}', "[]"]
)
def test_bad_messages_get_an_error_and_the_socket_stays(
    personas: dict[str, User | None], run: PopulateRun, message: str
) -> None:
    headers = session_headers(personas["viewer"])

    async def scenario() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        communicator = WebsocketCommunicator(application, PATH, headers)
        assert (await opened(communicator))[0]
        await hello(communicator)
        await communicator.send_to(text_data=message)
        error = json.loads(await communicator.receive_from(timeout=5))
        await communicator.send_json_to({"last_event_id": 0})
        await write(run, 2)
        events = await collect(communicator, (await ids_now(run))[-1])
        await communicator.disconnect()
        return error, events

    error, events = play(scenario)
    assert error["type"] == "error" and error["message"]
    assert len(events) == 2
