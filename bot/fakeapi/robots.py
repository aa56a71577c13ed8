"""Fake WeCom and DingTalk group robots on the same server: they record posts, check DingTalk's signatures,
enforce 20 posts a minute (45009; 130101 and ten minutes' throttling) and answer injected errors and 5xx.

`robot_base_url` stands in for both WECOM_API_BASE_URL and DINGTALK_API_BASE_URL (their paths differ).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.fakeapi.core import ServerCore
from bot.fakeapi.state import JSONDict

WECOM, DINGTALK = "wecom", "dingtalk"
PER_MINUTE = 20
THROTTLE_SECONDS = 600
SIGN_WINDOW_MS = 3_600_000
WECOM_MSGTYPES = frozenset({"text", "markdown", "image", "file", "news"})
DINGTALK_MSGTYPES = frozenset({"text", "markdown", "link", "actionCard", "feedCard"})


@dataclass
class FakeRobot:
    """One robot: what it accepted, the errors it is told to answer next, and its rate window."""

    vendor: str
    token: str
    secret: str | None = None
    posts: list[JSONDict] = field(default_factory=list)
    refused: list[JSONDict] = field(default_factory=list)
    """Every answer other than 0, with the post it was given."""
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    faults: list[tuple[int, int]] = field(default_factory=list)
    """(HTTP status, errcode) to answer the next posts with, in order."""
    limit_violations: int = 0
    recent: deque[float] = field(default_factory=deque)
    throttled_until: float = 0.0

    def fail(self, *, errcode: int = 0, status: int = 200, times: int = 1) -> None:
        """Answer the next `times` posts with this errcode (e.g. 45009, 130101) or HTTP status (e.g. 502)."""
        self.faults.extend([(status, errcode)] * times)

    def texts(self) -> list[str]:
        """What each accepted post showed: its text, or `[file name]` / `[image]`."""
        return [shown(post, self.files) for post in self.posts]


def shown(post: JSONDict, files: dict[str, tuple[str, bytes]]) -> str:
    """A post as a person in the group would read it."""
    kind = post.get("msgtype")
    body = post.get(str(kind)) or {}
    if kind == "file":
        return f"[file {files.get(body.get('media_id', ''), ('?', b''))[0]}]"
    if kind == "image":
        return "[image]"
    return str(body.get("content") or body.get("text") or "")


def errcode(code: int, message: str) -> web.Response:
    """The vendors answer errors with HTTP 200 and a JSON errcode."""
    return web.json_response({"errcode": code, "errmsg": message})


class RobotsApi(ServerCore):
    """The robot endpoints: `/cgi-bin/webhook/send`, `/cgi-bin/webhook/upload_media` and `/robot/send`."""

    def _init_state(self) -> None:
        """No robots until a test creates them."""
        super()._init_state()
        self.robots: dict[tuple[str, str], FakeRobot] = {}
        self.robots_open = False
        """Any key or token reaches a new robot (the shell, where people paste whatever they like)."""
        self.on_robot_post: Callable[[FakeRobot, JSONDict], None] | None = None
        self._media_ids = itertools.count(1)

    @property
    def robot_base_url(self) -> str:
        """The base URL both robot vendors' settings point to in tests and the shell."""
        return self.base_url.removesuffix("/bot")

    def wecom_robot(self, key: str) -> FakeRobot:
        """A WeCom group robot reachable with this key."""
        return self.robots.setdefault((WECOM, key), FakeRobot(WECOM, key))

    def dingtalk_robot(self, token: str, secret: str | None = None) -> FakeRobot:
        """A DingTalk custom robot reachable with this token (signed when it has a secret)."""
        return self.robots.setdefault((DINGTALK, token), FakeRobot(DINGTALK, token, secret))

    def robot_posts(self) -> list[tuple[FakeRobot, JSONDict]]:
        """Every post every robot accepted, robot by robot."""
        return [(robot, post) for robot in self.robots.values() for post in robot.posts]

    async def wait_for_posts(self, robot: FakeRobot, count: int, timeout: float = 10.0) -> list[str]:  # noqa: ASYNC109
        """Wait until a robot has accepted `count` posts; their texts."""
        deadline = time.monotonic() + timeout
        while len(robot.posts) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{robot.vendor} robot got {robot.texts()} ({robot.refused}), wanted {count}"
                )
            await self._calls_sig().wait(0.05)
        return robot.texts()

    def _robot(self, vendor: str, token: str) -> FakeRobot | None:
        """The robot a key or token reaches (made on the spot when robots are open)."""
        if self.robots_open and token:
            return self.robots.setdefault((vendor, token), FakeRobot(vendor, token))
        return self.robots.get((vendor, token))

    async def _serve_other(self, request: web.Request) -> web.StreamResponse | None:
        """Route the robots' paths; everything else is the Bot API's."""
        if request.path == "/cgi-bin/webhook/send":
            return await self._robot_post(self._robot(WECOM, request.query.get("key", "")), request)
        if request.path == "/cgi-bin/webhook/upload_media":
            return await self._upload(self._robot(WECOM, request.query.get("key", "")), request)
        if request.path == "/robot/send":
            robot = self._robot(DINGTALK, request.query.get("access_token", ""))
            return await self._robot_post(robot, request)
        return None

    async def _robot_post(self, robot: FakeRobot | None, request: web.Request) -> web.Response:
        """One post: known robot, signature, injected fault, rate limit, shape; recorded when accepted."""
        try:
            post = json.loads(await request.read())
        except ValueError:
            post = {}
        answer = self._judge(robot, request, post)
        if robot is not None:
            if answer.status == 200 and json.loads(answer.body)["errcode"] == 0:  # type: ignore[arg-type]
                robot.posts.append(post)
                if self.on_robot_post is not None:
                    self.on_robot_post(robot, post)
            else:
                robot.refused.append({"post": post, "status": answer.status, "answer": answer.text})
        self._calls_sig().notify()
        return answer

    def _judge(self, robot: FakeRobot | None, request: web.Request, post: Any) -> web.Response:
        """The answer the real robot would give."""
        if robot is None:
            return (
                errcode(93000, "invalid webhook url")
                if request.path.startswith("/cgi")
                else errcode(300001, "token is not exist")
            )
        if robot.secret and not signed(robot.secret, request.query):
            return errcode(310000, "sign not match")
        if robot.faults:
            status, code = robot.faults.pop(0)
            return (
                web.Response(status=status, text="Bad Gateway")
                if status >= 500
                else errcode(code, "injected")
            )
        moment = time.time()
        while robot.recent and robot.recent[0] <= moment - 60:
            robot.recent.popleft()
        if moment < robot.throttled_until or len(robot.recent) >= PER_MINUTE:
            robot.limit_violations += 1
            if robot.vendor == WECOM:
                return errcode(45009, "api freq out of limit")
            robot.throttled_until = max(robot.throttled_until, moment + THROTTLE_SECONDS)
            return errcode(130101, "send too fast, exceed 20 times per minute")
        kinds = WECOM_MSGTYPES if robot.vendor == WECOM else DINGTALK_MSGTYPES
        if not isinstance(post, dict) or post.get("msgtype") not in kinds or not post.get(post["msgtype"]):
            return errcode(40008 if robot.vendor == WECOM else 400013, "invalid message type")
        if (
            robot.vendor == WECOM
            and post["msgtype"] == "file"
            and post["file"].get("media_id") not in robot.files
        ):
            return errcode(40007, "invalid media_id")
        robot.recent.append(moment)
        return errcode(0, "ok")

    async def _upload(self, robot: FakeRobot | None, request: web.Request) -> web.Response:
        """WeCom's upload_media: keeps the file and answers its media_id."""
        if robot is None:
            return errcode(93000, "invalid webhook url")
        form = await request.post()
        media = form.get("media")
        if not isinstance(media, web.FileField):
            return errcode(44001, "empty media data")
        media_id = f"media-{next(self._media_ids)}"
        robot.files[media_id] = (media.filename, media.file.read())
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": "file", "media_id": media_id})


def signed(secret: str, query: Any) -> bool:
    """DingTalk: Base64(HMAC-SHA256(secret, "timestamp\\nsecret")), the timestamp within an hour."""
    stamp = str(query.get("timestamp", ""))
    if not stamp.isdigit() or abs(int(stamp) - time.time() * 1000) > SIGN_WINDOW_MS:
        return False
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), str(query.get("sign", "")))
