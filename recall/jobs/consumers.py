"""Websocket consumer that streams a background job's progress to its owner.

The client subscribes to /ws/jobs/<id>/; it receives the job's current state at once
(so a late subscriber still sees the end), then every progress message the job publishes
to the group recall.core.progress.job_group(id).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from recall.core.progress import job_group

from .selectors import job_snapshot, jobs_owned_by

# Application close code for "not yours" (4000-4999 are free for applications).
CLOSE_FORBIDDEN = 4403


@database_sync_to_async
def _owned_job_state(job_id: int, user: Any) -> dict[str, Any] | None:
    job = jobs_owned_by(user).filter(pk=job_id).first()
    return None if job is None else job_snapshot(job)


class JobProgressConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        job_id = int(self.scope["url_route"]["kwargs"]["job_id"])
        state = await _owned_job_state(job_id, self.scope.get("user"))
        # Accept before closing so the client sees the application's close code, not a bare 403;
        # a missing job and another user's job look the same.
        await self.accept()
        if state is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = job_group(job_id)
        # Join first, then send the state: no progress message can fall in between unseen.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json({"event": "state", **state})

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The stream is one-way; a client message is ignored rather than treated as an error.
        return None

    async def job_progress(self, message: dict[str, Any]) -> None:
        await self.send_json({"event": "progress", **message.get("payload", {})})
