"""The Bot API client: JSON bodies that mean what PTB's forms meant, multipart for files, PTB's errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.api_client import BotApiRequest

pytestmark = pytest.mark.asyncio
Seen = list[tuple[str, bytes]]


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, Seen]]:
    """A local HTTP server keeping each request's content type and body; it answers ok (slowly on /slow)."""
    seen: Seen = []

    async def answer(request: web.Request) -> web.Response:
        seen.append((request.headers["Content-Type"], await request.read()))
        if request.path.endswith("/slow"):
            await asyncio.sleep(1)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/bot1", seen
    finally:
        await runner.cleanup()


async def post(url: str, data: RequestData, **timeouts: float) -> None:
    """One request through a fresh client."""
    request = BotApiRequest(connection_pool_size=1, **timeouts)
    await request.initialize()
    try:
        await request.post(url, data)
    finally:
        await request.shutdown()


def params(**values: object) -> RequestData:
    """PTB's request data for these parameters."""
    return RequestData([RequestParameter.from_input(name, value) for name, value in values.items()])


async def test_a_message_with_buttons_is_sent_as_one_json_object(server: tuple[str, Seen]) -> None:
    url, seen = server
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("已付款 ✅", callback_data="r1:paid:5:0")]])
    text = "退款 R-5 & more = 12.5%"
    await post(f"{url}/sendMessage", params(chat_id=-1001, text=text, reply_markup=markup))
    ((kind, body),) = seen
    assert kind == "application/json"
    sent = json.loads(body)
    assert sent["chat_id"] == "-1001"
    assert sent["text"] == "退款 R-5 & more = 12.5%"
    assert json.loads(sent["reply_markup"]) == {
        "inline_keyboard": [[{"text": "已付款 ✅", "callback_data": "r1:paid:5:0"}]]
    }


async def test_a_file_is_sent_as_multipart(server: tuple[str, Seen]) -> None:
    url, seen = server
    await post(f"{url}/sendDocument", params(chat_id=7, document=InputFile(b"a,b\n1,2\n", filename="x.csv")))
    ((kind, body),) = seen
    assert kind.startswith("multipart/form-data")
    assert b'filename="x.csv"' in body
    assert b"a,b\n1,2\n" in body


async def test_a_slow_answer_is_ptbs_timed_out(server: tuple[str, Seen]) -> None:
    url, _ = server
    with pytest.raises(TimedOut):
        await post(f"{url}/slow", params(chat_id=1), read_timeout=0.2)


async def test_nobody_listening_is_ptbs_network_error() -> None:
    with pytest.raises(NetworkError):
        await post("http://127.0.0.1:9/bot1/getMe", params(chat_id=1))
