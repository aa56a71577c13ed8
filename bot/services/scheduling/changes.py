"""Which schedules changed while a person's action or a posting ran, so one place can arm their timers.

Every write of a schedule goes through bot/services/scheduling (create, set_state, retime) and is noted
here; the gate (for people's actions) and the engine (for postings that change schedules) arm what was noted
once the work is done. Nothing else keeps the JobQueue in step with the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from bot.models import Schedule

_changed: ContextVar[dict[int, Schedule] | None] = ContextVar("changed_schedules", default=None)


def note(schedule: Schedule) -> Schedule:
    """Remember a schedule that was just written (outside a collection this does nothing)."""
    changed = _changed.get()
    if changed is not None:
        changed[schedule.id] = schedule
    return schedule


@contextmanager
def collecting() -> Iterator[list[Schedule]]:
    """Collect the schedules written inside the block; the list is filled when the block ends."""
    found: list[Schedule] = []
    token = _changed.set({})
    try:
        yield found
    finally:
        changed = _changed.get() or {}
        _changed.reset(token)
        found.extend(changed.values())
