"""The shell's clock (`:clock`): it moves the whole process's time, stopping at every timer due on the way.

The bot reads the real clock everywhere; only the shell (and the tests) move it, with time-machine, the way
the end-to-end tests do: shift the clock, wake the JobQueue, wait until the bot is idle. Moving on two hours
thus posts every alarm, escalation, reminder and digest of those two hours in order, each at its own time.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from types import TracebackType
from zoneinfo import ZoneInfo

import time_machine

from bot.shell.running import RunningBot

STEP = re.compile(r"\+(?=\d)(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")
TIME_OF_DAY = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})")
DATE_TIME = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})(?:\s+(?P<time>\d{1,2}:\d{2}))?")
FORMS = "+2h, +30m, +1d, +45s, 18:00 (the next 18:00) or 2026-11-23 09:00"


def moment(text: str, now: datetime) -> datetime:
    """Where a clock showing `now` (aware, shop's zone) goes for `+2h`, `18:00` or `2026-11-23 09:00`."""
    text = text.strip()
    if step := STEP.fullmatch(text):
        days, hours, minutes, seconds = (int(step.group(unit) or 0) for unit in "dhms")
        return now + timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if of_day := TIME_OF_DAY.fullmatch(text):
        wall = clock_time(of_day.group("hour"), of_day.group("minute"))
        today = datetime.combine(now.date(), wall, now.tzinfo)
        return today if today > now else datetime.combine(now.date() + timedelta(days=1), wall, now.tzinfo)
    if stamp := DATE_TIME.fullmatch(text):
        hour, _, minute = (stamp.group("time") or "00:00").partition(":")
        try:
            day = date.fromisoformat(stamp.group("date"))
        except ValueError as exc:
            raise ValueError(f"no such date: {stamp.group('date')}") from exc
        return datetime.combine(day, clock_time(hour, minute), now.tzinfo)
    raise ValueError(f"cannot read {text!r} as a time; write {FORMS}")


def clock_time(hour: str, minute: str) -> time:
    """A wall time from its digits, refusing 25:00 and 12:60."""
    try:
        return time(int(hour), int(minute))
    except ValueError as exc:
        raise ValueError(f"no such time of day: {hour}:{minute}") from exc


class ShellClock:
    """The process's clock: it runs on its own at the keyboard and stands still in a script unless moved."""

    def __init__(self, zone: ZoneInfo, *, ticking: bool) -> None:
        """Start from the real time; a script's clock only moves when told, so a replay prints the same."""
        self.zone = zone
        self._travel = time_machine.travel(datetime.now(UTC), tick=ticking)
        self._traveller: time_machine.Traveller | None = None

    def __enter__(self) -> ShellClock:
        """Take over the process's time."""
        self._traveller = self._travel.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Give the process its real time back."""
        self._travel.stop()
        self._traveller = None

    def now(self) -> datetime:
        """The shop's wall time on this clock."""
        return datetime.now(self.zone)

    def shown(self) -> str:
        """`Mon 2026-11-23 09:00`: what the shell prints after moving the clock."""
        return self.now().strftime("%a %Y-%m-%d %H:%M")

    def set(self, when: datetime) -> None:
        """Put the clock at `when` without running anything (the bot is down, or the clock goes back)."""
        assert self._traveller is not None, "the clock is used inside its `with` block"
        self._traveller.move_to(when.astimezone(UTC))  # a UTC destination leaves the process's TZ alone

    async def advance(self, bot: RunningBot, target: datetime) -> None:
        """Move on to `target`, stopping at each timer due on the way and waiting until the bot is idle."""
        await bot.idle()
        while (due := bot.next_timer()) is not None and due <= target:
            if due > self.now():
                self.set(due)
            bot.wake()
            await bot.idle()
        self.set(target)
        bot.wake()
        await bot.idle()
