"""Long outputs a page at a time under ◀ ▶ buttons, instead of a flood of 4,096-character messages.

A feature names a view with `view(name, action, render)`: `render(call, arg, page)` draws one page of it.
`show` sends page 1 and remembers (per chat, by message, bounded) which view and argument the message shows;
a page button re-draws that view for the page asked, after the gate checked the view's action for whoever
pressed. After a restart the buttons answer "out of date": the command is simply typed again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import MessageLimit
from telegram.ext import Application

from bot.i18n import Translator
from bot.render.codec import Family
from bot.render.keyboards import keyboard, pages
from handlers.crowd import Busy, Sent
from handlers.gate import Call, Target, button

STATES_KEY = "paged_views"
MAX_STATES = 200
"""Paged messages remembered per chat; the oldest page buttons go out of date first."""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a view: its text, where it is, and buttons to show above ◀ ▶ (a card's status buttons)."""

    text: str
    page: int
    pages: int
    rows: Sequence[Sequence[InlineKeyboardButton]] = ()


Render = Callable[[Call, str, int], Awaitable[Page]]


@dataclass(frozen=True, slots=True)
class View:
    """A paged output: the action a page press needs, and how a page is drawn."""

    action: str
    render: Render


VIEWS: dict[str, View] = {}


def view(name: str, action: str, render: Render) -> None:
    """Make a view pageable (called from a handlers module's `register`)."""
    VIEWS[name] = View(action, render)


def page_count(total: int, size: int) -> int:
    """How many pages `total` items fill, at least one."""
    return max(1, -(-total // size))


def markup(t: Translator, page: Page) -> InlineKeyboardMarkup | None:
    """The page's own buttons, then ◀ ▶ where there are more pages."""
    return keyboard(*page.rows, pages(t, Family.PAGE, "go", page.page, page.pages))


def fitted(text: str) -> str:
    """A page never exceeds one message (views keep pages short; this is the last guard)."""
    limit = MessageLimit.MAX_TEXT_LENGTH
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def show(call: Call, name: str, arg: str, sent: Sent | None = None) -> None:
    """Send page 1 of a view and remember it for the page buttons in the chat it went to (in a busy group,
    the person's private chat: a listing is theirs); `sent` hears of the message too."""
    page = await VIEWS[name].render(call, arg, 1)

    async def remember(message: Message) -> None:
        """Hold the view's state for that message's page buttons."""
        held: dict[int, tuple[str, str]] = call.app.chat_data[message.chat_id].setdefault(STATES_KEY, {})
        while len(held) >= MAX_STATES:
            held.pop(next(iter(held)))
        held[message.message_id] = (name, arg)
        if sent is not None:
            await sent(message)

    await call.reply(
        fitted(page.text), busy=Busy(private=True), sent=remember, reply_markup=markup(call.t, page)
    )


async def load(call: Call) -> Target[tuple[str, str]] | None:
    """The view a page button belongs to (kept per chat, by message)."""
    held = (call.context.chat_data or {}).get(STATES_KEY, {})
    state: tuple[str, str] | None = held.get(call.message.message_id)
    return None if state is None else Target(state, VIEWS[state[0]].action)


async def turn(call: Call, state: tuple[str, str]) -> None:
    """A page button: draw the asked page and edit the message."""
    assert call.button is not None
    name, arg = state
    page = await VIEWS[name].render(call, arg, max(1, call.button.arg))
    text, keys = fitted(page.text), markup(call.t, page)
    await call.answer()
    if text == call.message.text and keys == call.message.reply_markup:
        return  # pressed twice, or by two people at once: Telegram refuses an edit that changes nothing
    await call.query.edit_message_text(text, reply_markup=keys)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the page buttons."""
    app.add_handler(button(Family.PAGE, load, turn))
