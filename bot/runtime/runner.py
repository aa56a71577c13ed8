"""`python -m bot run`: open the database, then lead or stand by until stopped.

Every instance opens the database (migrating one at a time), listens for other instances' changes, serves
/healthz and, in webhook mode, Telegram's calls. The leader alone polls Telegram (polling mode) and runs the
scheduler: when it becomes leader it publishes owners and menus (`bot.app.prepare_lead`), starts polling, then
re-arms every schedule from the database and catches up exactly as after a restart (`bot.app.catch_up`); when
its lock connection drops it stops polling and scheduling at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import time
from datetime import UTC, datetime

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.app import build_application, catch_up, on_shutdown, open_storage, prepare_lead
from bot.config import Settings
from bot.models import Schedule
from bot.runtime import health, logs, webhook
from bot.runtime.leadership import Leadership, is_postgres
from bot.services import handled_updates, invalidation
from jobs import engine

log = logging.getLogger(__name__)

LEADER, STANDBY = "leader", "standby"
POLL_TIMEOUT = 10
PRUNE_EVERY = 3600.0
"""Seconds between two prunings of old webhook update ids (by the leader)."""


class Runner:
    """One instance: its application, its part in the election and its servers."""

    def __init__(self, settings: Settings, leadership: Leadership) -> None:
        """Build the bot; nothing runs until `run`."""
        self.settings = settings
        self.leadership = leadership
        self.app: Application = build_application(settings)  # type: ignore[type-arg]
        logs.install(self.app)
        self.role = STANDBY
        self.stopping = asyncio.Event()
        self.bus = invalidation.Bus(settings.database_url) if is_postgres(settings.database_url) else None
        self.sites: list[web.AppRunner] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.pruned_at = 0.0

    async def run(self) -> int:
        """Serve until SIGINT or SIGTERM; 0 on a clean stop."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.stopping.set)
        app = self.app
        await app.initialize()
        try:
            async with self.leadership.migrating():
                await open_storage(app)
            if self.bus is not None:
                await self.bus.start()
            invalidation.register("schedule", self.rearm)
            app.bot_data[engine.ELSEWHERE_KEY] = self.hand_to_leader
            await app.start()
            await app.job_queue.stop(wait=False)  # type: ignore[union-attr]  # the leader's alone
            await self.start_servers()
            log.info("instance %s started (%s mode), standing by", os.getpid(), self.settings.bot_mode)
            await self.elect()
        finally:
            await self.stop()
        return 0

    async def start_servers(self) -> None:
        """/healthz on HEALTH_PORT and, in webhook mode, Telegram's calls on WEBHOOK_LISTEN."""
        if self.settings.health_port is not None:
            site = health.health_app(lambda: self.role, self.settings.bot_mode, self.app.bot_data)
            self.sites.append(await health.start_site(site, "0.0.0.0", self.settings.health_port))
        if self.settings.bot_mode == "webhook":
            host, port = self.settings.webhook_address
            calls = webhook.webhook_app(self.app, self.settings)
            self.sites.append(await health.start_site(calls, host, port))

    async def elect(self) -> None:
        """Try to lead every few seconds; a leader checks its lock and steps down the moment it is gone."""
        check = self.settings.leader_check_seconds
        while not self.stopping.is_set():
            if self.role == STANDBY:
                if await self.leadership.acquire():
                    await self.lead()
            elif not await self.leadership.holds():
                await self.step_down()
            if self.bus is not None:
                await self.bus.ensure()
            await self.prune()
            await first_of(self.stopping, self.leadership.lost, timeout=check)
            if self.leadership.lost.is_set() and self.role == LEADER:
                await self.step_down()

    async def lead(self) -> None:
        """Lead: owners and menus first, then the scheduler and polling (or the webhook), then catch up as
        after a restart.

        Polling starts before the catch-up so the team is answered at once even while a long backlog of
        postings goes out; both are safe together because every timer re-reads its row before it posts."""
        app = self.app
        self.role = LEADER
        log.info("instance %s is now the leader", os.getpid())
        app.bot_data.pop(engine.ELSEWHERE_KEY, None)
        await app.job_queue.start()  # type: ignore[union-attr]
        try:
            await prepare_lead(app)
            gc.freeze()  # what start-up built lives as long as the process: the collector stops rescanning it
            if self.settings.bot_mode == "polling":
                assert app.updater is not None
                await app.updater.start_polling(
                    poll_interval=0, timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES
                )
            else:
                await app.bot.set_webhook(
                    self.settings.webhook_url or "",
                    secret_token=self.settings.webhook_secret,
                    allowed_updates=Update.ALL_TYPES,
                )
            await catch_up(app)
        except Exception:
            log.exception("taking over failed; standing by again")
            await self.step_down()

    async def step_down(self) -> None:
        """Stop polling and scheduling at once; timers are re-armed by whoever leads next."""
        app = self.app
        if self.role == LEADER:
            log.error("instance %s is no longer the leader: polling and scheduling stopped", os.getpid())
        self.role = STANDBY
        app.bot_data[engine.ELSEWHERE_KEY] = self.hand_to_leader
        job_queue = app.job_queue
        assert job_queue is not None
        job_queue.scheduler.remove_all_jobs()
        await job_queue.stop(wait=False)
        if app.updater is not None and app.updater.running:
            with contextlib.suppress(Exception):  # Telegram may be unreachable: stopping must not wait
                async with asyncio.timeout(POLL_TIMEOUT):
                    await app.updater.stop()

    def hand_to_leader(self, schedule_id: int) -> None:
        """A standby changed a schedule: ask the leader to arm it."""
        task = asyncio.get_running_loop().create_task(invalidation.changed("schedule", str(schedule_id)))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def rearm(self, key: str) -> None:
        """The leader arms what another instance changed."""
        if self.role != LEADER or not key.isdigit():
            return
        schedule = await Schedule.get_or_none(id=int(key))
        if schedule is not None:
            engine.arm(self.app, schedule)

    async def prune(self) -> None:
        """The leader forgets webhook update ids older than a day, once an hour."""
        if self.role != LEADER or self.settings.bot_mode != "webhook":
            return
        if time.monotonic() - self.pruned_at < PRUNE_EVERY:
            return
        self.pruned_at = time.monotonic()
        try:
            count = await handled_updates.prune(datetime.now(UTC))
        except Exception as exc:  # the database may be down; the next hour tries again
            log.warning("could not prune handled update ids: %s", exc)
        else:
            log.info("pruned %s handled update ids", count)

    async def stop(self) -> None:
        """Stop everything in order: leadership, servers, the application, the database."""
        app = self.app
        if self.role == LEADER:
            await self.step_down()
        for site in self.sites:
            await site.cleanup()
        if app.running:
            await app.stop()
        await app.shutdown()
        await on_shutdown(app)
        if self.bus is not None:
            await self.bus.stop()
        await self.leadership.close()


async def first_of(*events: asyncio.Event, timeout: float) -> None:  # noqa: ASYNC109
    """Wait until one of the events is set or the timeout passes."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def serve(settings: Settings, leadership: Leadership) -> int:
    """Run one instance until SIGINT or SIGTERM."""
    return asyncio.run(_serve(settings, leadership))


async def _serve(settings: Settings, leadership: Leadership) -> int:
    """The event loop's side of `serve`."""
    return await Runner(settings, leadership).run()
