"""In-process fake Telegram Bot API server so the real PTB Application can run offline."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import mimetypes
import re
import time
from collections.abc import Callable, Collection
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.fakeapi.state import (
    ACTIVE_STATUSES,
    MEMBER_STATUSES,
    ApiCall,
    ApiError,
    Fault,
    JSONDict,
    ParseError,
    RateLimiter,
    StoredFile,
    auto_entities,
    bad_request,
    chat_member,
    coerce_params,
    default_fault_description,
    utf16_len,
    visible_text,
)

__all__ = ["ApiCall", "FakeBotApi"]

_LOG = logging.getLogger(__name__)
_API_PATH = re.compile(r"^/bot([^/]+)/([A-Za-z0-9_]+)/?$")
_FILE_PATH = re.compile(r"^/file/bot([^/]+)/(.+)$")
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_MEDIA_KEYS = ("photo", "document")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_MAX_TEXT = 4096
_MAX_CAPTION = 1024

Handler = Callable[[JSONDict], Any]


class _Notifier:
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


class FakeBotApi:
    """Imitates the Telegram Bot API over real HTTP so end-to-end tests exercise real PTB."""

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
        self.calls: list[ApiCall] = []
        self.latency: float = 0.0
        self.limit_violations: int = 0
        self.on_call: Callable[[ApiCall], None] | None = None
        self.check_formatting: bool = True

        self._users: dict[int, JSONDict] = {bot_id: self.bot_user}
        self._chats: dict[int, JSONDict] = {}
        self._chat_usernames: dict[str, int] = {}
        self._members: dict[int, dict[int, str]] = {}
        self._blocked: set[int] = set()
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._next_message_id: dict[int, int] = {}
        self._sent: list[JSONDict] = []
        self._pinned: dict[int, list[int]] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._callback_queries: dict[str, tuple[int, int]] = {}
        self._callback_counter = itertools.count(1)
        self._commands: dict[str, list[JSONDict]] = {}
        self._bot_texts: dict[str, str] = {}
        self._menu_buttons: dict[int | None, JSONDict] = {}
        self._webhook_url = ""
        self._faults: list[Fault] = []
        self._limiter: RateLimiter | None = None

        self._updates: list[JSONDict] = []
        self._next_update_id = 1
        self._confirmed_offset = 0
        self._poll_generation = 0
        self._get_updates_seen = False
        self._updates_signal: _Notifier | None = None
        self._calls_signal: _Notifier | None = None
        self._closing = False

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"
        self._methods: dict[str, Handler] = {
            name[5:].replace("_", ""): getattr(self, name) for name in dir(self) if name.startswith("_api_")
        }

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
        address = runner.addresses[0]
        self._port = int(address[1])

    async def stop(self) -> None:
        """Stop listening; pending long polls return immediately."""
        self._closing = True
        self._updates_sig().notify()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeBotApi:
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

    def _updates_sig(self) -> _Notifier:
        """Lazily created so the object can be built outside an event loop."""
        if self._updates_signal is None:
            self._updates_signal = _Notifier()
        return self._updates_signal

    def _calls_sig(self) -> _Notifier:
        """Lazily created so the object can be built outside an event loop."""
        if self._calls_signal is None:
            self._calls_signal = _Notifier()
        return self._calls_signal

    # ------------------------------------------------------------------ inspection

    def calls_to(self, method: str) -> list[ApiCall]:
        """All recorded calls of one method (case-insensitive), in order."""
        wanted = method.lower()
        return [call for call in self.calls if call.method.lower() == wanted]

    def sent(self, chat_id: int | None = None) -> list[JSONDict]:
        """Messages the bot sent (current state, edits applied), optionally in one chat."""
        if chat_id is None:
            return list(self._sent)
        return [msg for msg in self._sent if msg["chat"]["id"] == chat_id]

    def get_message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """The stored (current) message, or None if unknown or deleted."""
        return self._messages.get((chat_id, message_id))

    def latest_message(self, chat_id: int, *, not_from: Collection[int] = ()) -> JSONDict | None:
        """The newest stored message in a chat, skipping some senders' (for replies in the shell)."""
        in_chat = [msg for (cid, _), msg in self._messages.items() if cid == chat_id]
        others = [msg for msg in in_chat if (msg.get("from") or {}).get("id") not in not_from]
        return max(others, key=lambda msg: int(msg["message_id"]), default=None)

    def pending_updates(self) -> list[JSONDict]:
        """Updates queued but not yet confirmed by the bot."""
        return list(self._updates)

    # ------------------------------------------------------------------ users and chats

    def user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        """Register (or update) a human user and return its User dict."""
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        chat = self._chats.get(user_id)
        if chat is not None and chat["type"] == "private":
            self._chats[user_id] = self._private_chat_for(user)
        return user

    def group(self, chat_id: int, title: str, *, username: str | None = None) -> JSONDict:
        """Register a supergroup (chat_id negative, e.g. -100123) and return its Chat dict."""
        chat: JSONDict = {"id": chat_id, "type": "supergroup", "title": title}
        if username is not None:
            chat["username"] = username.lstrip("@")
            self._chat_usernames[chat["username"].lower()] = chat_id
        self._chats[chat_id] = chat
        self._members.setdefault(chat_id, {})
        return chat

    def private(self, user_id: int) -> JSONDict:
        """The private chat with that user (chat id == user id); registers it if needed."""
        user = self._users.get(user_id) or self.user(user_id, f"User{user_id}")
        chat = self._chats.get(user_id)
        if chat is None:
            chat = self._private_chat_for(user)
            self._chats[user_id] = chat
        return chat

    @staticmethod
    def _private_chat_for(user: JSONDict) -> JSONDict:
        """Private Chat dict mirroring the user's names."""
        chat: JSONDict = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        return chat

    def add_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        """Set a user's status in a chat (creator/administrator/member/restricted/left/kicked)."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}; use one of {sorted(MEMBER_STATUSES)}")
        self._members.setdefault(chat_id, {})[user_id] = status

    def block(self, user_id: int, blocked: bool = True) -> None:
        """Simulate the user blocking the bot: sends to them answer 403 Forbidden."""
        if blocked:
            self._blocked.add(user_id)
        else:
            self._blocked.discard(user_id)

    def _member_status(self, chat: JSONDict, user_id: int) -> str:
        """Status of a user in a chat (the bot is an administrator unless told otherwise)."""
        explicit = self._members.get(chat["id"], {}).get(user_id)
        if explicit is not None:
            return explicit
        if user_id == self.bot_id:
            return "administrator" if chat["type"] != "private" else "member"
        if chat["type"] == "private" and chat["id"] == user_id:
            return "member"
        return "left"

    def _chat_for_injection(self, chat_id: int, user_id: int) -> JSONDict:
        """Resolve/auto-register a chat for test-side helpers (lenient)."""
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        if chat_id > 0:
            return self.private(chat_id)
        return self.group(chat_id, f"Group {chat_id}")

    def _user_or_placeholder(self, user_id: int) -> JSONDict:
        """Registered User dict, or an unregistered stand-in so member queries always answer."""
        return self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}

    def _user_for_injection(self, user_id: int) -> JSONDict:
        """Known user, or a placeholder one registered on first use."""
        return self._users.get(user_id) or self.user(user_id, f"User{user_id}")

    # ------------------------------------------------------------------ update injection

    def _queue(self, update: JSONDict) -> JSONDict:
        """Assign an update_id if needed, queue it and wake long polls."""
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._updates.append(update)
        self._updates_sig().notify()
        return update

    def _next_mid(self, chat_id: int) -> int:
        """Per-chat message_id counter shared by users and the bot."""
        mid = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = mid + 1
        return mid

    def _new_file(
        self,
        content: bytes,
        folder: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        file_id: str | None = None,
    ) -> StoredFile:
        """Store bytes under a fresh file_id and file_path."""
        n = next(self._file_counter)
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        elif folder == "photos":
            ext = ".jpg"
        stored = StoredFile(
            file_id=file_id or f"fake-{folder}-{n}",
            file_unique_id=f"uniq{n}",
            file_path=f"{folder}/file_{n}{ext}",
            content=content,
            mime_type=mime_type,
            file_name=file_name,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _photo_sizes(self, full: StoredFile) -> list[JSONDict]:
        """Two PhotoSize dicts (thumbnail + full) like Telegram returns."""
        thumb = self._new_file(full.content, "photos")
        return [
            {
                "file_id": thumb.file_id,
                "file_unique_id": thumb.file_unique_id,
                "width": 90,
                "height": 90,
                "file_size": len(thumb.content),
            },
            {
                "file_id": full.file_id,
                "file_unique_id": full.file_unique_id,
                "width": 800,
                "height": 600,
                "file_size": len(full.content),
            },
        ]

    @staticmethod
    def _document(stored: StoredFile) -> JSONDict:
        """Document dict for a stored file."""
        doc: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if stored.file_name is not None:
            doc["file_name"] = stored.file_name
        if stored.mime_type is not None:
            doc["mime_type"] = stored.mime_type
        return doc

    @staticmethod
    def _reply_copy(message: JSONDict) -> JSONDict:
        """A message as embedded in reply_to_message (Telegram does not nest further)."""
        return {k: v for k, v in message.items() if k != "reply_to_message"}

    def message(
        self,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        *,
        reply_to: int | None = None,
        photo: bool = False,
        document: tuple[str, bytes] | None = None,
        caption: str | None = None,
    ) -> JSONDict:
        """Queue a message update from a user; returns the update dict."""
        if text is None and not photo and document is None:
            raise ValueError("message() needs text, photo=True or document=(name, bytes)")
        user = self._user_for_injection(user_id)
        chat = self._chat_for_injection(chat_id, user_id)
        if chat["type"] != "private":
            self._members.setdefault(chat_id, {}).setdefault(user_id, "member")
        msg: JSONDict = {
            "message_id": self._next_mid(chat_id),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
        }
        if reply_to is not None:
            target = self._messages.get((chat_id, reply_to))
            if target is None:
                raise LookupError(f"reply_to: no message {reply_to} in chat {chat_id}")
            msg["reply_to_message"] = self._reply_copy(target)
        if text is not None:
            msg["text"] = text
            entities = auto_entities(text)
            if entities:
                msg["entities"] = entities
        if photo:
            n = next(self._file_counter)
            stored = self._new_file(b"\xff\xd8\xff\xe0fake-jpeg-%d" % n, "photos")
            msg["photo"] = self._photo_sizes(stored)
        if document is not None:
            name, content = document
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            stored = self._new_file(content, "documents", file_name=name, mime_type=mime)
            msg["document"] = self._document(stored)
        if caption is not None:
            msg["caption"] = caption
            entities = auto_entities(caption)
            if entities:
                msg["caption_entities"] = entities
        self._messages[(chat_id, msg["message_id"])] = msg
        return self._queue({"message": msg})

    def press(self, chat_id: int, user_id: int, message_id: int, data: str) -> JSONDict:
        """Queue a callback_query update for an inline button on a stored message."""
        target = self._messages.get((chat_id, message_id))
        if target is None:
            raise LookupError(f"press: no message {message_id} in chat {chat_id}")
        user = self._user_for_injection(user_id)
        query_id = f"{next(self._callback_counter)}{abs(user_id) % 10_000_000:07d}"
        self._callback_queries[query_id] = (chat_id, user_id)
        query: JSONDict = {
            "id": query_id,
            "from": user,
            "message": dict(target),
            "chat_instance": str(abs(chat_id) * 7 + 13),
            "data": data,
        }
        return self._queue({"callback_query": query})

    def press_button(self, chat_id: int, user_id: int, message_id: int, index: int) -> JSONDict:
        """Press the index-th (1-based, row by row) inline button of a stored message."""
        target = self._messages.get((chat_id, message_id))
        if target is None:
            raise LookupError(f"press_button: no message {message_id} in chat {chat_id}")
        rows = (target.get("reply_markup") or {}).get("inline_keyboard") or []
        buttons = [button for row in rows for button in row]
        if not 1 <= index <= len(buttons):
            raise IndexError(
                f"press_button: message {message_id} has {len(buttons)} inline buttons, asked for #{index}"
            )
        button = buttons[index - 1]
        if "callback_data" not in button:
            raise ValueError(f"press_button: button {button!r} has no callback_data")
        return self.press(chat_id, user_id, message_id, str(button["callback_data"]))

    def raw_update(self, update: JSONDict) -> JSONDict:
        """Queue an arbitrary update dict (update_id assigned if missing)."""
        return self._queue(update)

    async def processed(self, update: JSONDict, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed the update (a later getUpdates had a higher offset)."""
        update_id = int(update["update_id"])
        deadline = time.monotonic() + timeout
        signal = self._calls_sig()
        while self._confirmed_offset <= update_id:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                polled = "has polled" if self._get_updates_seen else "has NEVER called getUpdates"
                raise TimeoutError(
                    f"update {update_id} not confirmed within {timeout}s: bot {polled}; "
                    f"confirmed offset={self._confirmed_offset}, "
                    f"pending={[u['update_id'] for u in self._updates]} "
                    "(is the Updater polling against this FakeBotApi?)"
                )
            await signal.wait(remaining)

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        after: int = 0,
    ) -> ApiCall:
        """Wait for a call of `method` (matching predicate) among self.calls[after:]."""
        wanted = method.lower()
        deadline = time.monotonic() + timeout
        index = after
        signal = self._calls_sig()
        while True:
            while index < len(self.calls):
                call = self.calls[index]
                index += 1
                if call.method.lower() == wanted and (predicate is None or predicate(call)):
                    return call
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                recent = [c.method for c in self.calls[after:]][-10:]
                raise TimeoutError(
                    f"no matching {method} call within {timeout}s (after index {after}); "
                    f"recent calls: {recent}"
                )
            await signal.wait(remaining)

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
        self, per_chat_per_minute: int | None = 20, overall_per_second: int | None = 30
    ) -> None:
        """From now on answer 429 to sends beyond Telegram's limits (None disables one)."""
        if per_chat_per_minute is None and overall_per_second is None:
            self._limiter = None
            return
        self._limiter = RateLimiter(per_chat_per_minute, overall_per_second)

    def _check_limits(self, chat: JSONDict) -> None:
        """Raise 429 if a send to this chat would exceed the enforced limits."""
        if self._limiter is None:
            return
        is_group = chat["type"] in ("group", "supergroup", "channel")
        wait = self._limiter.check(chat["id"], is_group, time.monotonic())
        if wait is not None:
            self.limit_violations += 1
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)

    def _record_send(self, chat: JSONDict) -> None:
        """Count an accepted send for the limiter."""
        if self._limiter is not None:
            is_group = chat["type"] in ("group", "supergroup", "channel")
            self._limiter.record(chat["id"], is_group, time.monotonic())

    # ------------------------------------------------------------------ HTTP plumbing

    @staticmethod
    def _json_response(payload: JSONDict, status: int) -> web.Response:
        """Serialise like Telegram: JSON body, HTTP status == error_code."""
        return web.Response(
            body=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            status=status,
            content_type="application/json",
        )

    async def _read_params(self, request: web.Request) -> JSONDict:
        """Collect query + JSON/form/multipart params, decoding them like Telegram."""
        raw: JSONDict = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
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
            else:
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
        path = request.path
        file_match = _FILE_PATH.match(path)
        if file_match is not None:
            return self._download(file_match.group(2))
        match = _API_PATH.match(path)
        if match is None:
            return self._json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        method = match.group(2)
        lname = method.lower()
        at = time.monotonic()
        params: JSONDict = {}
        result: Any = None
        try:
            params = await self._read_params(request)
            if self.latency > 0 and lname != "getupdates":
                await asyncio.sleep(self.latency)
            fault = self._take_fault(lname)
            if fault is not None:
                payload, status = fault.payload(), fault.status
            else:
                handler = self._methods.get(lname)
                if handler is None:
                    raise ApiError(404, "Not Found: method not found")
                outcome = handler(params)
                if asyncio.iscoroutine(outcome):
                    outcome = await outcome
                payload, status = {"ok": True, "result": outcome}, 200
        except ApiError as exc:
            payload, status = exc.payload(), exc.code
        except Exception as exc:  # never crash on odd input; answer like a server error
            _LOG.exception("FakeBotApi: internal error handling %s", method)
            payload = {
                "ok": False,
                "error_code": 500,
                "description": f"Internal Server Error: {type(exc).__name__}: {exc}",
            }
            status = 500
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        if status == 200:
            # an independent snapshot: later edits must not rewrite history
            result = json.loads(body)["result"]
        call = ApiCall(
            method=method,
            params=params,
            at=at,
            result=result,
            status=status,
            error=None if status == 200 else payload,
        )
        self.calls.append(call)
        self._calls_sig().notify()
        if self.on_call is not None:
            try:
                self.on_call(call)
            except Exception:
                _LOG.exception("FakeBotApi: on_call hook failed")
        return web.Response(body=body, status=status, content_type="application/json")

    def _download(self, file_path: str) -> web.Response:
        """Serve stored bytes at {base_file_url}{token}/{file_path}."""
        stored = self._files_by_path.get(file_path)
        if stored is None:
            return self._json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    # ------------------------------------------------------------------ param helpers

    def _resolve_chat(self, value: Any) -> JSONDict:
        """chat_id (int or "@username") -> registered chat, else 400 chat not found."""
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, str):
            if value.startswith("@"):
                chat_id = self._chat_usernames.get(value[1:].lower())
                if chat_id is None:
                    raise bad_request("chat not found")
                return self._chats[chat_id]
            raise bad_request("chat not found")
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request("chat not found")
        chat = self._chats.get(value)
        if chat is not None:
            return chat
        if value > 0 and value in self._users and value != self.bot_id:
            return self.private(value)
        raise bad_request("chat not found")

    def _send_target(self, params: JSONDict) -> JSONDict:
        """Chat to send into, enforcing blocks, membership and rate limits."""
        chat = self._resolve_chat(params.get("chat_id"))
        self._check_writable(chat)
        self._check_limits(chat)
        return chat

    def _check_writable(self, chat: JSONDict) -> None:
        """403 where Telegram refuses to deliver (blocked bot / bot not in group)."""
        if chat["type"] == "private":
            if chat["id"] in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            return
        status = self._member_status(chat, self.bot_id)
        kind = "supergroup chat" if chat["type"] == "supergroup" else f"{chat['type']} chat"
        if status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        if status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")

    @staticmethod
    def _int_param(params: JSONDict, key: str, *, required: bool = True) -> int | None:
        """An integer parameter, 400 if missing (when required) or not an integer."""
        value = params.get(key)
        if value is None or value == "":
            if required:
                raise bad_request(
                    f"{key} is empty" if key != "message_id" else "message identifier is not specified"
                )
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f"invalid {key} specified")
        return value

    @staticmethod
    def _str_param(params: JSONDict, key: str) -> str | None:
        """A string parameter (numbers are stringified like Telegram does)."""
        value = params.get(key)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            raise bad_request(f"{key} must be a string")
        return value if isinstance(value, str) else json.dumps(value)

    def _checked_text(
        self, text: str, parse_mode: str | None, *, limit: int, empty: str, too_long: str
    ) -> None:
        """Validate formatting and length the way Telegram does for text/captions."""
        if self.check_formatting:
            try:
                visible = visible_text(text, parse_mode)
            except ParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from exc
        else:
            visible = text
        if empty and not visible.strip():
            raise bad_request(empty)
        if utf16_len(visible) > limit:
            raise bad_request(too_long)

    def _inline_markup(self, params: JSONDict) -> JSONDict | None:
        """Validate reply_markup; return it only if inline (the only kind echoed in Message)."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise bad_request(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise bad_request("BUTTON_DATA_INVALID")
                elif len(button) == 1:
                    raise bad_request(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
        return markup

    def _reply_target(self, params: JSONDict, chat: JSONDict) -> JSONDict | None:
        """Message being replied to (reply_parameters or reply_to_message_id), if any."""
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        target_id: Any = None
        if isinstance(reply, dict):
            target_id = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
        elif reply is not None:
            raise bad_request("can't parse reply parameters JSON object")
        if target_id is None:
            target_id = params.get("reply_to_message_id")
        if target_id is None:
            return None
        target = self._messages.get((chat["id"], target_id)) if isinstance(target_id, int) else None
        if target is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return target

    def _bot_message(self, chat: JSONDict, params: JSONDict, content: JSONDict) -> JSONDict:
        """Create, store and record a message the bot sent (common send options applied)."""
        reply_target = self._reply_target(params, chat)
        markup = self._inline_markup(params)
        msg: JSONDict = {
            "message_id": self._next_mid(chat["id"]),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
        }
        thread = params.get("message_thread_id")
        if isinstance(thread, int):
            msg["message_thread_id"] = thread
        if reply_target is not None:
            msg["reply_to_message"] = self._reply_copy(reply_target)
        msg.update(content)
        if markup is not None:
            msg["reply_markup"] = markup
        for key in ("parse_mode", "disable_notification", "link_preview_options"):
            if params.get(key) is not None:
                msg[key] = params[key]
        if params.get("protect_content"):
            msg["has_protected_content"] = True
        self._messages[(chat["id"], msg["message_id"])] = msg
        self._sent.append(msg)
        self._record_send(chat)
        return msg

    def _stored_upload(self, params: JSONDict, key: str, folder: str) -> StoredFile:
        """Resolve an upload / attach:// / file_id / URL parameter to stored bytes."""
        value = params.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value[len("attach://") :])
        if isinstance(value, dict) and "content" in value:
            name = value.get("filename") or None
            mime = None
            if folder == "documents":
                mime = mimetypes.guess_type(name or "")[0] or value.get("content_type")
            return self._new_file(value["content"], folder, file_name=name, mime_type=mime)
        if isinstance(value, str) and value:
            known = self._files.get(value)
            if known is not None:
                return known
            if value.startswith(("http://", "https://")):
                name = value.rsplit("/", 1)[-1] or None
                return self._new_file(b"", folder, file_name=name)
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {key} in the request")

    def _caption(self, params: JSONDict) -> JSONDict:
        """Validated caption fields for media messages."""
        caption = self._str_param(params, "caption")
        if caption is None:
            return {}
        self._checked_text(
            caption,
            self._str_param(params, "parse_mode"),
            limit=_MAX_CAPTION,
            empty="",
            too_long="message caption is too long",
        )
        out: JSONDict = {"caption": caption}
        if isinstance(params.get("caption_entities"), list):
            out["caption_entities"] = params["caption_entities"]
        return out

    def _message_param(self, params: JSONDict, verb: str) -> tuple[JSONDict, JSONDict]:
        """(chat, stored message) addressed by chat_id + message_id, 400 if missing."""
        chat = self._resolve_chat(params.get("chat_id"))
        message_id = self._int_param(params, "message_id")
        message = self._messages.get((chat["id"], message_id or 0))
        if message is None:
            raise bad_request(f"message to {verb} not found")
        return chat, message

    def _editable(self, params: JSONDict) -> JSONDict | None:
        """Stored bot message to edit; None for inline_message_id edits (untracked)."""
        if params.get("inline_message_id") is not None and params.get("chat_id") is None:
            return None
        _, message = self._message_param(params, "edit")
        if message.get("from", {}).get("id") != self.bot_id:
            raise bad_request("message can't be edited")
        return message

    def _apply_edit(self, message: JSONDict, changes: JSONDict, markup: JSONDict | None) -> JSONDict:
        """Apply an edit (or 400 not modified) and return the edited message."""
        same = all(message.get(k) == v for k, v in changes.items()) and message.get("reply_markup") == markup
        if same:
            raise bad_request(_NOT_MODIFIED)
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return message

    # ------------------------------------------------------------------ Bot API methods
    # Each _api_<snake_name> handles the Bot API method camelName (matched case-insensitively).

    def _api_get_me(self, params: JSONDict) -> JSONDict:
        """The bot's own User with the getMe-only flags."""
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_log_out(self, params: JSONDict) -> bool:
        """Accepted, no effect."""
        return True

    def _api_close(self, params: JSONDict) -> bool:
        """Accepted, no effect."""
        return True

    async def _api_get_updates(self, params: JSONDict) -> list[JSONDict]:
        """Long polling with Telegram's offset/limit/timeout semantics."""
        self._get_updates_seen = True
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        offset = offset if isinstance(offset, int) and not isinstance(offset, bool) else 0
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        wait = float(timeout) if isinstance(timeout, (int, float)) else 0.0
        wait = min(max(wait, 0.0), 50.0)
        if offset > 0:
            self._confirm(offset)
        elif offset < 0:
            keep = self._updates[offset:]
            if keep:
                self._confirm(int(keep[0]["update_id"]))
        self._poll_generation += 1
        generation = self._poll_generation
        signal = self._updates_sig()
        signal.notify()  # a newer poll terminates older waiting ones (409 like Telegram)
        deadline = time.monotonic() + wait
        while True:
            if self._updates or self._closing:
                return self._updates[:limit]
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            await signal.wait(remaining)

    def _confirm(self, offset: int) -> None:
        """Drop updates below offset and remember the confirmation for processed()."""
        if offset > self._confirmed_offset:
            self._confirmed_offset = offset
        self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]
        self._calls_sig().notify()

    def _api_delete_webhook(self, params: JSONDict) -> bool:
        """Remove the webhook; drop_pending_updates clears the queue."""
        self._webhook_url = ""
        if params.get("drop_pending_updates") and self._updates:
            self._confirm(int(self._updates[-1]["update_id"]) + 1)
        return True

    def _api_set_webhook(self, params: JSONDict) -> bool:
        """Remember the URL (getUpdates then answers 409 like Telegram)."""
        self._webhook_url = self._str_param(params, "url") or ""
        if params.get("drop_pending_updates") and self._updates:
            self._confirm(int(self._updates[-1]["update_id"]) + 1)
        return True

    def _api_get_webhook_info(self, params: JSONDict) -> JSONDict:
        """WebhookInfo with the pending update count."""
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _api_send_message(self, params: JSONDict) -> JSONDict:
        """Text message; validates text, parse_mode, markup, reply target."""
        chat = self._resolve_chat(params.get("chat_id"))
        text = self._str_param(params, "text")
        if text is None:
            raise bad_request("message text is empty")
        self._checked_text(
            text,
            self._str_param(params, "parse_mode"),
            limit=_MAX_TEXT,
            empty="message text is empty",
            too_long="message is too long",
        )
        self._check_writable(chat)
        self._check_limits(chat)
        content: JSONDict = {"text": text}
        if isinstance(params.get("entities"), list):
            content["entities"] = params["entities"]
        return self._bot_message(chat, params, content)

    def _api_send_photo(self, params: JSONDict) -> JSONDict:
        """Photo message from an upload, file_id or URL."""
        chat = self._resolve_chat(params.get("chat_id"))
        caption = self._caption(params)
        stored = self._stored_upload(params, "photo", "photos")
        self._check_writable(chat)
        self._check_limits(chat)
        return self._bot_message(chat, params, {"photo": self._photo_sizes(stored), **caption})

    def _api_send_document(self, params: JSONDict) -> JSONDict:
        """Document message from an upload, file_id or URL."""
        chat = self._resolve_chat(params.get("chat_id"))
        caption = self._caption(params)
        stored = self._stored_upload(params, "document", "documents")
        self._check_writable(chat)
        self._check_limits(chat)
        return self._bot_message(chat, params, {"document": self._document(stored), **caption})

    def _copy_content(self, source: JSONDict) -> JSONDict:
        """The content fields a copy/forward carries over."""
        keys = ("text", "entities", "caption", "caption_entities", *_MEDIA_KEYS)
        return {k: source[k] for k in keys if k in source}

    def _api_copy_message(self, params: JSONDict) -> JSONDict:
        """Copy without a link to the original; returns MessageId."""
        _, source = self._source_message(params, "copy")
        chat = self._send_target(params)
        content = self._copy_content(source)
        if "caption" in params and any(k in source for k in _MEDIA_KEYS):
            content.pop("caption_entities", None)
            content.update(self._caption(params))
        message = self._bot_message(chat, params, content)
        return {"message_id": message["message_id"]}

    def _api_forward_message(self, params: JSONDict) -> JSONDict:
        """Forward with forward_origin; returns the new Message."""
        _, source = self._source_message(params, "forward")
        chat = self._send_target(params)
        content = self._copy_content(source)
        sender = source.get("from")
        if sender is not None:
            content["forward_origin"] = {
                "type": "user",
                "sender_user": sender,
                "date": source["date"],
            }
        else:
            content["forward_origin"] = {
                "type": "chat",
                "sender_chat": source["chat"],
                "date": source["date"],
            }
        clean = {k: v for k, v in params.items() if k != "reply_markup"}
        return self._bot_message(chat, clean, content)

    def _source_message(self, params: JSONDict, verb: str) -> tuple[JSONDict, JSONDict]:
        """(from_chat, message) for copy/forward."""
        from_chat = self._resolve_chat(params.get("from_chat_id"))
        message_id = self._int_param(params, "message_id")
        source = self._messages.get((from_chat["id"], message_id or 0))
        if source is None:
            raise bad_request(f"message to {verb} not found")
        return from_chat, source

    def _api_edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        """Edit text (+markup); the stored message changes so press_button sees it."""
        text = self._str_param(params, "text")
        if text is None:
            raise bad_request("message text is empty")
        parse_mode = self._str_param(params, "parse_mode")
        self._checked_text(
            text,
            parse_mode,
            limit=_MAX_TEXT,
            empty="message text is empty",
            too_long="MESSAGE_TOO_LONG",
        )
        markup = self._inline_markup(params)
        message = self._editable(params)
        if message is None:
            return True
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        entities = params.get("entities") if isinstance(params.get("entities"), list) else None
        changes: JSONDict = {"text": text, "entities": entities, "parse_mode": parse_mode}
        return self._apply_edit(message, changes, markup)

    def _api_edit_message_caption(self, params: JSONDict) -> JSONDict | bool:
        """Edit (or remove) a media caption."""
        caption = self._caption(params)
        markup = self._inline_markup(params)
        message = self._editable(params)
        if message is None:
            return True
        if not any(k in message for k in _MEDIA_KEYS):
            raise bad_request("there is no caption in the message to edit")
        changes: JSONDict = {
            "caption": caption.get("caption"),
            "caption_entities": caption.get("caption_entities"),
            "parse_mode": self._str_param(params, "parse_mode"),
        }
        return self._apply_edit(message, changes, markup)

    def _api_edit_message_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        """Replace (or remove) the inline keyboard."""
        markup = self._inline_markup(params)
        message = self._editable(params)
        if message is None:
            return True
        return self._apply_edit(message, {}, markup)

    def _api_delete_message(self, params: JSONDict) -> bool:
        """Remove a stored message (it stays in sent() history)."""
        chat = self._resolve_chat(params.get("chat_id"))
        message_id = self._int_param(params, "message_id")
        if self._messages.pop((chat["id"], message_id or 0), None) is None:
            raise bad_request("message to delete not found")
        return True

    def _api_delete_messages(self, params: JSONDict) -> bool:
        """Remove several stored messages; unknown ids are skipped like Telegram."""
        chat = self._resolve_chat(params.get("chat_id"))
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message_ids is empty")
        for message_id in ids:
            if isinstance(message_id, int):
                self._messages.pop((chat["id"], message_id), None)
        return True

    def _api_answer_callback_query(self, params: JSONDict) -> bool:
        """Only ids produced by press() are valid."""
        query_id = self._str_param(params, "callback_query_id")
        if query_id is None or query_id not in self._callback_queries:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        return True

    def _api_send_chat_action(self, params: JSONDict) -> bool:
        """Typing indicators: validate chat and action."""
        chat = self._resolve_chat(params.get("chat_id"))
        self._check_writable(chat)
        if not self._str_param(params, "action"):
            raise bad_request("action is empty")
        return True

    def _api_get_file(self, params: JSONDict) -> JSONDict:
        """File object whose file_path can be downloaded from base_file_url."""
        file_id = self._str_param(params, "file_id")
        stored = self._files.get(file_id or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.as_file()

    def _api_pin_chat_message(self, params: JSONDict) -> bool:
        """Pin a stored message."""
        chat, message = self._message_param(params, "pin")
        pins = self._pinned.setdefault(chat["id"], [])
        if message["message_id"] not in pins:
            pins.append(message["message_id"])
        return True

    def _api_unpin_chat_message(self, params: JSONDict) -> bool:
        """Unpin one message (the latest if message_id is omitted)."""
        chat = self._resolve_chat(params.get("chat_id"))
        pins = self._pinned.get(chat["id"], [])
        message_id = self._int_param(params, "message_id", required=False)
        if message_id is None:
            if pins:
                pins.pop()
        elif message_id in pins:
            pins.remove(message_id)
        return True

    def _api_unpin_all_chat_messages(self, params: JSONDict) -> bool:
        """Clear all pins in a chat."""
        chat = self._resolve_chat(params.get("chat_id"))
        self._pinned.pop(chat["id"], None)
        return True

    @staticmethod
    def _commands_key(params: JSONDict) -> str:
        """Commands are stored per (scope, language_code) like Telegram."""
        scope = params.get("scope")
        if not isinstance(scope, dict):
            scope = {"type": "default"}
        language = params.get("language_code") or ""
        return json.dumps([scope, language], sort_keys=True)

    def _api_set_my_commands(self, params: JSONDict) -> bool:
        """Validate and store the command list."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        cleaned = [{"command": c["command"], "description": c["description"]} for c in commands]
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    def _api_get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        """Commands stored for that scope/language."""
        return list(self._commands.get(self._commands_key(params), []))

    def _api_delete_my_commands(self, params: JSONDict) -> bool:
        """Forget commands for that scope/language."""
        self._commands.pop(self._commands_key(params), None)
        return True

    def _set_bot_text(self, params: JSONDict, field: str) -> bool:
        """Store description/short_description/name per language."""
        key = f"{field}:{params.get('language_code') or ''}"
        self._bot_texts[key] = self._str_param(params, field) or ""
        return True

    def _get_bot_text(self, params: JSONDict, field: str) -> JSONDict:
        """Read back a stored bot text."""
        key = f"{field}:{params.get('language_code') or ''}"
        default = self.bot_name if field == "name" else ""
        return {field: self._bot_texts.get(key, default)}

    def _api_set_my_description(self, params: JSONDict) -> bool:
        """Store the description."""
        return self._set_bot_text(params, "description")

    def _api_get_my_description(self, params: JSONDict) -> JSONDict:
        """Stored description."""
        return self._get_bot_text(params, "description")

    def _api_set_my_short_description(self, params: JSONDict) -> bool:
        """Store the short description."""
        return self._set_bot_text(params, "short_description")

    def _api_get_my_short_description(self, params: JSONDict) -> JSONDict:
        """Stored short description."""
        return self._get_bot_text(params, "short_description")

    def _api_set_my_name(self, params: JSONDict) -> bool:
        """Store the name."""
        return self._set_bot_text(params, "name")

    def _api_get_my_name(self, params: JSONDict) -> JSONDict:
        """Stored name."""
        return self._get_bot_text(params, "name")

    def _api_set_chat_menu_button(self, params: JSONDict) -> bool:
        """Store the menu button (per chat or default)."""
        chat_id = params.get("chat_id")
        button = params.get("menu_button")
        key = chat_id if isinstance(chat_id, int) else None
        self._menu_buttons[key] = button if isinstance(button, dict) else {"type": "default"}
        return True

    def _api_get_chat_menu_button(self, params: JSONDict) -> JSONDict:
        """Stored menu button, default {"type": "commands"}."""
        chat_id = params.get("chat_id")
        key = chat_id if isinstance(chat_id, int) else None
        return self._menu_buttons.get(key) or self._menu_buttons.get(None) or {"type": "commands"}

    def _api_get_chat(self, params: JSONDict) -> JSONDict:
        """ChatFullInfo with every field PTB 22.8 requires."""
        chat = self._resolve_chat(params.get("chat_id"))
        info: JSONDict = {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 0,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        pins = self._pinned.get(chat["id"])
        if pins:
            pinned = self._messages.get((chat["id"], pins[-1]))
            if pinned is not None:
                info["pinned_message"] = self._reply_copy(pinned)
        return info

    def _api_get_chat_member(self, params: JSONDict) -> JSONDict:
        """ChatMember for add_member()'d users; the bot is an administrator."""
        chat = self._resolve_chat(params.get("chat_id"))
        user_id = self._int_param(params, "user_id") or 0
        return chat_member(self._user_or_placeholder(user_id), self._member_status(chat, user_id))

    def _api_get_chat_administrators(self, params: JSONDict) -> list[JSONDict]:
        """Creator/administrators, including the bot for groups."""
        chat = self._resolve_chat(params.get("chat_id"))
        if chat["type"] == "private":
            raise bad_request("there are no administrators in the private chat")
        admins = []
        user_ids = [self.bot_id, *self._members.get(chat["id"], {})]
        for user_id in dict.fromkeys(user_ids):
            status = self._member_status(chat, user_id)
            if status in ("creator", "administrator"):
                admins.append(chat_member(self._user_or_placeholder(user_id), status))
        return admins

    def _api_get_chat_member_count(self, params: JSONDict) -> int:
        """Members with an active status, the bot included."""
        chat = self._resolve_chat(params.get("chat_id"))
        if chat["type"] == "private":
            return 2
        user_ids = dict.fromkeys([self.bot_id, *self._members.get(chat["id"], {})])
        return sum(1 for uid in user_ids if self._member_status(chat, uid) in ACTIVE_STATUSES)

    def _api_leave_chat(self, params: JSONDict) -> bool:
        """The bot leaves: later sends to that chat answer 403."""
        chat = self._resolve_chat(params.get("chat_id"))
        if chat["type"] != "private":
            self._members.setdefault(chat["id"], {})[self.bot_id] = "left"
        return True
