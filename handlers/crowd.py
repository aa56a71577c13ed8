"""A group at Telegram's 20 messages a minute: the bot acknowledges at once instead of falling silent.

`Call.reply` (handlers/gate.py) asks `spent` before it answers in a group. While the group's rolling minute
is down to its reserve (`GROUP_RESERVE`, kept for refusals, alarms and hand-overs), the answer gives way
(`give_way`): the person's own message gets a reaction (reactions are not messages, so no limit applies),
the answer goes to them in private, and the group gets later, as its budget returns, what it must see there:

* one folded message ("answered in private meanwhile: R-12 · Refund · new · @a, …"), edited in place at most
  once a minute, instead of one card per record;
* the answers themselves where the group needs them: buttons others press (a complaint a lead closes, the
  "log anyway" under a duplicate), or a person the bot may not write to privately (they never pressed
  Start). Those wait in order in `Backlog.later`, never in the limiter, so the reserve stays free.

👍 on a person's message means "done, the answer is in your private chat"; 👀 means "seen, the answer follows
as soon as Telegram lets me". The backlog is kept in memory: a restart drops the group copies (the records and
the private cards stay).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ReactionEmoji
from telegram.error import TelegramError

from bot.i18n import Translator
from bot.ratelimit import GROUP_RESERVE, RollingRateLimiter
from bot.render.context import App, split_message

if TYPE_CHECKING:
    from handlers.gate import Call

log = logging.getLogger(__name__)

DONE = ReactionEmoji.THUMBS_UP
"""Done: the answer is already in the person's private chat (Telegram lets bots react with 👍, not ✅)."""
SEEN = ReactionEmoji.EYES
"""Seen: the answer follows as soon as the group's budget allows (or it was a refusal, sent privately)."""
FOLD_EVERY = 60.0
"""Seconds between two versions of a group's folded message: each edit costs a message of the budget."""
FOLD_LINES = 30
"""Lines one folded message holds before the next one starts."""
BACKLOGS_KEY = "group_backlogs"

Sent = Callable[[Message], Awaitable[None]]
"""Told the message that finally carries an answer (to remember a card, a page), whenever it goes out."""


@dataclass(frozen=True, slots=True)
class Busy:
    """How a group answer may give way while the group's budget is spent."""

    private: bool | None = None
    """The person's own answer, which may go to them in private; None: yes, unless it carries buttons."""
    fold: str | None = None
    """A line for the group's folded message when the answer went to private."""
    group_too: bool = False
    """The group needs the answer itself even when it went to private (a card with buttons others press)."""
    urgent: bool = False
    """A refusal or bad input: it may spend the reserve, and never gets 👍."""


OWN = Busy()
URGENT = Busy(urgent=True)


@dataclass(slots=True)
class Later:
    """An answer the group still gets, quoting the person's message, as soon as its budget allows."""

    text: str
    options: dict[str, Any]
    reply_to: int
    sent: Sent | None


@dataclass(slots=True)
class Backlog:
    """What one group still gets: answers in order, and lines for its folded message."""

    t: Translator
    later: deque[Later] = field(default_factory=deque)
    fresh: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    fold_id: int | None = None
    fold_at: float = -math.inf
    task: asyncio.Task[None] | None = None

    @property
    def size(self) -> int:
        """Group messages this backlog still needs (the folded message counts once)."""
        return len(self.later) + (1 if self.fresh else 0)


def limiter_of(bot: Bot) -> RollingRateLimiter | None:
    """The bot's rate limiter when it is ours (None with BOT_RATE_LIMIT=false: nothing to budget)."""
    limiter = getattr(bot, "rate_limiter", None)
    return limiter if isinstance(limiter, RollingRateLimiter) else None


def backlogs(app: App) -> dict[int, Backlog]:
    """Every group's backlog, kept with the running bot."""
    held: dict[int, Backlog] = app.bot_data.setdefault(BACKLOGS_KEY, {})
    return held


def backlog_of(call: Call) -> Backlog:
    """This group's backlog, speaking the group's language."""
    held = backlogs(call.app).setdefault(call.chat_id, Backlog(call.t))
    held.t = call.t
    return held


def spent(call: Call, busy: Busy) -> bool:
    """Whether an answer here must give way: a group message (not a press) whose budget, after what the group
    already waits for, is down to the reserve. An urgent answer may spend the reserve, which the backlog
    leaves alone."""
    if call.is_private or call.button is not None:
        return False
    limiter = limiter_of(call.context.bot)
    if limiter is None:
        return False
    left = limiter.group_budget(call.chat_id)
    if busy.urgent:
        return left <= 0
    waiting = backlogs(call.app).get(call.chat_id)
    return left - (waiting.size if waiting else 0) <= GROUP_RESERVE


def has_buttons(options: dict[str, Any]) -> bool:
    """Whether an answer carries buttons someone presses (links only open a chat: they go anywhere)."""
    markup = options.get("reply_markup")
    if not isinstance(markup, InlineKeyboardMarkup):
        return False
    return any(key.callback_data is not None for row in markup.inline_keyboard for key in row)


async def give_way(
    call: Call, text: str, busy: Busy, sent: Sent | None, options: dict[str, Any]
) -> Message | None:
    """Answer without spending the group's budget: privately when the answer is the person's own and the bot
    may write to them, otherwise queued for the group; the person's message gets 👍 or 👀 at once. The
    private message, or None when the answer waits for the group."""
    private = busy.private if busy.private is not None else not has_buttons(options)
    message = await privately(call, text, options) if private else None
    if message is None:
        queue(call, text, sent, options)
        await react(call, SEEN)
        return None
    await react(call, SEEN if busy.urgent else DONE)
    if busy.group_too:
        queue(call, text, sent, options)
    elif busy.fold:
        fold(call, busy.fold)
    if sent is not None:
        await sent(message)
    return message


async def privately(call: Call, text: str, options: dict[str, Any]) -> Message | None:
    """Send the answer to the person's private chat; None when Telegram refuses (they never pressed Start,
    or blocked the bot)."""
    *first, last = split_message(text)
    try:
        for chunk in first:
            await call.context.bot.send_message(call.user_id, chunk)
        return await call.context.bot.send_message(call.user_id, last, **options)
    except TelegramError as exc:
        log.info("answer to %s in chat %s not sent privately: %s", call.user_id, call.chat_id, exc)
        return None


async def react(call: Call, emoji: ReactionEmoji) -> None:
    """Put a reaction on the person's message, once per update (it costs no message)."""
    if call.reacted:
        return
    call.reacted = True
    try:
        await call.message.set_reaction(emoji)
    except TelegramError as exc:
        log.warning("no reaction on message %s in chat %s: %s", call.message.message_id, call.chat_id, exc)


def queue(call: Call, text: str, sent: Sent | None, options: dict[str, Any]) -> None:
    """The group gets this answer, quoting the person's message, once its budget allows."""
    backlog_of(call).later.append(Later(text, options, call.message.message_id, sent))
    drain_soon(call.context.bot, call.chat_id, backlog_of(call))


def fold(call: Call, line: str) -> None:
    """Add a line to the group's folded message."""
    backlog_of(call).fresh.append(line)
    drain_soon(call.context.bot, call.chat_id, backlog_of(call))


def drain_soon(bot: Bot, chat_id: int, backlog: Backlog) -> None:
    """Make sure one task is sending this group's backlog."""
    if backlog.task is None or backlog.task.done():
        backlog.task = asyncio.get_running_loop().create_task(drain(bot, chat_id, backlog))


async def drain(bot: Bot, chat_id: int, backlog: Backlog) -> None:
    """Send the backlog as the group's budget returns, keeping the reserve: the folded message first when it
    is due (at most once a minute), then the waiting answers in order."""
    limiter = limiter_of(bot)
    assert limiter is not None
    while backlog.later or backlog.fresh:
        wait = limiter.group_wait(chat_id, keep=GROUP_RESERVE)
        fold_due = backlog.fold_at + FOLD_EVERY - limiter.now()
        if wait <= 0 and backlog.fresh and fold_due <= 0:
            await post_fold(bot, limiter, chat_id, backlog)
        elif wait <= 0 and backlog.later:
            await post_later(bot, chat_id, backlog.later.popleft())
        else:
            await limiter.sleep(min(max(wait, fold_due if not backlog.later else 0.0, 0.05), 1.0))


def fold_text(backlog: Backlog, lines: list[str]) -> str:
    """The folded message: why the group sees a list, then one line per answer that went to private."""
    header = backlog.t(
        "⏳ Busy here: Telegram lets me post 20 messages a minute in a group. These answers went to their "
        "authors in private (👍 on each message):"
    )
    return "\n".join([header, *lines])


async def post_fold(bot: Bot, limiter: RollingRateLimiter, chat_id: int, backlog: Backlog) -> None:
    """Post the folded message, or edit the current one in place while it has room."""
    lines, backlog.fresh = backlog.fresh, []
    backlog.fold_at = limiter.now()
    try:
        if backlog.fold_id is not None and len(backlog.shown) + len(lines) <= FOLD_LINES:
            backlog.shown += lines
            await bot.edit_message_text(fold_text(backlog, backlog.shown), chat_id, backlog.fold_id)
            return
        backlog.shown = lines
        sent = await bot.send_message(chat_id, fold_text(backlog, lines))
        backlog.fold_id = sent.message_id
    except TelegramError as exc:
        log.error("folded message in chat %s not posted: %s", chat_id, exc)
        backlog.fold_id = None


async def post_later(bot: Bot, chat_id: int, later: Later) -> None:
    """Send a waiting answer to the group, quoting the person's message (if it is still there)."""
    quote = ReplyParameters(later.reply_to, allow_sending_without_reply=True)
    *first, last = split_message(later.text)
    try:
        for chunk in first:
            await bot.send_message(chat_id, chunk, reply_parameters=quote)
        message = await bot.send_message(chat_id, last, reply_parameters=quote, **later.options)
    except TelegramError as exc:
        log.error("answer to message %s in chat %s not posted: %s", later.reply_to, chat_id, exc)
        return
    if later.sent is not None:
        try:
            await later.sent(message)
        except Exception:
            log.exception("answer to message %s in chat %s: its follow-up failed", later.reply_to, chat_id)


async def stop(app: App) -> None:
    """At shutdown: stop sending backlogs (what is still waiting is dropped, and logged)."""
    for chat_id, backlog in backlogs(app).items():
        if backlog.task is not None and not backlog.task.done():
            log.warning(
                "chat %s: %d answers and %d folded lines not posted",
                chat_id,
                len(backlog.later),
                len(backlog.fresh),
            )
            backlog.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await backlog.task
