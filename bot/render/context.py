"""What every rendering needs from the running Application: the settings, a chat's language, message sizes."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatType, MessageLimit
from telegram.ext import Application

from bot.config import Settings
from bot.i18n import Translator, normalise_locale, translator
from bot.services.team import chats

App = Application[Any, Any, Any, Any, Any, Any]
SETTINGS_KEY = "settings"


def settings_of(app: App) -> Settings:
    """The deployment settings stored on the Application when it was built."""
    settings: Settings = app.bot_data[SETTINGS_KEY]
    return settings


def shop_zone(app: App) -> ZoneInfo:
    """The shop's time zone: wall times are read and shown in it."""
    return ZoneInfo(settings_of(app).bot_timezone)


async def chat_translator(app: App, chat_id: int) -> Translator:
    """The language of a chat the bot posts to on its own (a group's, or a person's in private)."""
    return translator(await chats.locale_of(chat_id, settings_of(app).bot_locale))


async def translator_for(update: object, app: App) -> Translator:
    """The translator for an update's chat: its own language, or the person's, or the default."""
    default: str = settings_of(app).bot_locale
    if not isinstance(update, Update) or update.effective_chat is None:
        return translator(default)
    user = update.effective_user
    if update.effective_chat.type == ChatType.PRIVATE and user is not None:
        default = normalise_locale(user.language_code) or default
    return translator(await chats.locale_of(update.effective_chat.id, default))


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Cut text into Telegram-sized pieces at line breaks (a single overlong line is cut where it must be)."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            pieces += [current] if current else []
            pieces.append(line[:limit])
            current, line = "", line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    return [*pieces, current]
