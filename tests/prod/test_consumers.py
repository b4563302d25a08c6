"""The job progress websocket (/ws/jobs/<id>/) through the real ASGI application."""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.db import connections

from config.asgi import application
from recall.accounts.models import User
from recall.accounts.tokens import api_token_create
from recall.core.progress import publish_job_progress
from recall.jobs.models import Job, JobStatus
from tests.factories import UserFactory

ORIGIN = (b"origin", b"http://127.0.0.1")
pytestmark = pytest.mark.django_db(transaction=True)


def make_user(**kwargs: Any) -> User:
    return cast(User, UserFactory(**kwargs))


class WebsocketCommunicator(ApplicationCommunicator):
    """A websocket client speaking ASGI to the app (channels.testing's needs daphne)."""

    def __init__(self, app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        scope = {
            "type": "websocket",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": headers,
            "subprotocols": [],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        super().__init__(app, scope)

    async def connect(self, timeout: float = 3) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        return True, response.get("subprotocol")

    async def receive_json_from(self, timeout: float = 3) -> Any:
        message = await self.receive_output(timeout)
        assert message["type"] == "websocket.send", message
        return json.loads(message["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 3) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def run(scenario: Any) -> Any:
    """Run a scenario, then close the connections its database calls opened in their thread."""

    async def wrapped() -> Any:
        try:
            return await scenario
        finally:
            await sync_to_async(connections.close_all)()

    return asyncio.run(wrapped())


def _communicator(job_id: int, *headers: tuple[bytes, bytes]) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, f"/ws/jobs/{job_id}/", headers=[ORIGIN, *headers])


def _token_header(user: Any) -> tuple[bytes, bytes]:
    _, key = api_token_create(user=user, name="ws test")
    return (b"authorization", f"Token {key}".encode())


def test_owner_gets_the_state_at_once_then_each_progress_message():
    owner = make_user()
    job = Job.objects.create(owner=owner, filename="notes.md", status=JobStatus.RUNNING, total=10)
    header = _token_header(owner)

    async def scenario() -> list[dict[str, Any]]:
        communicator = _communicator(job.pk, header)
        connected, _ = await communicator.connect()
        assert connected
        first = await communicator.receive_json_from(timeout=3)
        await sync_to_async(publish_job_progress)(
            job.pk, {"status": "running", "progress": 4, "total": 10}
        )
        second = await communicator.receive_json_from(timeout=3)
        await communicator.disconnect()
        return [first, second]

    state, progress = run(scenario())
    assert state["event"] == "state"
    assert state["job"] == job.pk
    assert state["status"] == "running"
    assert state["total"] == 10
    assert state["finished"] is False
    assert progress == {
        "event": "progress",
        "job": job.pk,
        "status": "running",
        "progress": 4,
        "total": 10,
    }


def test_late_subscriber_sees_the_finished_job():
    owner = make_user()
    job = Job.objects.create(
        owner=owner,
        filename="notes.md",
        status=JobStatus.SUCCEEDED,
        progress=5,
        total=5,
        message="notes.md: 5 created",
        result={"created": 5},
    )

    header = _token_header(owner)

    async def scenario() -> dict[str, Any]:
        communicator = _communicator(job.pk, header)
        connected, _ = await communicator.connect()
        assert connected
        message = await communicator.receive_json_from(timeout=3)
        await communicator.disconnect()
        return message

    state = run(scenario())
    assert state["status"] == "succeeded"
    assert state["finished"] is True
    assert state["result"] == {"created": 5}
    assert state["progress"] == state["total"] == 5


@pytest.mark.parametrize("who", ["stranger", "anonymous", "bad-token", "missing-job"])
def test_only_the_owner_may_subscribe(who):
    owner = make_user()
    job = Job.objects.create(owner=owner, filename="notes.md")
    headers: list[tuple[bytes, bytes]] = []
    job_id = job.pk
    if who == "stranger":
        headers.append(_token_header(make_user()))
    elif who == "bad-token":
        headers.append((b"authorization", b"Token not-a-real-key"))
    elif who == "missing-job":
        headers.append(_token_header(owner))
        job_id = job.pk + 1000

    async def scenario() -> dict[str, Any]:
        communicator = _communicator(job_id, *headers)
        connected, _ = await communicator.connect()
        assert connected  # accepted, then closed with the application's code
        closing = await communicator.receive_output(timeout=3)
        await communicator.wait()
        return closing

    closing = run(scenario())
    assert closing == {"type": "websocket.close", "code": 4403}


def test_a_cross_site_origin_is_rejected():
    owner = make_user()
    job = Job.objects.create(owner=owner, filename="notes.md")
    header = _token_header(owner)

    async def scenario() -> bool:
        communicator = WebsocketCommunicator(
            application,
            f"/ws/jobs/{job.pk}/",
            headers=[(b"origin", b"http://evil.example"), header],
        )
        connected, _ = await communicator.connect()
        return connected

    assert run(scenario()) is False


def test_session_cookie_authenticates_a_browser(client):
    owner = make_user()
    job = Job.objects.create(owner=owner, filename="notes.md", status=JobStatus.PENDING)
    client.force_login(owner)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def scenario() -> dict[str, Any]:
        communicator = _communicator(job.pk, (b"cookie", cookie))
        connected, _ = await communicator.connect()
        assert connected
        message = await communicator.receive_json_from(timeout=3)
        await communicator.disconnect()
        return message

    assert run(scenario())["status"] == "pending"
