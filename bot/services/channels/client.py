"""Talks to the robots over HTTPS; never logs a URL, since the URL carries the robot's key."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import aiohttp

from bot.services.channels import vendors
from bot.services.channels.vendors import Answer, Credentials

TIMEOUT = aiohttp.ClientTimeout(total=15)
NETWORK_RETRY = timedelta(seconds=30)


async def _post(url: str, vendor: str, **body: object) -> tuple[Answer, dict[str, object]]:
    """One POST; network trouble is an answer to retry, never an exception the caller must catch."""
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session, session.post(url, **body) as reply:  # type: ignore[arg-type]
            raw = await reply.read()
            try:
                data = json.loads(raw) if raw else {}
            except ValueError:
                data = {}
            return vendors.answer(vendor, reply.status, data), data if isinstance(data, dict) else {}
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return Answer(False, 0, f"network: {type(exc).__name__}", retry=NETWORK_RETRY), {}


async def send(base: str, robot: Credentials, payload: dict[str, object]) -> Answer:
    """Post one message to a robot and classify its answer."""
    url = vendors.send_url(base, robot, int(time.time() * 1000))
    answer, _ = await _post(url, robot.vendor, json=payload)
    return answer


async def upload(base: str, robot: Credentials, name: str, content: bytes) -> tuple[Answer, str | None]:
    """Upload a file to WeCom; with its media_id when accepted."""
    form = aiohttp.FormData()
    form.add_field("media", content, filename=name, content_type="application/octet-stream")
    answer, data = await _post(vendors.upload_url(base, robot), robot.vendor, data=form)
    media = data.get("media_id")
    return answer, str(media) if answer.ok and media else None
