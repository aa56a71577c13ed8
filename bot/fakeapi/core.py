"""HTTP core of the fake Bot API: lifecycle, routing, params, JSON answers, faults, latency, flood limits."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from bot.fakeapi.params import coerce_params
from bot.fakeapi.state import (
    ApiCall,
    ApiError,
    Fault,
    JSONDict,
    RateLimiter,
    bad_request,
    default_fault_description,
)

_LOG = logging.getLogger(__name__)
_API_PATH = re.compile(r"^/bot([^/]+)/([A-Za-z0-9_]+)/?$")
_FILE_PATH = re.compile(r"^/file/bot([^/]+)/(.+)$")
_NOT_FOUND: JSONDict = {"ok": False, "error_code": 404, "description": "Not Found"}
GROUP_TYPES = frozenset({"group", "supergroup", "channel"})
"""Chat types Telegram's per-chat flood limit applies to."""

Handler = Callable[[JSONDict], Any]


class Notifier:
    """Wake-all signal: waiters re-check their condition whenever something changed."""

    def __init__(self) -> None:
        """Start with a fresh, unset event."""
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake everyone currently waiting."""
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, seconds: float) -> None:
        """Sleep until the next notify() or `seconds` elapsed (no error on timeout)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)


def json_response(payload: JSONDict, status: int) -> web.Response:
    """Serialise like Telegram: JSON body, HTTP status == error_code."""
    return web.Response(
        body=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type="application/json",
    )


class ServerCore:
    """Serves /bot<token>/<method> by calling `_api_<snake_name>`, which the API-area mixins define.

    Each area keeps its own storage: it extends `_init_state()` (calling super()), so the areas compose in
    any order and FakeBotApi keeps this constructor.
    """

    def __init__(
        self, bot_id: int = 1000, bot_username: str = "kefu_test_bot", bot_name: str = "Kefu Bot"
    ) -> None:
        """Prepare empty state; call start() (or use `async with`) to listen."""
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        # BotFather's settings, as getMe reports them; privacy mode also filters group messages
        self.privacy_mode: bool = False
        self.can_join_groups: bool = True
        self.supports_inline_queries: bool = False
        self.calls: list[ApiCall] = []
        self.latency: float = 0.0
        self.limit_violations: int = 0
        self.on_call: Callable[[ApiCall], None] | None = None
        self._faults: list[Fault] = []
        self._limiter: RateLimiter | None = None
        self._limit_clock: Callable[[], float] = time.monotonic
        self._updates_signal: Notifier | None = None
        self._calls_signal: Notifier | None = None
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"
        self._methods: dict[str, Handler] = {
            name[5:].replace("_", ""): getattr(self, name) for name in dir(self) if name.startswith("_api_")
        }
        self._init_state()

    def _init_state(self) -> None:
        """Hook for the API areas to create their storage; the core keeps none beyond the above."""

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on host:port (port 0 picks a free one)."""
        if self._runner is not None:
            return
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening; pending long polls return immediately."""
        self._closing = True
        self._updates_sig().notify()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        """Start the server for an `async with` block."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server at the end of an `async with` block."""
        await self.stop()

    @property
    def base_url(self) -> str:
        """Value for ApplicationBuilder.base_url (PTB appends the token)."""
        return f"http://{self._host}:{self._require_port()}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ApplicationBuilder.base_file_url (PTB appends the token)."""
        return f"http://{self._host}:{self._require_port()}/file/bot"

    def _require_port(self) -> int:
        """URLs only make sense once the server listens."""
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started; call `await api.start()` first")
        return self._port

    def _updates_sig(self) -> Notifier:
        """Wakes long polls when updates arrive; created lazily so the object can be built outside a loop."""
        if self._updates_signal is None:
            self._updates_signal = Notifier()
        return self._updates_signal

    def _calls_sig(self) -> Notifier:
        """Wakes test-side waiters after every call; created lazily like _updates_sig()."""
        if self._calls_signal is None:
            self._calls_signal = Notifier()
        return self._calls_signal

    # ------------------------------------------------------------------ faults and limits

    def fail(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = None,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Make the next `times` calls of method ("*" = any but getUpdates) fail."""
        self._faults.append(
            Fault(
                method=method if method == "*" else method.lower(),
                status=status,
                retry_after=retry_after,
                times=times,
                description=description or default_fault_description(status, retry_after),
            )
        )

    def _take_fault(self, method: str) -> Fault | None:
        """Consume the first fault that applies to this (lower-case) method."""
        for fault in self._faults:
            if fault.method == method or (fault.method == "*" and method != "getupdates"):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def enforce_limits(
        self,
        per_chat_per_minute: int | None = 20,
        overall_per_second: int | None = 30,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """From now on answer 429 to sends and edits beyond Telegram's limits (None disables one), timed by
        `clock` (a test that moves the bot's clock by hand gives the server the same one)."""
        self._limit_clock = clock
        if per_chat_per_minute is None and overall_per_second is None:
            self._limiter = None
            return
        self._limiter = RateLimiter(per_chat_per_minute, overall_per_second)

    def _check_limits(self, chat: JSONDict) -> None:
        """Answer 429 "Too Many Requests: retry after N" if one more send to this chat breaks a limit."""
        if self._limiter is None:
            return
        wait = self._limiter.check(chat["id"], chat["type"] in GROUP_TYPES, self._limit_clock())
        if wait is not None:
            self.limit_violations += 1
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)

    def _record_send(self, chat: JSONDict) -> None:
        """Count an accepted send or edit for the limiter."""
        if self._limiter is not None:
            self._limiter.record(chat["id"], chat["type"] in GROUP_TYPES, self._limit_clock())

    # ------------------------------------------------------------------ HTTP plumbing

    async def _read_params(self, request: web.Request) -> JSONDict:
        """Collect query + JSON/form/multipart params, decoding them like Telegram."""
        raw: JSONDict = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return coerce_params(raw)
        if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    content = value.file.read()
                    raw[key] = {
                        "filename": value.filename,
                        "size": len(content),
                        "content": content,
                        "content_type": value.content_type,
                    }
                else:
                    raw[key] = value
            return coerce_params(raw)
        body = await request.read()
        if body.strip():
            try:
                data = json.loads(body)
            except ValueError as exc:
                raise bad_request("can't parse JSON request body") from exc
            if not isinstance(data, dict):
                raise bad_request("request body must be a JSON object")
            raw.update(data)
        return coerce_params(raw)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Single entry point: route /bot<token>/<method> and /file/bot<token>/<path>."""
        file_match = _FILE_PATH.match(request.path)
        if file_match is not None:
            return self._download(file_match.group(2))
        elsewhere = await self._serve_other(request)
        if elsewhere is not None:
            return elsewhere
        match = _API_PATH.match(request.path)
        if match is None:
            return json_response(_NOT_FOUND, 404)
        method = match.group(2)
        at = time.monotonic()
        params: JSONDict = {}
        try:
            params = await self._read_params(request)
            payload, status = await self._answer(method.lower(), params)
        except ApiError as exc:
            payload, status = exc.payload(), exc.code
        except Exception as exc:  # never crash on odd input; answer like a server error
            _LOG.exception("FakeBotApi: internal error handling %s", method)
            description = f"Internal Server Error: {type(exc).__name__}: {exc}"
            payload, status = {"ok": False, "error_code": 500, "description": description}, 500
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        # the recorded result is an independent snapshot: later edits must not rewrite history
        result = json.loads(body)["result"] if status == 200 else None
        error = None if status == 200 else payload
        self._record(ApiCall(method=method, params=params, at=at, result=result, status=status, error=error))
        return web.Response(body=body, status=status, content_type="application/json")

    async def _answer(self, lname: str, params: JSONDict) -> tuple[JSONDict, int]:
        """Apply latency and injected faults, then run the method's handler."""
        if self.latency > 0 and lname != "getupdates":
            await asyncio.sleep(self.latency)
        fault = self._take_fault(lname)
        if fault is not None:
            return fault.payload(), fault.status
        handler = self._methods.get(lname)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        outcome = handler(params)
        if asyncio.iscoroutine(outcome):
            outcome = await outcome
        return {"ok": True, "result": outcome}, 200

    def _record(self, call: ApiCall) -> None:
        """Log a call, wake waiters and run the on_call hook (whose errors are logged, not raised)."""
        self.calls.append(call)
        self._calls_sig().notify()
        if self.on_call is not None:
            try:
                self.on_call(call)
            except Exception:
                _LOG.exception("FakeBotApi: on_call hook failed")

    async def _serve_other(self, request: web.Request) -> web.StreamResponse | None:
        """Paths that are not the Bot API (the group robots' area serves its own); None: not one of them."""
        return None

    def _download(self, file_path: str) -> web.Response:
        """File downloads are 404 here; the files area serves what was stored."""
        return json_response(_NOT_FOUND, 404)
