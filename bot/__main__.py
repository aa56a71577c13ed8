"""Command line: `python -m bot run | shell | migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable

from pydantic import ValidationError

from bot.config import Settings

ALREADY_RUNNING = 3
"""Exit status of `run` when another process already serves the SQLite file."""
NO_TOKEN = (
    "BOT_TOKEN is not set.\n"
    "Put it in the environment or in a .env file (copy .env.example to .env and fill it in),\n"
    "or try the bot offline first with: python -m bot shell"
)


def configure_logging(level: int = logging.INFO, log_format: str = "text") -> None:
    """Readable (or JSON) logs; keep httpx quiet, it logs every request."""
    from bot.runtime.logs import configure

    configure(log_format, level)


def load_settings() -> Settings:
    """Read the settings or exit with a message naming what is wrong."""
    try:
        return Settings()
    except ValidationError as exc:
        sys.exit(f"Invalid configuration:\n{exc}")


def run() -> int:
    """Serve Telegram (polling or webhook) as the leader or a standby until interrupted."""
    settings = load_settings()
    if not settings.bot_token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from bot.runtime.leadership import AlreadyRunningError, leadership_for

    try:  # before the heavy imports: a second process on one SQLite file is told at once
        leadership = leadership_for(settings.database_url)
    except AlreadyRunningError as exc:
        print(exc, file=sys.stderr)
        return ALREADY_RUNNING
    from bot.runtime.runner import serve

    configure_logging(log_format=settings.log_format)
    return serve(settings, leadership)


def migrate() -> int:
    """Apply pending database migrations and exit."""
    from bot import db

    configure_logging()
    asyncio.run(db.migrate(load_settings().database_url))
    print("Database is up to date.")
    return 0


def shell(db: str | None = None) -> int:
    """Start the offline playground: the fake Bot API server, the real bot and a prompt."""
    from bot.shell import main

    configure_logging(logging.WARNING)
    try:
        return asyncio.run(main(load_settings(), db))
    except KeyboardInterrupt:  # Ctrl-C leaves like :quit, the bot stopped on the way out
        return 130


COMMANDS: dict[str, Callable[..., int]] = {"run": run, "migrate": migrate, "shell": shell}


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a sub-command."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="kefu-bot: customer-service team bot")
    commands = parser.add_subparsers(
        dest="command",
        required=True,
        metavar="command",
        help="run: serve Telegram (polling or webhook); shell: offline playground; migrate: apply migrations",
    )
    parsers = {name: commands.add_parser(name) for name in COMMANDS}
    parsers["shell"].add_argument(
        "--db",
        metavar="PATH",
        help="keep the shell's database in this SQLite file (or database URL) across runs and :restart",
    )
    options = vars(parser.parse_args(argv))
    return COMMANDS[options.pop("command")](**options)


if __name__ == "__main__":
    sys.exit(main())
