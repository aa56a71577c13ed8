"""`python -m bot shell`: the real bot against the fake Bot API server, typed into as any user in any chat."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from telegram.ext import Application

from bot.app import build_application, serving
from bot.config import Settings
from bot.fakeapi import FakeBotApi
from bot.fakeapi.driver import handled, outgoing

SHELL_DB = Path("data/shell.sqlite3")
PEOPLE = {"alice": 1001, "bob": 1002, "carol": 1003, "dave": 1004, "erin": 1005}
GROUPS = {
    "team": -100101,
    "supervisors": -100102,
    "finance": -100103,
    "warehouse": -100104,
    "review": -100105,
}
HELP = """Type a message or a command as the current person in the current chat. Shell commands:
  :as NAME        speak as another person (alice is a manager; new names are created)
  :in CHAT        switch chat: team, supervisors, finance, warehouse, review, or private
  :press N        press the N-th button under the latest bot message that has buttons
  :reply TEXT     send TEXT as a reply to the latest message from someone else in this chat
  :photo [TEXT]   send a photo, with TEXT as its caption
  :who            list people and chats
  :help           this text
  :quit           leave (so does Ctrl-D)"""


@dataclass
class Session:
    """Who is typing where, and the bot it is talking to."""

    api: FakeBotApi
    app: Application  # type: ignore[type-arg]
    out: TextIO
    person: str = "alice"
    chat: str = "team"
    last_id: dict[int, int] = field(default_factory=dict)

    @property
    def user_id(self) -> int:
        """The current person's Telegram id."""
        return PEOPLE[self.person]

    @property
    def chat_id(self) -> int:
        """The current chat's id (a private chat's id is the person's)."""
        return self.user_id if self.chat == "private" else GROUPS[self.chat]

    @property
    def prompt(self) -> str:
        """`alice@team> `."""
        return f"{self.person}@{self.chat}> "

    def say(self, text: str) -> None:
        """Print a line of the shell's own."""
        print(text, file=self.out, flush=True)

    async def deliver(self, update: dict[str, Any]) -> None:
        """Hand an update to the bot and print everything it sent in reply."""
        for message in outgoing(await handled(self.api, self.app, update)):
            self.show(message)

    def show(self, message: dict[str, Any]) -> None:
        """Print a bot message with its buttons numbered, naming the chat when it is not this one."""
        chat_id = message["chat"]["id"]
        where = "" if chat_id == self.chat_id else f" → {chat_name(chat_id)}"
        edited = " (edited)" if message.get("edit_date") else ""
        body = message.get("text") or message.get("caption") or ""
        attachment = "[photo] " if "photo" in message else ""
        if "document" in message:
            attachment = f"[file {message['document'].get('file_name', '')}] "
        self.say(f"bot{where}{edited}: {attachment}{body}")
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        buttons = [button["text"] for row in rows for button in row]
        if buttons:
            self.say("   " + "  ".join(f"[{n}] {text}" for n, text in enumerate(buttons, 1)))

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False means leave."""
        line = line.strip()
        if not line:
            return True
        if not line.startswith(":"):
            await self.deliver(self.api.message(self.chat_id, self.user_id, line))
            return True
        verb, _, rest = line[1:].partition(" ")
        return await self.shell_command(verb.lower(), rest.strip())

    async def shell_command(self, verb: str, rest: str) -> bool:
        """The `:` commands."""
        if verb in {"quit", "exit", "q"}:
            return False
        if verb == "as" and rest:
            self.become(rest.lstrip("@").lower())
        elif verb == "in" and rest in {*GROUPS, "private"}:
            self.chat = rest
        elif verb == "press" and rest.isdigit():
            await self.press(int(rest))
        elif verb == "reply" and rest:
            await self.reply(rest)
        elif verb == "photo":
            await self.deliver(self.api.message(self.chat_id, self.user_id, photo=True, caption=rest or None))
        elif verb == "who":
            self.say("people: " + ", ".join(f"{name} ({uid})" for name, uid in PEOPLE.items()))
            self.say("chats: " + ", ".join([*GROUPS, "private"]))
        else:
            self.say(HELP)
        return True

    def become(self, name: str) -> None:
        """Switch person, inventing a new one for an unknown name."""
        if name not in PEOPLE:
            PEOPLE[name] = 1000 + len(PEOPLE) + 1
            self.api.user(PEOPLE[name], name.capitalize(), name)
        self.person = name

    async def press(self, index: int) -> None:
        """Press a button under the newest bot message in this chat that has buttons."""
        for message in reversed(self.api.sent(self.chat_id)):
            current = self.api.get_message(self.chat_id, message["message_id"]) or message
            if (current.get("reply_markup") or {}).get("inline_keyboard"):
                try:
                    update = self.api.press_button(self.chat_id, self.user_id, current["message_id"], index)
                except IndexError as exc:
                    self.say(f"(no button {index}: {exc})")
                    return
                await self.deliver(update)
                return
        self.say("(no message with buttons in this chat)")

    async def reply(self, text: str) -> None:
        """Reply to the newest message in this chat written by another person."""
        target = self.api.latest_message(self.chat_id, not_from=(self.user_id, self.api.bot_id))
        if target is None:
            self.say("(nothing to reply to in this chat)")
            return
        update = self.api.message(self.chat_id, self.user_id, text, reply_to=target["message_id"])
        await self.deliver(update)


def chat_name(chat_id: int) -> str:
    """A chat's shell name: the group's, or `private with NAME`."""
    for name, gid in GROUPS.items():
        if gid == chat_id:
            return name
    people = {uid: name for name, uid in PEOPLE.items()}
    return f"private with {people.get(chat_id, chat_id)}"


def shell_settings(settings: Settings) -> Settings:
    """The user's settings, pointed at the fake server and the shell's own fresh SQLite file."""
    SHELL_DB.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SHELL_DB}{suffix}").unlink(missing_ok=True)
    return settings.model_copy(
        update={
            "bot_token": "1000:SHELL",
            "database_url": f"sqlite://{SHELL_DB}",
            "bot_owner_ids": frozenset({PEOPLE["alice"]}),
        }
    )


async def lines_from(stream: TextIO, session: Session, interactive: bool) -> None:
    """Feed typed (or piped) lines to the session until it ends; piped lines are echoed after the prompt."""
    while True:
        if interactive:
            try:
                line = await asyncio.to_thread(input, session.prompt)
            except EOFError:
                return
        else:
            line = await asyncio.to_thread(stream.readline)
            if not line:
                return
            session.say(session.prompt + line.rstrip("\n"))
        if not await session.handle(line):
            return


async def main(settings: Settings) -> int:
    """Start the fake server and the bot, then read lines until :quit or end of input."""
    async with FakeBotApi(bot_username="kefu_shell_bot", bot_name="Kefu Bot") as api:
        for name, uid in PEOPLE.items():
            api.user(uid, name.capitalize(), name)
        for name, gid in GROUPS.items():
            api.group(gid, f"{name.capitalize()} (shell)")
        config = shell_settings(settings).model_copy(update={"telegram_api_base_url": api.base_url})
        async with serving(build_application(config), poll_timeout=1) as app:
            session = Session(api, app, sys.stdout)
            interactive = sys.stdin.isatty()
            if interactive:
                session.say(
                    "kefu-bot offline shell. You are alice (a manager) in the team chat. :help for help."
                )
            await lines_from(sys.stdin, session, interactive)
    return 0
