"""Dates, ranges, shift hours and seasons as people type them to rosters (read by the one grammar in
bot/services/when), and handover tags: properties checked with hypothesis."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.errors import UserError
from bot.services.shifts import handover
from bot.services.when import (
    hhmm,
    in_season,
    month_day,
    overlaps,
    read_day,
    read_days,
    read_hours,
)
from bot.services.when import messages as msg
from bot.services.when.days import MAX_DAYS

TODAY = date(2026, 11, 23)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
minutes = st.integers(min_value=0, max_value=24 * 60)
spans = st.tuples(minutes, minutes).filter(lambda pair: pair[0] < pair[1])
month_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2000, 12, 31)).map(
    lambda d: d.strftime("%m-%d")
)


@given(days, st.integers(min_value=0, max_value=MAX_DAYS - 1))
def test_a_range_is_every_day_from_first_to_last(first: date, length: int) -> None:
    last = first + timedelta(days=length)
    assert read_days(f"{first}..{last}", TODAY) == [first + timedelta(days=i) for i in range(length + 1)]
    assert read_days(f"{first}至{last}", TODAY) == read_days(f"{first}~{last}", TODAY)


@given(days, st.integers(min_value=1, max_value=400))
def test_a_range_running_backwards_is_refused(last: date, back: int) -> None:
    with pytest.raises(UserError) as caught:
        read_days(f"{last}..{last - timedelta(days=back)}", TODAY)
    assert caught.value.message == msg.BACKWARDS


@given(st.lists(days, min_size=1, max_size=10))
def test_a_list_is_its_distinct_dates_in_order(chosen: list[date]) -> None:
    assert read_days(",".join(map(str, chosen)), TODAY) == sorted(set(chosen))


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2034, 12, 31)))
def test_a_date_without_year_is_the_nearest_one(today: date) -> None:
    for offset in (-150, -1, 0, 1, 150):
        wanted = today + timedelta(days=offset)
        if (wanted.month, wanted.day) == (2, 29):
            continue
        assert read_day(f"{wanted.month:02d}-{wanted.day:02d}", today) == wanted
        assert read_day(f"{wanted.month}月{wanted.day}日", today) == wanted


@pytest.mark.parametrize("text", ["2026-02-30", "13-01", "tomorow", "", "2026-12-01..", "1..2..3"])
def test_things_that_are_not_dates(text: str) -> None:
    with pytest.raises(UserError):
        read_days(text, TODAY)


@given(spans)
def test_hours_round_trip(pair: tuple[int, int]) -> None:
    assert read_hours(f"{hhmm(pair[0])}-{hhmm(pair[1])}") == pair
    assert read_hours(f"{hhmm(pair[0])}到{hhmm(pair[1])}") == pair


@pytest.mark.parametrize(
    ("text", "hours"), [("9点-18点半", (540, 1110)), ("19:00~24:00", (1140, 1440)), ("9-18", (540, 1080))]
)
def test_hours_as_typed(text: str, hours: tuple[int, int]) -> None:
    assert read_hours(text) == hours


@pytest.mark.parametrize(
    "text", ["18:00-09:00", "09:00-09:00", "09:00-24:30", "25:00-26:00", "9:60-10:00", "9"]
)
def test_bad_hours(text: str) -> None:
    with pytest.raises(UserError):
        read_hours(text)


@given(spans, spans)
def test_overlap_is_sharing_a_minute(one: tuple[int, int], other: tuple[int, int]) -> None:
    shared = set(range(*one)) & set(range(*other))
    assert overlaps(one, other) == bool(shared) == overlaps(other, one)


@given(days, month_days, month_days)
def test_seasons_flip_exactly_at_their_boundaries(day: date, first: str, last: str) -> None:
    inside = in_season(day, first, last)
    start, end = month_day(first), month_day(last)
    here = (day.month, day.day)
    if start <= end:
        assert inside == (start <= here <= end)
    else:  # the season wraps the new year
        assert inside == (here >= start or here <= end)
    assert in_season(date(day.year, *start) if start != (2, 29) else date(2000, 2, 29), first, last)


def test_summer_from_may_to_september() -> None:
    assert not in_season(date(2026, 4, 30), "05-01", "09-30")
    assert in_season(date(2026, 5, 1), "05-01", "09-30")
    assert in_season(date(2026, 9, 30), "05-01", "09-30")
    assert not in_season(date(2026, 10, 1), "05-01", "09-30")


@pytest.mark.parametrize(
    ("body", "draft"),
    [
        ("#urgent call back", handover.Draft("call back", urgent=True)),
        ("#call tb_lee about the refund", handover.Draft("about the refund", call_buyer="tb_lee")),
        ("#回电：tb_wang 退款", handover.Draft("退款", call_buyer="tb_wang")),
        ("#仓库 少发一件", handover.Draft("少发一件", warehouse=True)),
        ("#urgently typed words", handover.Draft("#urgently typed words")),
        ("#WAREHOUSE resend", handover.Draft("resend", warehouse=True)),
    ],
)
def test_handover_tags(body: str, draft: handover.Draft) -> None:
    assert handover.parse(body) == draft
