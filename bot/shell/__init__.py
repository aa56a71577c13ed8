"""`python -m bot shell`: the real bot against the fake Bot API server, typed into as any user in any chat.

Everything the bot sends to any chat is printed as it happens; `:clock` moves time on, so that the day's
postings can be seen in minutes; `:restart` restarts the bot on the same database. See `:help` and README.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.fakeapi import FakeBotApi
from bot.shell.cast import OWNER, PEOPLE, Cast
from bot.shell.clock import ShellClock
from bot.shell.running import running
from bot.shell.session import Restart, Session

SHELL_DB = Path("data/shell.sqlite3")
"""The shell's own database, emptied at every start unless `--db` names one to keep."""


SHELL_CHANNEL_KEY = "kefu-shell-offline-only"
"""Seals the shell's pretend robot keys when the user's settings have no CHANNEL_SECRET_KEY."""


def shell_settings(
    settings: Settings, db: str | None, api_base_url: str, robot_base_url: str | None = None
) -> Settings:
    """The user's settings pointed at the fake server (its robots too), and at `db` or else a fresh shell
    database."""
    if db is None:
        SHELL_DB.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SHELL_DB}{suffix}").unlink(missing_ok=True)
        db = str(SHELL_DB)
    return settings.model_copy(
        update={
            "bot_token": "1000:SHELL",
            "telegram_api_base_url": api_base_url,
            "database_url": db if "://" in db else f"sqlite://{db}",
            "bot_owner_ids": frozenset({PEOPLE[OWNER]}),
            # `:clock` packs hours of postings into seconds: pacing them by the real minute would only stall
            "bot_rate_limit": False,
            "wecom_api_base_url": robot_base_url or settings.wecom_api_base_url,
            "dingtalk_api_base_url": robot_base_url or settings.dingtalk_api_base_url,
            "channel_secret_key": settings.channel_secret_key or SHELL_CHANNEL_KEY,
        }
    )


async def next_line(stream: TextIO, prompt: str | None) -> str | None:
    """The next line typed after `prompt` (or piped), None at the end of the input.

    It is read on a daemon thread, so that Ctrl-C, which ends the shell, never waits for an Enter first.
    """
    loop = asyncio.get_running_loop()
    arrived: asyncio.Future[str | None] = loop.create_future()

    def hand_over(line: str | None) -> None:
        """Give the line to the waiting shell, unless it stopped waiting."""
        if not arrived.done():
            arrived.set_result(line)

    def read() -> None:
        """Block on the terminal or the pipe."""
        try:
            line = input(prompt) if prompt is not None else stream.readline() or None
        except EOFError:
            line = None
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(hand_over, line)

    threading.Thread(target=read, name="shell-input", daemon=True).start()
    return await arrived


async def lines_from(stream: TextIO, session: Session) -> bool | Restart:
    """Feed typed (or piped) lines to the session until it ends or restarts; piped lines are echoed."""
    while True:
        session.reading = True
        try:
            line = await next_line(stream, session.prompt if session.interactive else None)
        finally:
            session.reading = False
        if line is None:
            return False
        if not session.interactive:
            session.say(session.prompt + line.rstrip("\n"))
        outcome = await session.handle(line)
        if outcome is not True:
            return outcome


async def main(settings: Settings, db: str | None = None) -> int:
    """Start the fake server and the bot, read lines until :quit or the input ends; restart on request."""
    interactive = sys.stdin.isatty()
    async with FakeBotApi(bot_username="kefu_shell_bot", bot_name="Kefu Bot") as api:
        cast = Cast.on(api)
        config = shell_settings(settings, db, api.base_url, api.robot_base_url)
        api.robots_open = True
        with ShellClock(ZoneInfo(config.bot_timezone), ticking=interactive) as clock:
            session = Session(api, cast, clock, sys.stdout, interactive)
            api.on_call = session.on_call
            api.on_robot_post = session.on_robot_post
            if interactive:
                session.say(
                    "kefu-bot offline shell. You are alice (a manager) in the team chat. :help helps."
                )
            while True:
                async with running(config) as bot:
                    session.bot = bot
                    await bot.idle()
                    outcome = await lines_from(sys.stdin, session)
                if not isinstance(outcome, Restart):
                    return 0
                session.say(f"(bot stopped at {clock.shown()})")
                if outcome.until is not None:
                    clock.set(outcome.until)
                session.say(f"(bot starting at {clock.shown()})")
