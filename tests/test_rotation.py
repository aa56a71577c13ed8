"""The generic rotation and what people type to /rotation: pure functions, no database.

Property tests check the promises the review groups rely on, for any members, groups, period, start date,
handoff time and zone (DST zones included): a full cycle is fair, nobody is ever in two groups, overrides win,
the same inputs give the same answer, and handoffs land on the team's wall clock.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.errors import UserError
from bot.services.rotations import engine as rota
from bot.services.rotations import words
from bot.services.rotations.engine import Override, Period, RotationRule
from bot.services.when import read_clock, read_month, read_range, read_span

PROPERTY = settings(deadline=None, max_examples=200)
ZONES = [
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "UTC",
]
BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 23)

periods = st.builds(Period, st.integers(1, 3), st.sampled_from([rota.MONTHS, rota.WEEKS])) | st.builds(
    Period, st.integers(1, 60), st.just(rota.DAYS)
)
starts = st.dates(date(2020, 1, 1), date(2030, 12, 31))
walls = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
instants = st.datetimes(datetime(2019, 1, 1), datetime(2035, 1, 1), timezones=st.just(UTC))


@st.composite
def rules(draw: st.DrawFn, with_overrides: bool = False) -> RotationRule:
    """Any rotation: 1–12 members over 1–6 groups, any period, start, time and zone, some skipped days."""
    members = tuple(draw(st.lists(st.integers(1, 50), min_size=1, max_size=12, unique=True)))
    groups = tuple(str(n) for n in range(1, draw(st.integers(1, 6)) + 1))
    start = draw(starts)
    skips = draw(st.frozensets(st.dates(start, start + timedelta(days=400)), max_size=8))
    overrides: tuple[Override, ...] = ()
    if with_overrides:
        people = st.sampled_from([*members, 98, 99])
        pairs = draw(st.lists(st.tuples(people, people, starts, st.integers(0, 90)), max_size=5))
        overrides = tuple(
            Override(a, b, first, first + timedelta(days=n)) for a, b, first, n in pairs if a != b
        )
    return RotationRule(
        members, groups, draw(periods), start, draw(walls), draw(st.sampled_from(ZONES)), overrides, skips
    )


def where(groups: dict[str, list[int]]) -> Counter[int]:
    """How many groups each person is in."""
    return Counter(member for members in groups.values() for member in members)


@PROPERTY
@given(rule=rules(), k=st.integers(0, 200))
def test_a_full_cycle_puts_everyone_in_every_group_once(rule: RotationRule, k: int) -> None:
    rule = dataclasses.replace(rule, skips=frozenset())  # skips may merge two handoffs into one
    served: Counter[tuple[int, str]] = Counter()
    for period in range(k, k + len(rule.groups)):
        for group, members in rota.assignment(rule, rota.handoff(rule, period)).items():
            served.update((member, group) for member in members)
    assert served == Counter({(member, group): 1 for member in rule.members for group in rule.groups})


@PROPERTY
@given(rule=rules(), k=st.integers(0, 200))
def test_base_cycle_is_fair_and_groups_are_balanced(rule: RotationRule, k: int) -> None:
    served: Counter[tuple[int, str]] = Counter()
    for period in range(k, k + len(rule.groups)):
        groups = rota.base_assignment(rule, period)
        sizes = [len(members) for members in groups.values()]
        assert max(sizes) - min(sizes) <= 1
        served.update((member, group) for group, members in groups.items() for member in members)
    assert served == Counter({(member, group): 1 for member in rule.members for group in rule.groups})


@PROPERTY
@given(rule=rules(with_overrides=True), at=instants)
def test_nobody_is_ever_in_two_groups(rule: RotationRule, at: datetime) -> None:
    assert all(count == 1 for count in where(rota.assignment(rule, at)).values())


@PROPERTY
@given(rule=rules(), at=instants, data=st.data())
def test_an_override_wins(rule: RotationRule, at: datetime, data: st.DataObject) -> None:
    day = at.astimezone(rule.tz).date()
    absent = data.draw(st.sampled_from(rule.members))
    substitute = data.draw(st.sampled_from([m for m in (*rule.members, 99) if m != absent]))
    before = rota.assignment(rule, at)
    home = next(group for group, members in before.items() if absent in members)
    covered = dataclasses.replace(
        rule, overrides=(Override(substitute, absent, day - timedelta(days=1), day),)
    )
    after = rota.assignment(covered, at)
    assert substitute in after[home] and absent not in where(after)
    assert rota.group_of(covered, substitute, at) == home and rota.group_of(covered, absent, at) is None
    tomorrow = at + timedelta(days=1)
    assert rota.assignment(covered, tomorrow) == rota.assignment(rule, tomorrow)


@PROPERTY
@given(rule=rules(with_overrides=True), at=instants)
def test_same_inputs_same_answer_even_after_storage(rule: RotationRule, at: datetime) -> None:
    stored = rota.from_json(json.loads(json.dumps(rota.to_json(rule))))
    assert stored == rule
    assert rota.assignment(stored, at) == rota.assignment(rule, at) == rota.assignment(rule, at)


@PROPERTY
@given(rule=rules(), k=st.integers(0, 120))
def test_handoffs_land_on_the_wall_clock_in_any_zone(rule: RotationRule, k: int) -> None:
    moment = rota.handoff(rule, k)
    local = moment.astimezone(rule.tz)
    day = rota.handoff_day(rule, k)
    assert day not in rule.skips and day >= rule.period.boundary(rule.start, k)
    exists = datetime.combine(day, rule.at, tzinfo=rule.tz).astimezone(UTC).astimezone(rule.tz)
    if exists.replace(tzinfo=None) == datetime.combine(day, rule.at):
        assert (local.date(), local.time()) == (day, rule.at)
    else:  # a DST gap swallowed the wall time: the handoff comes right after the gap, the same day
        assert local.date() == day and local.time() > rule.at
    assert rota.handoff(rule, k + 1) >= moment
    _, following = rota.next_handoff(rule, moment - timedelta(seconds=1))
    assert following == moment and rota.period_index(rule, moment) >= k


@PROPERTY
@given(rule=rules(), at=instants)
def test_period_index_and_next_handoff_agree(rule: RotationRule, at: datetime) -> None:
    k = rota.period_index(rule, at)
    index, following = rota.next_handoff(rule, at)
    assert following > at
    assert index > k or (index == k == 0 and at < rota.handoff(rule, 0))
    assert k == 0 or rota.handoff(rule, k) <= at < rota.handoff(rule, k + 1)


def test_berlin_handoffs_across_both_dst_changes() -> None:
    rule = RotationRule(
        (1, 2), ("1", "2"), Period(1, rota.DAYS), date(2026, 3, 28), time(2, 30), "Europe/Berlin"
    )
    spring = rota.handoff(rule, 1).astimezone(BERLIN)  # 2026-03-29 02:30 does not exist
    assert spring.strftime("%Y-%m-%d %H:%M%z") == "2026-03-29 03:30+0200"
    autumn = RotationRule(
        (1,), ("1",), Period(1, rota.MONTHS), date(2026, 9, 25), time(2, 30), "Europe/Berlin"
    )
    twice = rota.handoff(autumn, 1).astimezone(BERLIN)  # 2026-10-25 02:30 happens twice: the first one
    assert twice.strftime("%Y-%m-%d %H:%M%z") == "2026-10-25 02:30+0200"


def test_months_keep_the_day_clamped_to_the_month() -> None:
    rule = RotationRule((1,), ("1",), Period(1, rota.MONTHS), date(2027, 1, 31), time(9), "Asia/Shanghai")
    assert [rota.handoff_day(rule, k) for k in range(4)] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]


def test_review_groups_example() -> None:
    rule = RotationRule(
        (1, 2, 3, 4, 5),
        ("1", "2", "3", "4"),
        Period(1, rota.MONTHS),
        date(2026, 12, 1),
        time(9),
        "Asia/Shanghai",
    )
    assert rota.assignment(rule, datetime(2026, 12, 1, 1, 0, tzinfo=UTC)) == {
        "1": [1, 5],
        "2": [2],
        "3": [3],
        "4": [4],
    }
    assert rota.assignment(rule, datetime(2027, 1, 1, 0, 59, tzinfo=UTC))["1"] == [1, 5]  # 08:59 local
    assert rota.assignment(rule, datetime(2027, 1, 1, 1, 0, tzinfo=UTC)) == {
        "1": [4],
        "2": [1, 5],
        "3": [2],
        "4": [3],
    }


def test_a_skipped_date_moves_the_handoff_to_the_next_day() -> None:
    rule = RotationRule(
        (1, 2),
        ("1", "2"),
        Period(1, rota.MONTHS),
        date(2026, 12, 1),
        time(9),
        "Asia/Shanghai",
        skips=frozenset({date(2027, 1, 1), date(2027, 1, 2)}),
    )
    assert rota.handoff_day(rule, 1) == date(2027, 1, 3)
    assert rota.group_of(rule, 1, datetime(2027, 1, 2, 12, tzinfo=UTC)) == "1"
    assert rota.group_of(rule, 1, datetime(2027, 1, 3, 1, tzinfo=UTC)) == "2"


@pytest.mark.parametrize(
    "bad",
    [
        {"members": (), "groups": ("1",)},
        {"members": (1, 1), "groups": ("1",)},
        {"members": (1,), "groups": ()},
    ],
)
def test_a_rule_without_members_or_groups_cannot_exist(bad: dict[str, tuple[object, ...]]) -> None:
    with pytest.raises(ValueError):
        RotationRule(bad["members"], bad["groups"], Period(1, "m"), TODAY, time(9), "UTC")  # type: ignore[arg-type]


def test_overrides_refuse_oneself_and_backwards_ranges() -> None:
    with pytest.raises(ValueError):
        Override(1, 1, TODAY, TODAY)
    with pytest.raises(ValueError):
        Override(1, 2, TODAY, TODAY - timedelta(days=1))


# ---------------------------------------------------------------------------------------- what people type


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("1m", "1m"),
        ("2M", "2m"),
        ("6w", "6w"),
        ("６周", "6w"),
        ("1个月", "1m"),
        ("2月", "2m"),
        ("10天", "10d"),
    ],
)
def test_periods_in_english_and_chinese(typed: str, code: str) -> None:
    assert read_span(typed).code == code


@pytest.mark.parametrize("typed", ["0m", "1y", "m", "25m", "six weeks"])
def test_bad_periods_are_refused(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        read_span(typed)
    assert "is not a period" in caught.value.message


@pytest.mark.parametrize(
    ("typed", "wall"), [("09:00", time(9)), ("9:30", time(9, 30)), ("9点", time(9)), ("9点半", time(9, 30))]
)
def test_handoff_times(typed: str, wall: time) -> None:
    assert read_clock(typed) == wall


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("2026-12-10..2026-12-20", date(2026, 12, 10), date(2026, 12, 20)),
        ("12-10..12-20", date(2026, 12, 10), date(2026, 12, 20)),
        ("12月30日到1月3日", date(2026, 12, 30), date(2027, 1, 3)),
        ("12-10", date(2026, 12, 10), date(2026, 12, 10)),
    ],
)
def test_date_ranges(typed: str, first: date, last: date) -> None:
    assert read_range(typed, TODAY) == (first, last)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("2026-12-20..2026-12-10", "runs backwards"),
        ("12-20..12-10", "runs backwards"),
        ("12-10..", "is not a date range"),
        ("soon..later", "is not a date"),
        ("2026-02-30", "is not a date"),
    ],
)
def test_bad_ranges_say_why(typed: str, problem: str) -> None:
    with pytest.raises(UserError) as caught:
        read_range(typed, TODAY)
    assert problem in caught.value.message


@pytest.mark.parametrize(
    ("typed", "month"),
    [(None, (2026, 11)), ("2026-10", (2026, 10)), ("12", (2025, 12)), ("11月", (2026, 11))],
)
def test_months(typed: str | None, month: tuple[int, int]) -> None:
    assert read_month(typed, TODAY) == month


def test_actions_in_chinese() -> None:
    assert [words.action(w) for w in ("显示", "下次", "代班", "成员", "周期", "轮换", "SHOW", "x")] == [
        "show",
        "next",
        "override",
        "members",
        "period",
        "show",
        "show",
        None,
    ]
