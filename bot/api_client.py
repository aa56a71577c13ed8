"""The bot's HTTP client for the Bot API: aiohttp with JSON bodies, where most of an update's CPU went.

PTB's default `HTTPXRequest` posts URL-encoded forms through httpx: `urllib.parse.quote` looks up every byte
of a text in a dict (a 5 KB `/help` cost more than the rest of its update) and httpx, httpcore, h11 and anyio
then spend more per request than all of kefu-bot's own work for a light command (docs/benchmarks.md,
"Backlog"). aiohttp parses HTTP in C. The Bot API reads a JSON object body as it reads a form (each field's
string is the form value), so PTB's per-field JSON strings sent as one object mean what the form meant;
requests with files stay multipart.
"""

from __future__ import annotations

import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_HEADERS = {"Content-Type": "application/json"}


class BotApiRequest(BaseRequest):
    """PTB's request interface over one aiohttp session: pooled connections, PTB's timeouts and errors."""

    __slots__ = ("_session", "media_timeout", "pool_size", "timeouts")

    def __init__(
        self,
        connection_pool_size: int,
        read_timeout: float = 5.0,
        connect_timeout: float = 5.0,
        pool_timeout: float = 1.0,
        media_timeout: float = 20.0,
    ) -> None:
        self.pool_size = connection_pool_size
        self.timeouts = {"read": read_timeout, "connect": connect_timeout, "pool": pool_timeout}
        self.media_timeout = media_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        """The default read timeout; PTB adds getUpdates' long-poll timeout to it."""
        return self.timeouts["read"]

    async def initialize(self) -> None:
        """Open the session inside the running loop (aiohttp binds it to the loop)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.pool_size)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; a timeout becomes PTB's TimedOut, any other transport failure NetworkError."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This BotApiRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        timeout = aiohttp.ClientTimeout(
            total=self.media_timeout if files else None,
            connect=self.given(pool_timeout, "pool"),
            sock_connect=self.given(connect_timeout, "connect"),
            sock_read=self.given(read_timeout, "read"),
        )
        headers = {"User-Agent": self.USER_AGENT}
        body: aiohttp.FormData | bytes | None = None
        if request_data is not None and files:
            body = multipart(request_data)
        elif request_data is not None:
            body = json.dumps(request_data.json_parameters).encode()
            headers.update(JSON_HEADERS)
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as res:
                return res.status, await res.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err

    def given(self, value: ODVInput[float], default: str) -> float | None:
        """A timeout passed for this request, else this client's default."""
        return self.timeouts[default] if isinstance(value, DefaultValue) else value


def multipart(request_data: RequestData) -> aiohttp.FormData:
    """Parameters and files as multipart/form-data, as Telegram requires for uploads."""
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mime) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form
