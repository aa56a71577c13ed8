"""Telegram's command menus and the bot's descriptions, in the language and for the roles of who sees them.

At start the bot publishes one menu per language for all private and all group chats, and its description and
short description per language. A group whose language is set (/lang, /setup) gets a menu of its own in that
language (a chat scope outranks every language-wide one); a person gets, in their private chat, the commands
their roles allow, whenever their roles change or they press Start. Nothing is published in bursts: each call
follows one person's or one group's action, and an unchanged menu is not sent twice. A failure is logged and
never stops the bot.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from bot.enums import Role
from bot.i18n import LOCALES, N_, translator
from bot.render.context import App, settings_of
from bot.services.team import chats
from bot.services.team.catalog import COMMANDS, CommandInfo, visible_to

log = logging.getLogger(__name__)

LANGUAGE_CODES = {"en": "en", "zh_CN": "zh"}
"""Our locales as Telegram's IETF language codes (the menu a Chinese app shows is the `zh` one)."""
PUBLISHED_KEY = "published_menus"
"""In bot_data: chat id → the menu last published for it, so an unchanged menu is not sent again."""

DESCRIPTION = N_(
    "I keep an e-commerce customer-service team's records — refunds, courier queries, complaint slips, "
    "problem orders, negative reviews — with alarms, shifts, hand-overs and daily digests for finance and "
    "the warehouse. Add me to the team's groups and type /setup there; a manager gives roles with /role."
)
SHORT_DESCRIPTION = N_("Records, alarms, shifts and hand-overs for a customer-service team.")
TEXT_LIMITS = {"description": 512, "short_description": 120}
"""Telegram's lengths for the two texts; a translation beyond them would be refused."""


def commands(locale: str, infos: Iterable[CommandInfo]) -> list[BotCommand]:
    """A menu: each command with its one-line description in `locale`."""
    t = translator(locale)
    return [BotCommand(info.name, t(info.description)) for info in infos]


def language_code(locale: str, default_locale: str) -> str | None:
    """The language code a menu or text is stored under: none for the deployment's default language."""
    return None if locale == default_locale else LANGUAGE_CODES[locale]


async def set_menu(
    app: App, menu: Sequence[BotCommand], scope: BotCommandScope, language: str | None
) -> bool:
    """setMyCommands, logged instead of raised when Telegram refuses."""
    try:
        await app.bot.set_my_commands(menu, scope=scope, language_code=language)
    except TelegramError as exc:
        where = f"{scope.type} {getattr(scope, 'chat_id', '')}".strip()
        log.warning("setMyCommands (%s, %s) failed: %s", where, language, exc)
        return False
    return True


async def publish_group(app: App, chat_id: int) -> None:
    """The whole menu for one group, in the group's language whatever the app language of who opens it."""
    locale = await chats.locale_of(chat_id, settings_of(app).bot_locale)
    await publish(app, chat_id, {None: commands(locale, COMMANDS)})


async def publish_private(app: App, user_id: int, roles: frozenset[Role]) -> None:
    """The commands someone's roles allow, in their private chat: in the language they chose with /lang,
    else in their app's language."""
    default = settings_of(app).bot_locale
    chosen = await chats.locale_of(user_id, "")
    allowed = visible_to(roles)
    menus: dict[str | None, list[BotCommand]] = {None: commands(chosen or default, allowed)}
    for locale in LOCALES:
        menus[LANGUAGE_CODES[locale]] = commands(chosen or locale, allowed)
    await publish(app, user_id, menus)


async def publish(app: App, chat_id: int, menus: dict[str | None, list[BotCommand]]) -> None:
    """Set a chat's menus per language code, unless exactly these were the last published there."""
    published: dict[int, object] = app.bot_data.setdefault(PUBLISHED_KEY, {})
    if published.get(chat_id) == menus:
        return
    scope = BotCommandScopeChat(chat_id)
    done = [await set_menu(app, menu, scope, language) for language, menu in menus.items()]
    if all(done):
        published[chat_id] = menus
    else:
        published.pop(chat_id, None)


async def publish_defaults(app: App) -> None:
    """At start: the menu per language for every private and group chat (a chat scope refines it later)."""
    default = settings_of(app).bot_locale
    for locale in LOCALES:
        menu = commands(locale, COMMANDS)
        for scope in (BotCommandScopeAllPrivateChats(), BotCommandScopeAllGroupChats()):
            await set_menu(app, menu, scope, language_code(locale, default))


async def publish_descriptions(app: App) -> None:
    """At start: the description (shown before Start) and short description (profile, shares) per language;
    a text Telegram already holds is not sent again, since Telegram limits how often they change."""
    default = settings_of(app).bot_locale
    bot = app.bot
    for locale in LOCALES:
        t = translator(locale)
        language = language_code(locale, default)
        try:
            description = t(DESCRIPTION)[: TEXT_LIMITS["description"]]
            if (await bot.get_my_description(language)).description != description:
                await bot.set_my_description(description, language)
            short = t(SHORT_DESCRIPTION)[: TEXT_LIMITS["short_description"]]
            if (await bot.get_my_short_description(language)).short_description != short:
                await bot.set_my_short_description(short, language)
        except TelegramError as exc:
            log.warning("bot description (%s) not published: %s", locale, exc)
