"""The schedules service on SQLite and PostgreSQL: each posting is claimed once, heads-ups come before their
alarm, one-offs finish, missed postings are recorded, pause/resume/delete, ownership, Done once, escalation
candidates, snooze, the audit trail, and next fire times that are always ahead."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import AuditEntry, Occurrence, Schedule
from bot.services.errors import UserError
from bot.services.scheduling import schedules
from bot.services.when import CHINA, Interval, Once, Reading, Rule, from_json, next_after, to_json
from bot.services.when.rules import gap_minutes as repeat_gap
from tests.test_when_alarms import RULES, Weekly, zone_and_instant

ALICE, BOB = 101, 102
TEAM, SUPERVISORS = -1001001, -1001002
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
"""Monday 2026-11-23, 10:00 in Shanghai."""


def local(hour: int, minute: int = 0, day: int = 23) -> datetime:
    """A Shanghai wall time on a November 2026 day, as the UTC instant the service stores."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


async def make(
    rule: Rule,
    *,
    text: str = "上架",
    lead: int | None = None,
    chat: int = TEAM,
    owner: int = ALICE,
    escalate: int | None = None,
    now: datetime = NOW,
    kind: str = "shelf",
) -> Schedule:
    """Store a schedule the way /shelf does."""
    parsed = Reading(rule, text, timedelta(minutes=lead) if lead else None)
    return await schedules.create(
        kind=kind,
        chat_id=chat,
        owner_id=owner,
        parsed=parsed,
        zone=SHANGHAI,
        now=now,
        escalate_minutes=escalate,
    )


async def reloaded(schedule: Schedule) -> Schedule:
    """The schedule as stored, not as the object in hand says."""
    return await Schedule.get(id=schedule.id)


async def posted(schedule: Schedule, kind: str = schedules.ALARM) -> Occurrence:
    """Claim the schedule's due posting and record it sent, as the engine does when Telegram accepts it."""
    assert schedule.next_due_at is not None
    occurrence = await schedules.claim(schedule, schedule.next_due_at, kind)
    assert occurrence is not None
    await schedules.mark_sent(occurrence, 7, schedule.next_due_at)
    return occurrence


# ------------------------------------------------------------------------------------------- claiming


@pytest.mark.usefixtures("database")
async def test_a_posting_is_claimed_once() -> None:
    schedule = await make(Once(local(10, 30)))
    due = local(10, 30)
    first = await schedules.claim(schedule, due, schedules.ALARM)
    assert first is not None and first.state == schedules.SENDING and first.chat_id == TEAM
    again = await schedules.claim(schedule, due, schedules.ALARM)
    assert again is not None and again.id == first.id  # still "sending": a restart finishes it
    await schedules.mark_sent(first, 42, due)
    assert await schedules.claim(schedule, due, schedules.ALARM) is None
    assert await schedules.claim(schedule, due, schedules.ALARM) is None
    stored = await Occurrence.get(id=first.id)
    assert (stored.state, stored.message_id) == (schedules.SENT, 42)
    assert await Occurrence.filter(schedule_id=schedule.id).count() == 1


@pytest.mark.usefixtures("database")
async def test_claims_are_per_due_time_and_kind() -> None:
    schedule = await make(Interval(30))
    alarm = await schedules.claim(schedule, local(10, 30), schedules.ALARM)
    escalation = await schedules.claim(schedule, local(10, 30), schedules.ESCALATION)
    following = await schedules.claim(schedule, local(11), schedules.ALARM)
    assert alarm is not None and escalation is not None and following is not None
    assert len({alarm.id, escalation.id, following.id}) == 3


@pytest.mark.usefixtures("database")
async def test_an_interrupted_posting_is_listed_as_unfinished_until_sent() -> None:
    schedule = await make(Once(local(10, 30)))
    occurrence = await schedules.claim(schedule, local(10, 30), schedules.ALARM)
    assert occurrence is not None
    unfinished = await schedules.unfinished()
    assert [o.id for o in unfinished] == [occurrence.id] and unfinished[0].schedule.id == schedule.id
    await schedules.mark_sent(occurrence, 1, NOW)
    assert await schedules.unfinished() == []


# ---------------------------------------------------------------------------------- heads-up and advance


@pytest.mark.usefixtures("database")
async def test_a_heads_up_comes_before_each_alarm() -> None:
    schedule = await make(Interval(30), lead=5)
    assert (schedule.next_due_at, schedule.next_kind) == (local(10, 25), schedules.LEAD)
    await schedules.advance(schedule, local(10, 25))
    stored = await reloaded(schedule)
    assert (stored.next_due_at, stored.next_kind) == (local(10, 30), schedules.ALARM)
    await schedules.advance(schedule, local(10, 30))
    stored = await reloaded(schedule)
    assert (stored.next_due_at, stored.next_kind) == (local(10, 55), schedules.LEAD)


def test_no_heads_up_in_the_past() -> None:
    schedule = Schedule(
        rule=to_json(Interval(30)), timezone=SHANGHAI.key, lead_minutes=5, text="x", chat_id=TEAM
    )
    assert schedules.next_event(schedule, local(10, 27), CHINA) == (local(10, 30), schedules.ALARM)
    assert schedules.next_event(schedule, local(10, 25), CHINA) == (local(10, 30), schedules.ALARM)
    assert schedules.next_event(schedule, local(10, 24), CHINA) == (local(10, 25), schedules.LEAD)


@pytest.mark.usefixtures("database")
async def test_a_one_off_is_done_after_it_fired() -> None:
    schedule = await make(Once(local(10, 30)), lead=10)
    assert (schedule.next_due_at, schedule.next_kind) == (local(10, 20), schedules.LEAD)
    await schedules.advance(schedule, local(10, 20))
    assert (schedule.next_due_at, schedule.next_kind) == (local(10, 30), schedules.ALARM)
    assert [s.id for s in await schedules.due(local(10, 30))] == [schedule.id]
    await schedules.advance(schedule, local(10, 30))
    stored = await reloaded(schedule)
    assert (stored.state, stored.next_due_at, stored.next_kind) == (schedules.DONE, None, None)
    assert await schedules.active() == []
    assert await schedules.due(local(23)) == []


@pytest.mark.usefixtures("database")
async def test_a_time_already_passed_is_refused() -> None:
    with pytest.raises(UserError, match="already passed"):
        await make(Once(NOW - timedelta(minutes=1)))
    assert await Schedule.all().count() == 0
    assert await AuditEntry.filter(action="schedule.create").count() == 0


@pytest.mark.usefixtures("database")
async def test_a_missed_alarm_is_recorded_and_skipped() -> None:
    schedule = await make(Interval(30, time(9), time(18)))
    assert schedule.next_due_at == local(10, 30)
    assert await schedules.skip_missed_one(schedule) == [local(10, 30)]
    stored = await reloaded(schedule)
    assert (stored.state, stored.next_due_at, stored.next_kind) == (schedules.ACTIVE, local(11), "alarm")
    [missed] = await schedules.history(schedule)
    assert (missed.due_at, missed.kind, missed.state) == (local(10, 30), schedules.ALARM, schedules.MISSED)
    assert await schedules.awaiting_escalation() == []


@pytest.mark.usefixtures("database")
async def test_a_missed_heads_up_is_skipped_silently() -> None:
    schedule = await make(Interval(30), lead=5)
    assert schedule.next_kind == schedules.LEAD
    assert await schedules.skip_missed_one(schedule) == []
    assert (schedule.next_due_at, schedule.next_kind) == (local(10, 30), schedules.ALARM)
    assert await Occurrence.filter(schedule_id=schedule.id).count() == 0


@pytest.mark.usefixtures("database")
async def test_a_missed_one_off_is_done() -> None:
    schedule = await make(Once(local(10, 30)))
    assert await schedules.skip_missed_one(schedule) == [local(10, 30)]
    stored = await reloaded(schedule)
    assert (stored.state, stored.next_due_at) == (schedules.DONE, None)


@pytest.mark.usefixtures("database")
async def test_skipping_a_posting_already_sent_keeps_it_sent() -> None:
    schedule = await make(Interval(30))
    sent = await posted(schedule)
    await schedules.skip_missed_one(schedule)
    assert (await Occurrence.get(id=sent.id)).state == schedules.SENT
    assert await Occurrence.filter(schedule_id=schedule.id).count() == 1


# ----------------------------------------------------------------------------------- pause, resume, delete


@pytest.mark.usefixtures("database")
async def test_pause_and_resume_start_after_now() -> None:
    schedule = await make(Interval(30))
    await schedules.set_state(schedule, schedules.PAUSED, actor_id=BOB, now=NOW)
    stored = await reloaded(schedule)
    assert stored.state == schedules.PAUSED
    assert await schedules.active() == [] and await schedules.due(local(23)) == []
    assert [s.id for s in await schedules.of_chat(TEAM, {"shelf"})] == [schedule.id]
    later = local(12, 10)
    await schedules.set_state(schedule, schedules.ACTIVE, actor_id=BOB, now=later)
    stored = await reloaded(schedule)
    assert (stored.state, stored.next_due_at, stored.next_kind) == (schedules.ACTIVE, local(12, 30), "alarm")
    assert await schedules.due(later) == []  # nothing from the paused hours is owed


@pytest.mark.usefixtures("database")
async def test_resuming_a_one_off_whose_time_passed_makes_it_done() -> None:
    schedule = await make(Once(local(10, 30)))
    await schedules.set_state(schedule, schedules.PAUSED, actor_id=ALICE, now=NOW)
    await schedules.set_state(schedule, schedules.ACTIVE, actor_id=ALICE, now=local(11))
    stored = await reloaded(schedule)
    assert (stored.state, stored.next_due_at) == (schedules.DONE, None)


@pytest.mark.usefixtures("database")
async def test_a_deleted_alarm_is_gone_from_the_chat() -> None:
    schedule = await make(Interval(30))
    await schedules.set_state(schedule, schedules.DELETED, actor_id=ALICE, now=NOW)
    assert (await reloaded(schedule)).state == schedules.DELETED
    assert await schedules.of_chat(TEAM, {"shelf"}) == []
    assert await schedules.active() == [] and await schedules.due(local(23)) == []
    with pytest.raises(UserError) as caught:
        await schedules.owned(schedule.id, TEAM, {"shelf"})
    assert caught.value.message == "There is no alarm {value}."
    assert caught.value.params == {"value": schedule.id}


@pytest.mark.usefixtures("database")
async def test_owned_refuses_another_chats_alarm_and_unknown_ids() -> None:
    schedule = await make(Interval(30), chat=SUPERVISORS)
    assert (await schedules.owned(schedule.id, SUPERVISORS, {"shelf"})).id == schedule.id
    with pytest.raises(UserError) as other:
        await schedules.owned(schedule.id, TEAM, {"shelf"})
    assert other.value.message == "Alarm {value} belongs to another chat."
    with pytest.raises(UserError) as unknown:
        await schedules.owned(schedule.id + 99, TEAM, {"shelf"})
    assert unknown.value.message == "There is no alarm {value}."
    assert unknown.value.params == {"value": schedule.id + 99}


@pytest.mark.usefixtures("database")
async def test_of_chat_lists_only_that_chat_soonest_first() -> None:
    later = await make(Once(local(15)))
    sooner = await make(Once(local(11)))
    await make(Once(local(12)), chat=SUPERVISORS)
    assert [s.id for s in await schedules.of_chat(TEAM, {"shelf"})] == [sooner.id, later.id]


@pytest.mark.usefixtures("database")
async def test_schedules_of_other_kinds_are_neither_listed_nor_handed_out() -> None:
    digest = await make(Interval(180), kind="digest")
    assert await schedules.of_chat(TEAM, {"shelf"}) == []
    with pytest.raises(UserError) as caught:
        await schedules.owned(digest.id, TEAM, {"shelf"})
    assert caught.value.message == "There is no alarm {value}."


# ------------------------------------------------------------------------------------ Done and escalation


@pytest.mark.usefixtures("database")
async def test_done_is_recorded_once() -> None:
    schedule = await make(Once(local(10, 30)), escalate=10)
    occurrence = await posted(schedule)
    done = await schedules.acknowledge(occurrence.id, BOB, local(10, 32))
    assert done is not None and done.acked_by == BOB and done.acked_at == local(10, 32)
    assert done.schedule.id == schedule.id and done.schedule.text == "上架"
    assert await schedules.acknowledge(occurrence.id, ALICE, local(10, 33)) is None
    stored = await Occurrence.get(id=occurrence.id)
    assert (stored.acked_by, stored.acked_at) == (BOB, local(10, 32))
    assert await schedules.acknowledge(occurrence.id + 99, ALICE, NOW) is None


@pytest.mark.usefixtures("database")
async def test_only_posted_unanswered_escalating_alarms_await_escalation() -> None:
    waiting = await posted(await make(Once(local(10, 30)), text="waiting", escalate=10))
    answered = await posted(await make(Once(local(10, 30)), text="answered", escalate=10))
    await schedules.acknowledge(answered.id, BOB, local(10, 31))
    await posted(await make(Once(local(10, 30)), text="never escalates"))
    sending = await make(Once(local(10, 30)), text="still sending", escalate=10)
    assert await schedules.claim(sending, local(10, 30), schedules.ALARM) is not None
    escalated = await make(Once(local(10, 30)), text="escalated", escalate=10)
    await posted(escalated)
    assert await schedules.claim(escalated, local(10, 30), schedules.ESCALATION) is not None
    heads_up = await make(Interval(30), text="heads-up", lead=5, escalate=10)
    await posted(heads_up, schedules.LEAD)
    failed = await make(Once(local(10, 30)), text="failed", escalate=10)
    claimed = await schedules.claim(failed, local(10, 30), schedules.ALARM)
    assert claimed is not None
    await schedules.mark_failed(claimed)
    missed = await make(Once(local(10, 30)), text="missed", escalate=10)
    await schedules.skip_missed_one(missed)

    found = await schedules.awaiting_escalation()
    assert [o.id for o in found] == [waiting.id]
    assert found[0].schedule.text == "waiting" and found[0].schedule.escalate_minutes == 10


@pytest.mark.usefixtures("database")
async def test_snooze_is_a_one_off_minutes_ahead() -> None:
    schedule = await make(Interval(30), text="改价", escalate=15)
    pressed = local(10, 31)
    snooze = await schedules.snooze(schedule, 5, actor_id=BOB, now=pressed)
    stored = await reloaded(snooze)
    assert stored.id != schedule.id and stored.kind == "snooze" and stored.ref == f"alarm:{schedule.id}"
    assert (stored.chat_id, stored.owner_id, stored.text) == (TEAM, BOB, "改价")
    assert (stored.next_due_at, stored.next_kind, stored.state) == (local(10, 36), "alarm", schedules.ACTIVE)
    assert stored.escalate_minutes == 15 and stored.lead_minutes is None
    assert from_json(stored.rule) == Once(local(10, 36))
    assert (await reloaded(schedule)).next_due_at == local(10, 30)  # the original goes on as before
    await schedules.advance(snooze, local(10, 36))
    assert (await reloaded(snooze)).state == schedules.DONE


# ------------------------------------------------------------------------------------------------ audit


@pytest.mark.usefixtures("database")
async def test_creating_and_changing_state_are_audited() -> None:
    schedule = await make(Interval(30), text="巡店")
    await schedules.set_state(schedule, schedules.PAUSED, actor_id=BOB, now=NOW)
    await schedules.set_state(schedule, schedules.ACTIVE, actor_id=ALICE, now=local(11))
    await schedules.set_state(schedule, schedules.DELETED, actor_id=BOB, now=local(12))
    entries = await AuditEntry.filter(target=f"alarm:{schedule.id}").order_by("id")
    assert [(e.action, e.actor_id, e.chat_id, e.before, e.after) for e in entries] == [
        ("schedule.create", ALICE, TEAM, None, {"rule": to_json(Interval(30)), "text": "巡店", "number": 1}),
        ("schedule.state", BOB, TEAM, {"state": "active"}, {"state": "paused"}),
        ("schedule.state", ALICE, TEAM, {"state": "paused"}, {"state": "active"}),
        ("schedule.state", BOB, TEAM, {"state": "active"}, {"state": "deleted"}),
    ]


@pytest.mark.usefixtures("database")
async def test_a_snooze_is_audited_as_the_presser() -> None:
    schedule = await make(Interval(30))
    snooze = await schedules.snooze(schedule, 15, actor_id=BOB, now=NOW)
    [entry] = await AuditEntry.filter(target=f"alarm:{snooze.id}")
    assert (entry.action, entry.actor_id, entry.chat_id) == ("schedule.create", BOB, TEAM)


# ----------------------------------------------------------------------------------- next fire is ahead

EXAMPLES: list[tuple[Rule, int | None]] = [
    (Once(local(10, 30)), None),
    (Once(local(10, 30)), 29),
    (Interval(1), None),
    (Interval(30), 5),
    (Interval(1440), 60),
    (Interval(45, time(9), time(18)), 10),
    (Interval(30, time(0), time(4)), None),
    (Weekly(time(10), frozenset(range(7))), 5),
    (Weekly(time(9, 30), frozenset({0, 2, 4})), 60),
    (Weekly(time(20), frozenset({6})), None),
]


@pytest.mark.usefixtures("database")
async def test_a_stored_schedule_always_moves_forward() -> None:
    for rule, lead in EXAMPLES:
        schedule = await make(rule, lead=lead)
        moment = NOW
        for _ in range(6):
            stored = await reloaded(schedule)
            if stored.state == schedules.DONE:
                break
            assert stored.next_due_at is not None and stored.next_due_at > moment, rule
            assert stored.next_kind in (schedules.ALARM, schedules.LEAD)
            moment = stored.next_due_at
            await schedules.advance(stored, moment)
        final = await reloaded(schedule)
        assert final.state == (schedules.DONE if isinstance(rule, Once) else schedules.ACTIVE), rule


def gap_minutes(rule: Rule) -> int:
    """The shortest time between two alarms, so a heads-up is always shorter (as the parser insists)."""
    return 366 * 24 * 60 if isinstance(rule, Once) else repeat_gap(rule)


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(rule=RULES, where=zone_and_instant(), lead_fraction=st.one_of(st.none(), st.floats(0, 1)))
def test_the_next_posting_is_always_after_now(
    rule: Rule, where: tuple[ZoneInfo, datetime], lead_fraction: float | None
) -> None:
    zone, now = where
    lead = None if lead_fraction is None else 1 + int(lead_fraction * (gap_minutes(rule) - 2))
    schedule = Schedule(rule=to_json(rule), timezone=zone.key, lead_minutes=lead, text="x", chat_id=TEAM)
    event = schedules.next_event(schedule, now, CHINA)
    alarm = next_after(rule, now, zone)
    if event is None:
        assert alarm is None
        return
    when, kind = event
    assert when > now and when.utcoffset() == timedelta(0)
    assert alarm is not None
    if kind == schedules.LEAD:
        assert lead is not None and when == alarm - timedelta(minutes=lead)
    else:
        assert kind == schedules.ALARM and when == alarm
    following = schedules.next_event(schedule, when, CHINA)  # what advance() stores after posting this one
    assert following is None or following[0] > when
