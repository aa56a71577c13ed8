"""A shell session: who types where, the `:` commands, and the transcript of everything the bot does."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from telegram.error import TelegramError

from bot.fakeapi import ApiCall, FakeBotApi
from bot.fakeapi.robots import FakeRobot
from bot.fakeapi.robots import shown as robot_text
from bot.render.context import settings_of
from bot.services.team import chats, people
from bot.shell.cast import GROUPS, PRIVATE, Cast
from bot.shell.clock import ShellClock, moment
from bot.shell.output import transcript_lines
from bot.shell.running import RunningBot

HELP = """Type a message or a command as the current person in the current chat. Shell commands:
  :as NAME          speak as another person (alice is a manager; new names are created)
  :in CHAT          switch chat: team, supervisors, finance, warehouse, review, or private
  :press N          press the N-th button under the latest bot message that has buttons
  :reply N TEXT     send TEXT as a reply to the N-th latest bot message in this chat (1: the latest)
  :reply TEXT       send TEXT as a reply to the latest message from another person in this chat
  :photo [TEXT]     send a photo, with TEXT as its caption
  :file PATH [TEXT] send a file from disk (xlsx, csv…), with TEXT as its caption
  :save [PATH]      save the latest file the bot sent in this chat (to its own name, or PATH)
  :clock [WHEN]     show the clock, or move it on and let everything due meanwhile happen, in order:
                    +2h, +30m, +1d, 18:00 (the next 18:00), 2026-11-23 09:00 (may also go back)
  :restart [WHEN]   stop the bot and start it again on the same database; with WHEN (+1h, 18:00…)
                    the bot stays down until then, so it posts what it missed when it starts
  :chats            chats (registered purpose, language, who is active there) and people (roles)
  :wecom, :dingtalk what the WeCom / DingTalk group robots received (any key or token works here)
  :botfather privacy on|off
                    Telegram's privacy mode, as set with /setprivacy in @BotFather (real bots start on)
  :rights member|admin|nodelete
                    the bot's standing in this group: plain member, administrator, or one without
                    “Delete messages” (a new group starts with the bot as a plain member on Telegram)
  :help             this text
  :quit             leave (so does Ctrl-D)
Lines starting with # are comments. Every message the bot sends, to any chat, is shown as [chat] bot: …"""


RIGHTS: dict[str, dict[str, bool]] = {
    "member": {"admin": False},
    "admin": {"admin": True, "can_delete_messages": True, "can_pin_messages": True},
    "nodelete": {"admin": True, "can_pin_messages": True},
}
"""`:rights WORD`: the bot's standing in the current group, as the group's owner would set it."""


@dataclass(frozen=True, slots=True)
class Restart:
    """`:restart`: stop the bot, let the clock reach `until` (if given) while it is down, start it again."""

    until: datetime | None


@dataclass
class Session:
    """Who is typing where, the bot they talk to, and the transcript of what it does."""

    api: FakeBotApi
    cast: Cast
    clock: ShellClock
    out: TextIO
    interactive: bool = False
    person: str = "alice"
    chat: str = "team"
    bot: RunningBot | None = None
    reading: bool = False
    """Waiting for the next typed line: what the bot posts now, it posts on its own."""
    advancing: bool = False
    stamp: str = field(default="", init=False)

    @property
    def user_id(self) -> int:
        """The current person's Telegram id."""
        return self.cast.people[self.person]

    @property
    def chat_id(self) -> int:
        """The current chat's id (a private chat's id is the person's)."""
        return self.cast.chat_id(self.chat, self.person)

    @property
    def prompt(self) -> str:
        """`alice@team> `."""
        return f"{self.person}@{self.chat}> "

    @property
    def running(self) -> RunningBot:
        """The bot, which runs whenever a line is handled."""
        assert self.bot is not None, "lines are handled only while the bot runs"
        return self.bot

    def say(self, text: str) -> None:
        """Print a line of the shell's own."""
        print(text, file=self.out, flush=True)

    def on_call(self, call: ApiCall) -> None:
        """The fake server's hook: print what a call of the bot shows people, the moment it is made."""
        self.on_call_lines(transcript_lines(self.api, call, self.cast.label))

    def on_call_lines(self, lines: list[str]) -> None:
        """Print what the bot just showed somewhere, over the prompt when it came by itself."""
        if not lines:
            return
        unprompted = self.reading and self.interactive  # printed over the prompt, which then comes again
        if unprompted:
            print(file=self.out)
        if self.advancing or self.reading:
            self.stamp_clock()
        self.say("\n".join(lines))
        if unprompted:
            print(self.prompt, end="", file=self.out, flush=True)

    def stamp_clock(self) -> None:
        """Print the clock before the bot's own postings, once for each minute they happen in."""
        shown = self.clock.shown()
        if shown != self.stamp:
            self.stamp = shown
            self.say(f"(clock: {shown})")

    async def deliver(self, update: dict[str, Any]) -> None:
        """Hand an update to the bot and wait until it has done everything it leads to."""
        self.cast.active(self.chat_id, self.person)
        await self.api.processed(update)
        await self.running.idle()

    async def handle(self, line: str) -> bool | Restart:
        """Act on one typed line: True to go on, False to leave, or a restart."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if not line.startswith(":"):
            await self.deliver(self.api.message(self.chat_id, self.user_id, line))
            return True
        verb, _, rest = line[1:].partition(" ")
        return await self.shell_command(verb.lower(), rest.strip())

    async def shell_command(self, verb: str, rest: str) -> bool | Restart:
        """The `:` commands."""
        if verb in {"quit", "exit", "q"}:
            return False
        if verb == "restart":
            return self.restart(rest)
        if verb == "as" and rest:
            self.person = rest.lstrip("@").lower()
            self.cast.person(self.person)
        elif verb == "in" and rest in {*GROUPS, PRIVATE}:
            self.chat = rest
        elif verb == "press" and rest.isdigit():
            await self.press(int(rest))
        elif verb == "reply" and rest:
            await self.reply(rest)
        elif verb == "photo":
            await self.deliver(self.api.message(self.chat_id, self.user_id, photo=True, caption=rest or None))
        elif verb == "file" and rest:
            await self.send_file(rest)
        elif verb == "save":
            await self.save(rest)
        elif verb == "clock":
            await self.move_clock(rest)
        elif verb in {"chats", "who"}:
            await self.list_chats()
        elif verb in {"wecom", "dingtalk"}:
            self.list_robot_posts(verb)
        elif verb == "botfather" and rest in {"privacy on", "privacy off"}:
            self.api.privacy_mode = rest == "privacy on"
            self.say(f"(@BotFather: privacy mode {rest.split()[1]})")
        elif verb == "rights" and rest in RIGHTS and self.chat in GROUPS:
            self.api.set_bot_rights(self.chat_id, **RIGHTS[rest])
            self.say(f"(the bot is now {rest} in {self.chat})")
        else:
            self.say(HELP)
        return True

    def on_robot_post(self, robot: FakeRobot, post: dict[str, Any]) -> None:
        """The fake server's hook: print what a group robot received, as it arrives."""
        self.on_call_lines([robot_line(robot, post)])

    def list_robot_posts(self, vendor: str) -> None:
        """`:wecom` / `:dingtalk`: everything that vendor's robots received, in order."""
        lines = [robot_line(robot, post) for robot, post in self.api.robot_posts() if robot.vendor == vendor]
        self.say("\n".join(lines) or f"(no {vendor} robot has received anything)")

    # ------------------------------------------------------------------ what people do

    async def press(self, index: int) -> None:
        """Press a button under the newest bot message in this chat that has buttons."""
        for message in self.bot_messages():
            if (message.get("reply_markup") or {}).get("inline_keyboard"):
                try:
                    update = self.api.press_button(self.chat_id, self.user_id, message["message_id"], index)
                except (IndexError, ValueError) as exc:
                    self.say(f"(no button {index}: {exc})")
                    return
                await self.deliver(update)
                return
        self.say("(no message with buttons in this chat)")

    async def reply(self, rest: str) -> None:
        """`:reply N TEXT` answers the N-th latest bot message here; `:reply TEXT` another person's latest."""
        number, _, text = rest.partition(" ")
        if number.isdigit() and text.strip():
            bot_messages = self.bot_messages()
            if not 1 <= int(number) <= len(bot_messages):
                self.say(f"(this chat has {len(bot_messages)} bot message(s); no number {number})")
                return
            target: dict[str, Any] | None = bot_messages[int(number) - 1]
        else:
            text = rest
            target = self.api.latest_message(self.chat_id, not_from=(self.user_id, self.api.bot_id))
        if target is None:
            self.say("(nothing to reply to in this chat)")
            return
        update = self.api.message(self.chat_id, self.user_id, text.strip(), reply_to=target["message_id"])
        await self.deliver(update)

    def bot_messages(self) -> list[dict[str, Any]]:
        """The bot's messages still in this chat, newest first, as they look now (edits applied)."""
        current = (self.api.get_message(self.chat_id, m["message_id"]) for m in self.api.sent(self.chat_id))
        return sorted((m for m in current if m), key=lambda m: -int(m["message_id"]))

    async def send_file(self, rest: str) -> None:
        """`:file PATH [caption]`: upload a file from disk as a document (quote a PATH with spaces)."""
        if rest[0] in "\"'":
            name, _, caption = rest[1:].partition(rest[0])
        else:
            name, _, caption = rest.partition(" ")
        path = Path(name)
        try:
            content = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            self.say(f"(cannot read {path}: {exc.strerror or exc})")
            return
        document = (path.name, content)
        update = self.api.message(
            self.chat_id, self.user_id, document=document, caption=caption.strip() or None
        )
        await self.deliver(update)

    async def save(self, rest: str) -> None:
        """`:save [PATH]`: download the newest file the bot sent here, e.g. to fill it in and send it back."""
        for message in self.bot_messages():
            document = message.get("document")
            if document:
                path = Path(rest or document.get("file_name") or "download")
                try:
                    file = await self.running.app.bot.get_file(document["file_id"])
                    await file.download_to_drive(path)
                except (OSError, TelegramError) as exc:
                    self.say(f"(cannot save to {path}: {getattr(exc, 'strerror', None) or exc})")
                    return
                self.say(f"(saved {document.get('file_name', 'the file')} to {path})")
                return
        self.say("(no file from the bot in this chat)")

    # ------------------------------------------------------------------ time and restarts

    async def move_clock(self, rest: str) -> None:
        """`:clock WHEN`: move on, letting every timer due meanwhile run at its time; `:clock` shows it."""
        self.stamp = ""
        if rest:
            try:
                target = moment(rest, self.clock.now())
            except ValueError as exc:
                self.say(f"(clock: {exc})")
                return
            if target < self.clock.now():  # armed timers simply wait for their time again
                self.clock.set(target)
            else:
                self.advancing = True
                try:
                    await self.clock.advance(self.running, target)
                finally:
                    self.advancing = False
        self.stamp_clock()

    def restart(self, rest: str) -> bool | Restart:
        """`:restart [WHEN]`: checked here, carried out by the loop that runs the bot."""
        if not rest:
            return Restart(None)
        try:
            until = moment(rest, self.clock.now())
        except ValueError as exc:
            self.say(f"(restart: {exc})")
            return True
        if until < self.clock.now():
            self.say("(restart: the bot can stay down until later, not until earlier)")
            return True
        return Restart(until)

    # ------------------------------------------------------------------ who is where

    async def list_chats(self) -> None:
        """`:chats`: each chat's purpose, language and who is active there; each person's roles."""
        default = settings_of(self.running.app).bot_locale
        purposes = {chat.id: chat.purpose for chat in await chats.registered()}
        self.say("chats:")
        for name, chat_id in GROUPS.items():
            purpose = purposes.get(chat_id)
            registered = f"registered as {purpose.value}" if purpose else "not registered"
            language = await chats.locale_of(chat_id, default)
            self.say(f"  {name:<12} {registered}, language {language}; {self.writers(chat_id)}")
        for name, uid in self.cast.people.items():
            if uid in self.cast.seen or self.api.sent(uid):  # a private chat either side opened
                language = await chats.locale_of(uid, default)
                self.say(f"  {PRIVATE + ':' + name:<12} language {language}")
        self.say("people:")
        for name, uid in self.cast.people.items():
            if await people.get(uid) is None:
                roles = "not seen by the bot yet"
            else:
                roles = ", ".join(sorted(await people.roles_of(uid))) or "no role"
            self.say(f"  {name} ({uid}): {roles}")

    def writers(self, chat_id: int) -> str:
        """Who has written or pressed a button in a chat during this session."""
        names = self.cast.seen.get(chat_id)
        return f"active here: {', '.join(names)}" if names else "nobody active here yet"


def robot_line(robot: FakeRobot, post: dict[str, Any]) -> str:
    """`[wecom …abcd] text` (the key's last characters only, as the bot shows it)."""
    return f"[{robot.vendor} …{robot.token[-4:]}] " + robot_text(post, robot.files).replace("\n", "\n    ")
