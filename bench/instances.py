"""Bot instances as separate `python -m bot run` processes against one fake Bot API and one database, with
a TCP proxy in front of PostgreSQL so a test can "stop the database" for one instance without touching the
server. Shared by tests/test_deploy.py and bench/failover.py."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.fakeapi import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_VARIABLES = ("BOT_", "DATABASE_URL", "TELEGRAM_API_BASE_URL", "WEBHOOK_", "HEALTH_", "LOG_")
SECRET = "s3cret-token"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Instance:
    """One bot process: its ports, its log, and ways to ask it things."""

    def __init__(
        self, name: str, process: asyncio.subprocess.Process, log: Path, health: int, hook: int
    ) -> None:
        """Wrap a started process."""
        self.name, self.process, self.log = name, process, log
        self.health_port, self.webhook_port = health, hook

    def output(self) -> str:
        """The process's log so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def health(self) -> tuple[int, dict[str, Any]]:
        """GET /healthz: status and body (status 0 when nothing answers)."""
        return await asyncio.to_thread(http, f"http://127.0.0.1:{self.health_port}/healthz")

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        """Deliver an update as Telegram would; returns the HTTP status."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        url = f"http://127.0.0.1:{self.webhook_port}/hook"
        status, _ = await asyncio.to_thread(http, url, json.dumps(update).encode(), headers)
        return status

    async def until(self, condition: Callable[[], Any], what: str, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        """Wait (bounded) until `condition()` holds (it may be async); fail with the log if the process
        dies."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            if self.process.returncode is not None or time.monotonic() > deadline:
                code = self.process.returncode
                problem = "timed out" if code is None else f"exited {code}"
                log = self.output()[-3000:]
                raise AssertionError(f"{self.name} {problem} waiting for {what}; log:\n{log}")
            await asyncio.sleep(0.05)

    async def role(self) -> str | None:
        """The role /healthz reports (None when it does not answer)."""
        status, body = await self.health()
        return body.get("role") if status else None


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """A small blocking HTTP client (run in a thread): status and JSON body (status 0 when refused)."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            body = answer.read()
            return answer.status, json.loads(body) if body.startswith(b"{") else {}
    except urllib.error.HTTPError as error:
        body = error.read()
        return error.code, json.loads(body) if body.startswith(b"{") else {}
    except OSError:
        return 0, {}


def bot_env(api: FakeBotApi, url: str, **extra: str) -> dict[str, str]:
    """This environment without the bot's own settings, plus the ones for this instance."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(SETTINGS_VARIABLES)}
    return env | {
        "BOT_TOKEN": "123:ABC",
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": url,
        "BOT_OWNER_IDS": "101",
        "LEADER_CHECK_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
        "PYTHONUTF8": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


async def launch(
    name: str, api: FakeBotApi, url: str, folder: Path, *, webhook: bool = False, **extra: str
) -> Instance:
    """Start `python -m bot run` (health on a free port; webhook mode on another)."""
    health, hook = free_port(), free_port()
    settings = {"HEALTH_PORT": str(health), **extra}
    if webhook:
        settings |= {
            "BOT_MODE": "webhook",
            "WEBHOOK_URL": "https://bot.example/hook",
            "WEBHOOK_LISTEN": f"127.0.0.1:{hook}",
            "WEBHOOK_SECRET": SECRET,
        }
    log = folder / f"{name}.log"
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=folder, env=bot_env(api, url, **settings),
            stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
    return Instance(name, process, log, health, hook)


async def kill(member: Instance) -> None:
    """SIGKILL the process if it still runs and reap it."""
    if member.process.returncode is None:
        member.process.kill()
        await member.process.wait()


@asynccontextmanager
async def instance(
    name: str, api: FakeBotApi, url: str, folder: Path, *, webhook: bool = False, **extra: str
) -> AsyncIterator[Instance]:
    """A started instance, killed on the way out whatever happened."""
    member = await launch(name, api, url, folder, webhook=webhook, **extra)
    try:
        yield member
    finally:
        await kill(member)


class Proxy:
    """A TCP relay to PostgreSQL: `stop()` cuts every connection and refuses new ones, like a stopped
    server."""

    def __init__(self, host: str, port: int) -> None:
        """Relay to host:port once started."""
        self.target = (host, port)
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (on `port` again after a stop)."""
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Refuse new connections and cut the open ones."""
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Pipe bytes both ways until either side closes."""
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            """Copy one direction."""
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.writers -= {writer, up_writer}
