"""Builds the PTB Application: settings, rate limiter, database lifecycle, handlers, command menus."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, Defaults

import handlers
from bot import db
from bot.api_client import BotApiRequest
from bot.chat_order import ChatOrderedProcessor
from bot.config import Settings
from bot.ratelimit import RollingRateLimiter
from bot.render import menus
from bot.render.context import SETTINGS_KEY, settings_of
from bot.services import caches
from bot.services.team import people
from handlers import crowd
from jobs import alarms, digest_posts, engine, ledger_posts, retention, robot_posts, rotation_posts
from jobs.kinds import KINDS

log = logging.getLogger(__name__)

RETRIES_ON_RETRY_AFTER = 3
REQUEST_POOL = 256
"""Connections for sending, as PTB's own default (getUpdates has its one connection)."""


async def on_start(app: Application) -> None:  # type: ignore[type-arg]
    """One process alone (tests, the shell): open the database and take the leader's duties at once."""
    await open_storage(app)
    await take_over(app)


async def open_storage(app: Application) -> None:  # type: ignore[type-arg]
    """Open the database (migrating first) with empty caches: what every instance does at start."""
    caches.forget_all()
    await db.open_db(settings_of(app).database_url)


async def take_over(app: Application) -> None:  # type: ignore[type-arg]
    """The leader's start, as after a restart: owners made managers, menus, daily jobs, catch-up, timers."""
    await prepare_lead(app)
    await catch_up(app)


async def prepare_lead(app: Application) -> None:  # type: ignore[type-arg]
    """What the first update must find done: owners are managers, menus and descriptions are published."""
    settings = settings_of(app)
    granted = await people.ensure_owners(settings.bot_owner_ids)
    if granted:
        log.info("owners made managers: %s", granted)
    await menus.publish_defaults(app)
    await menus.publish_descriptions(app)


async def catch_up(app: Application) -> None:  # type: ignore[type-arg]
    """Daily jobs, postings missed while no leader ran, timers: may take long, so updates are served
    meanwhile."""
    await digest_posts.start(app)
    await retention.start(app)
    await ledger_posts.start(app)
    await engine.resume(app)
    await alarms.resume_escalations(app)
    await robot_posts.resume(app)
    rotation_posts.arm_at_start(app)


async def on_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    """Stop posting group backlogs, then close database connections so the process can exit."""
    await crowd.stop(app)
    await db.close_db()


def build_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    """The whole bot, ready for `run_polling` or for tests against the fake Bot API server."""
    if not settings.bot_token:
        raise ValueError("BOT_TOKEN is not set")
    processor = ChatOrderedProcessor()
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.api_base_file_url)
        .request(BotApiRequest(connection_pool_size=REQUEST_POOL))
        .get_updates_request(BotApiRequest(connection_pool_size=1))
        .defaults(Defaults(tzinfo=ZoneInfo(settings.bot_timezone)))
        .concurrent_updates(processor)
        .post_init(on_start)
        .post_shutdown(on_shutdown)
    )
    if settings.bot_rate_limit:
        builder = builder.rate_limiter(RollingRateLimiter(retries=RETRIES_ON_RETRY_AFTER))  # type: ignore[arg-type]
    app = builder.build()
    processor.attach(app)
    app.bot_data[SETTINGS_KEY] = settings
    engine.install(app, KINDS, robot_posts.mirror)
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
