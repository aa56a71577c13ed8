"""The bot the shell talks to: started (and restarted) on one database, and waited on until it is idle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from apscheduler.events import (  # type: ignore[import-untyped]
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)
from telegram.ext import Application, JobQueue

from bot.app import build_application, serving
from bot.chat_order import settled
from bot.config import Settings

FINISHED = EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED


class RunningBot:
    """The real Application, plus a count of its timers at work, so the shell knows when all is done."""

    def __init__(self, app: Application) -> None:  # type: ignore[type-arg]
        """Listen to the JobQueue's scheduler before it starts, so no timer run goes uncounted."""
        self.app = app
        self.working = 0
        self._quiet = asyncio.Event()
        self._quiet.set()
        self.jobs.scheduler.add_listener(self._count, EVENT_JOB_SUBMITTED | FINISHED)

    @property
    def jobs(self) -> JobQueue:  # type: ignore[type-arg]
        """The bot's JobQueue (the app builder always makes one)."""
        assert self.app.job_queue is not None
        return self.app.job_queue

    def _count(self, event: JobEvent) -> None:
        """A timer run was handed to the executor (one per due run time) or one of them finished."""
        if isinstance(event, JobSubmissionEvent):
            self.working += len(event.scheduled_run_times)
        else:
            self.working -= 1
        if self.working > 0:
            self._quiet.clear()
        else:
            self._quiet.set()

    def next_timer(self) -> datetime | None:
        """When the earliest armed timer falls due, if any is armed."""
        return min((job.next_t for job in self.jobs.jobs() if job.next_t is not None), default=None)

    def wake(self) -> None:
        """Make the scheduler look at the clock again and run what fell due."""
        self.jobs.scheduler.wakeup()

    async def idle(self) -> None:
        """Wait until every update is handled, no timer is due and every timer run has finished."""
        while True:
            await asyncio.sleep(0)  # a wakeup runs on the loop's next turn
            await settled(self.app)
            if not self._quiet.is_set():
                await self._quiet.wait()
                continue
            due = self.next_timer()
            if due is None or due > datetime.now(UTC):
                return
            self.wake()


@asynccontextmanager
async def running(config: Settings) -> AsyncIterator[RunningBot]:
    """Build and serve the bot (its start-up posts what it missed), stopping it at the end of the block."""
    bot = RunningBot(build_application(config))
    async with serving(bot.app, poll_timeout=1):
        yield bot
