"""Builds the PTB Application: settings, rate limiter, database lifecycle, handlers, command menus."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from zoneinfo import ZoneInfo

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults

import handlers
from bot import db
from bot.config import Settings
from bot.i18n import LOCALES, translator
from bot.ratelimit import RollingRateLimiter
from bot.render.context import SETTINGS_KEY, settings_of
from bot.services.scheduling import shop_calendar
from bot.services.team import chats, people, rules
from bot.services.team.catalog import COMMANDS
from jobs import alarms, digest_posts, engine, ledger_posts, retention
from jobs.kinds import KINDS

log = logging.getLogger(__name__)

MENU_LANGUAGE_CODES = {"en": "en", "zh_CN": "zh"}
RETRIES_ON_RETRY_AFTER = 3


async def on_start(app: Application) -> None:  # type: ignore[type-arg]
    """Open the database (migrating first), make the owners managers, publish command menus."""
    settings = settings_of(app)
    people.forget_cache()
    chats.forget_cache()
    rules.forget_cache()
    shop_calendar.forget_cache()
    await db.open_db(settings.database_url)
    granted = await people.ensure_owners(settings.bot_owner_ids)
    if granted:
        log.info("owners made managers: %s", granted)
    await publish_menus(app, settings.bot_locale)
    await digest_posts.start(app)
    await retention.start(app)
    await ledger_posts.start(app)
    await engine.resume(app)
    await alarms.resume_escalations(app)


async def publish_menus(app: Application, default_locale: str) -> None:  # type: ignore[type-arg]
    """Register the command menu per language; a failure is logged and never stops the bot."""
    for locale in LOCALES:
        t = translator(locale)
        commands = [BotCommand(info.name, t(info.description)) for info in COMMANDS]
        language = None if locale == default_locale else MENU_LANGUAGE_CODES[locale]
        for scope in (BotCommandScopeAllPrivateChats(), BotCommandScopeAllGroupChats()):
            try:
                await app.bot.set_my_commands(commands, scope=scope, language_code=language)
            except TelegramError as exc:
                log.warning("setMyCommands (%s, %s) failed: %s", locale, scope.type, exc)


async def on_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    """Close database connections so the process can exit."""
    await db.close_db()


def build_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    """The whole bot, ready for `run_polling` or for tests against the fake Bot API server."""
    if not settings.bot_token:
        raise ValueError("BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.api_base_file_url)
        .defaults(Defaults(tzinfo=ZoneInfo(settings.bot_timezone)))
        .post_init(on_start)
        .post_shutdown(on_shutdown)
    )
    if settings.bot_rate_limit:
        builder = builder.rate_limiter(RollingRateLimiter(retries=RETRIES_ON_RETRY_AFTER))  # type: ignore[arg-type]
    app = builder.build()
    app.bot_data[SETTINGS_KEY] = settings
    engine.install(app, KINDS)
    handlers.register_all(app)
    return app


@asynccontextmanager
async def serving(app: Application, poll_timeout: int = 10) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run the bot inside a running event loop (shell, tests, benchmarks) the way run_polling does."""
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
        )
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
