"""Reading a schedule (`/shelf 每30分钟 9点到18点 换链接`): the pieces in any order, then one rule, the
alarm text and whatever makes the reading worth confirming before it is saved.

Nothing is read silently wrong: words after the time that look like a time, an hour that could be morning
or evening, 每隔两周 (every 2 or 3 weeks?) all come back as concerns with the other readings, so the bot can
ask with buttons instead of saving.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.clean import clean
from bot.services.errors import UserError
from bot.services.when import messages as msg
from bot.services.when.calendar import CHINA, ShopCalendar
from bot.services.when.fires import shifted, utc
from bot.services.when.rules import (
    EVERY_DAY,
    Days,
    EveryWeeks,
    Interval,
    Once,
    Recurring,
    Rule,
    gap_minutes,
    monday_of,
)
from bot.services.when.text import fold
from bot.services.when.words import (
    CONNECTOR,
    EARLY_HOURS,
    EN_CONNECTOR,
    ClockPiece,
    Concern,
    DayPiece,
    DaysPiece,
    DelayPiece,
    EveryPiece,
    PartPiece,
    Piece,
    Source,
    WindowPiece,
    cant_read,
    clock_at,
    coming,
    date_at,
    days_at,
    delay_at,
    duration_at,
    every_at,
    hour_in_part,
    part_at,
    relative_day_at,
    source,
    weekday_at,
    window_at,
)

MAX_AHEAD = timedelta(days=366)
"""How far ahead a one-off alarm may be: further is surely a typo for a shelf-change reminder."""
MAX_TEXT = 300
TEXT_PUNCTUATION = " ,;:、，；：。"
LEAD = re.compile(r"(?:lead|提前)[=:](?P<value>.*)|提前(?P<bare>[0-9半].*)", re.DOTALL)

STARTS = frozenset("每周星礼隔双工天从今明后大昨前下这本上凌半早清中傍晚夜")
"""The characters a Chinese time word starts with (after folding, numerals are digits)."""
AFTER_NOON = frozenset({"noon", "afternoon", "evening"})
Reader = Callable[[Source, int, date], Piece | None]


@dataclass(frozen=True)
class Reading:
    """What a schedule says: the rule, the words after it, the heads-up, and whether to ask first.

    `alternatives` are the other sensible readings (15:00 for 3点 read as 03:00), best first; `concerns`
    say why the bot should confirm before saving; `time_words` are what in `text` looks like a time.
    """

    rule: Rule
    text: str = ""
    lead: timedelta | None = None
    alternatives: tuple[Rule, ...] = ()
    concerns: tuple[Concern, ...] = ()
    time_words: tuple[str, ...] = ()

    @property
    def needs_confirmation(self) -> bool:
        """Whether the bot should show its reading with buttons instead of saving it."""
        return bool(self.concerns)


@dataclass
class _Parts:
    """The pieces found so far, at most one of each kind."""

    delay: DelayPiece | None = None
    every: EveryPiece | None = None
    days: DaysPiece | None = None
    window: WindowPiece | None = None
    day: DayPiece | None = None
    clock: ClockPiece | None = None
    part: PartPiece | None = None
    end: int = 0
    concerns: list[Concern] = field(default_factory=list)
    alternatives: list[Rule] = field(default_factory=list)

    def add(self, piece: Piece) -> bool:
        """Keep a piece that goes with those already found; otherwise the expression ends before it (and
        what follows, a second time, is left for the confirmation to point out)."""
        slot = SLOTS[type(piece)]
        taken = {name for name in SLOTS.values() if getattr(self, name) is not None}
        if slot in taken or not taken <= TOGETHER[slot]:
            return False
        setattr(self, slot, piece)
        self.end = piece.end
        return True


SLOTS = {
    DelayPiece: "delay",
    EveryPiece: "every",
    DaysPiece: "days",
    WindowPiece: "window",
    DayPiece: "day",
    ClockPiece: "clock",
    PartPiece: "part",
}
TOGETHER = {
    "delay": {"clock", "part"},
    "every": {"days", "window"},
    "days": {"every", "window", "clock", "part"},
    "window": {"every", "days"},
    "day": {"clock", "part"},
    "clock": {"days", "day", "part", "delay"},
    "part": {"days", "day", "clock", "delay"},
}
"""Which pieces make one rule together (a delay takes a time only as 3天后10点)."""


def _readers() -> tuple[Reader, ...]:
    """The piece readers, most specific first (每两周 before 每, a window before its first clock)."""
    return (
        lambda src, pos, today: delay_at(src, pos),
        lambda src, pos, today: every_at(src, pos),
        days_at,
        lambda src, pos, today: window_at(src, pos),
        relative_day_at,
        weekday_at,
        lambda src, pos, today: date_at(src, pos, today, coming),
        lambda src, pos, today: clock_at(src, pos),
        lambda src, pos, today: part_at(src, pos),
    )


READERS = _readers()


def piece_at(src: Source, pos: int, today: date) -> Piece | None:
    """The first piece any reader finds at `pos`, also after a connecting `at`/`on`."""
    for start in (pos, *(found.end() for found in [EN_CONNECTOR.match(src.norm, pos)] if found)):
        for reader in READERS:
            piece = reader(src, start, today)
            if piece is not None:
                return piece
    return None


def _scan(src: Source, today: date) -> _Parts:
    """Read pieces from the start for as long as they come, in any order."""
    parts = _Parts()
    while True:
        gap = CONNECTOR.match(src.norm, parts.end)
        pos = gap.end() if gap else parts.end
        if pos >= len(src.norm):
            return parts
        piece = piece_at(src, pos, today)
        if piece is None or not parts.add(piece):
            return parts


# ---------------------------------------------------------------------------------------------- building


@dataclass(frozen=True)
class _Context:
    """Where and when the reading happens."""

    src: Source
    now: datetime
    zone: ZoneInfo
    calendar: ShopCalendar

    @property
    def today(self) -> date:
        """The shop's local date now."""
        return self.now.astimezone(self.zone).date()

    def typed(self, piece: Piece) -> str:
        """A piece as typed."""
        return self.src.typed(piece.start, piece.end)


def _wall(ctx: _Context, clock: ClockPiece, part: str | None) -> tuple[time, bool]:
    """The wall time a clock means with the part of the day, and whether it falls after midnight."""
    if clock.part and part and clock.part != part:
        raise UserError(msg.BAD_CLOCK, value=ctx.typed(clock))
    if clock.meridiem and part:  # 8pm tonight: the part only has to agree
        if (part in AFTER_NOON) != clock.meridiem.startswith("p"):
            raise UserError(msg.BAD_CLOCK, value=ctx.typed(clock))
        part = None
    found = hour_in_part(clock.hour, clock.part or part, clock.meridiem)
    if found is None:
        raise UserError(msg.BAD_CLOCK, value=ctx.typed(clock))
    return time(found[0], clock.minute), found[1]


def _part(parts: _Parts) -> str | None:
    """The part of the day said apart from the clock (今晚, in the morning), if any."""
    if parts.part and parts.day and parts.day.part and parts.part.part != parts.day.part:
        return None
    return parts.part.part if parts.part else parts.day.part if parts.day else None


def _later(value: time) -> time:
    """The other half of the day's reading of a bare hour (03:00 → 15:00)."""
    return value.replace(hour=value.hour + 12)


def _check_ahead(ctx: _Context, instant: datetime, value: str) -> Once:
    """A one-off alarm, refused when it is not ahead or more than a year ahead."""
    if instant <= ctx.now:
        raise UserError(msg.PAST, value=value)
    if instant - ctx.now > MAX_AHEAD:
        raise UserError(msg.TOO_FAR, value=value, days=MAX_AHEAD.days)
    return Once(instant)


def _delay(ctx: _Context, parts: _Parts, delay: DelayPiece) -> Rule:
    """两小时后 / in 45m: now plus the delay; 3天后 without a time: the same time that many days on."""
    if parts.every or parts.days or parts.window or parts.day or parts.part or parts.clock:
        raise UserError(msg.MIXED, value=ctx.src.typed(0, parts.end))
    minutes = delay.minutes if delay.minutes is not None else (delay.days or 0) * 24 * 60
    if minutes < 1:
        raise UserError(msg.TOO_SOON, value=ctx.typed(delay))
    if timedelta(minutes=minutes) > MAX_AHEAD:
        raise UserError(msg.TOO_FAR, value=ctx.typed(delay), days=MAX_AHEAD.days)
    return Once(ctx.now + timedelta(minutes=minutes))


def _window(ctx: _Context, parts: _Parts, window: WindowPiece) -> tuple[time, time]:
    """A window's wall times; 9点到6点 is read as 09:00–18:00, and said so."""
    first, _ = _wall(ctx, window.first, None)
    last, _ = _wall(ctx, window.last, None)
    if last <= first and window.first.bare and window.last.bare and last.hour + 12 > first.hour:
        last = _later(last)
        parts.concerns.append(
            Concern(
                msg.WINDOW_AFTERNOON, {"value": ctx.typed(window), "start": _hhmm(first), "end": _hhmm(last)}
            )
        )
    if last <= first:
        raise UserError(msg.WINDOW_ORDER, value=ctx.typed(window))
    return first, last


def _hhmm(value: time) -> str:
    """A wall time as HH:MM."""
    return value.strftime("%H:%M")


def _interval(ctx: _Context, parts: _Parts, every: EveryPiece) -> Rule:
    """Every N minutes, within a daily window and on chosen days if given."""
    if parts.day:
        raise UserError(msg.ONE_DAY_REPEAT, value=ctx.typed(parts.day))
    on = parts.days.on if parts.days else EVERY_DAY
    if parts.window is None:
        if parts.clock or parts.part:
            raise UserError(msg.NO_WINDOW_END, value=ctx.src.typed(0, parts.end))
        return Interval(every.minutes, on=_anchored(ctx, on, None))
    first, last = _window(ctx, parts, parts.window)
    rule = Interval(every.minutes, first, last, _anchored(ctx, on, first))
    if parts.window.first.bare and first.hour <= EARLY_HOURS and last.hour + 12 <= 23:
        parts.alternatives.append(replace(rule, start=_later(first), end=_later(last)))
        parts.concerns.append(
            Concern(msg.EITHER_HALF, {"value": ctx.typed(parts.window), "chosen": _hhmm(first)})
        )
    return rule


def _anchored(ctx: _Context, on: Days, at: time | None) -> Days:
    """Every-N-weeks counted from the week of its first fire (this week if its day and time are ahead)."""
    if not isinstance(on, EveryWeeks):
        return on
    today = ctx.today
    local = ctx.now.astimezone(ctx.zone)
    for ahead in range(8):
        day = today + timedelta(days=ahead)
        if day.weekday() in on.days and (
            ahead or at is None or shifted(datetime.combine(day, at), ctx.zone) > ctx.now
        ):
            return replace(on, anchor=monday_of(day))
    return replace(on, anchor=monday_of(local.date()))


def _recurring(ctx: _Context, parts: _Parts, days: DaysPiece) -> Rule:
    """At a time of day on the chosen days; 每天3点 is 03:00 but worth asking (15:00?)."""
    if parts.day:
        raise UserError(msg.ONE_DAY_REPEAT, value=ctx.typed(parts.day))
    if parts.window:
        raise UserError(msg.NEEDS_INTERVAL, value=ctx.typed(parts.window))
    if parts.clock is None:
        raise UserError(msg.NO_CLOCK, value=ctx.src.typed(0, parts.end))
    at, _ = _wall(ctx, parts.clock, _part(parts))
    rule = Recurring(at, _anchored(ctx, days.on, at))
    if days.concern is not None and days.other is not None:
        parts.concerns.append(days.concern)
        parts.alternatives.append(Recurring(at, _anchored(ctx, days.other, at)))
    if parts.clock.bare and _part(parts) is None:
        later = Recurring(_later(at), rule.on)
        parts.alternatives.append(later)
        if at.hour <= EARLY_HOURS:
            parts.concerns.append(
                Concern(msg.EITHER_HALF, {"value": ctx.typed(parts.clock), "chosen": _hhmm(at)})
            )
    return rule


def _one_off(ctx: _Context, parts: _Parts, clock: ClockPiece) -> Rule:
    """A moment: on the day named, or the next time the clock shows it (3点 at 10:00 is 15:00 today)."""
    at, after_midnight = _wall(ctx, clock, _part(parts))
    bare = clock.bare and _part(parts) is None
    day = parts.day
    value = ctx.src.typed(
        day.start if day and day.start < clock.start else clock.start, max(clock.end, day.end if day else 0)
    )
    readings = [at, _later(at)] if bare else [at]
    if day is None:
        dates = [ctx.today, ctx.today + timedelta(days=1)]
    else:
        first = day.day + timedelta(days=after_midnight)
        dates = [first, first + timedelta(days=7)] if day.rolls else [first]
    if dates[0] > ctx.today + MAX_AHEAD:
        raise UserError(msg.TOO_FAR, value=value, days=MAX_AHEAD.days)
    ahead = [
        (instant, reading)
        for on in dates
        for reading in readings
        if (instant := shifted(datetime.combine(on, reading), ctx.zone)) > ctx.now
    ]
    if day is not None and day.rolls and ahead and ahead[0][0].astimezone(ctx.zone).date() != dates[0]:
        ahead = [
            pair
            for pair in ahead
            if pair[0].astimezone(ctx.zone).date() == ahead[0][0].astimezone(ctx.zone).date()
        ]
    if not ahead:
        raise UserError(msg.PAST, value=value)
    ahead.sort()
    instant, chosen = ahead[0]
    rule = _check_ahead(ctx, instant, value)
    if bare:
        other = next((pair[0] for pair in ahead if pair[1] != chosen), None)
        if other is not None and other - ctx.now <= MAX_AHEAD:
            parts.alternatives.append(Once(other))
        if day is None or chosen != at or at.hour <= EARLY_HOURS:
            parts.concerns.append(
                Concern(msg.EITHER_HALF, {"value": ctx.typed(clock), "chosen": _hhmm(chosen)})
            )
    return rule


def _build(ctx: _Context, parts: _Parts) -> Rule:
    """The one rule the pieces make together, or the reason they make none."""
    if parts.delay and parts.delay.days is not None and parts.clock:  # 3天后10点: a day, then a time
        later = ctx.today + timedelta(days=parts.delay.days)
        parts.day, parts.delay = DayPiece(parts.delay.start, parts.delay.end, later), None
    if parts.delay:
        return _delay(ctx, parts, parts.delay)
    if parts.every:
        return _interval(ctx, parts, parts.every)
    if parts.window:
        raise UserError(msg.NEEDS_INTERVAL, value=ctx.typed(parts.window))
    if parts.days:
        return _recurring(ctx, parts, parts.days)
    if parts.clock is None:
        raise UserError(msg.NO_CLOCK, value=ctx.src.typed(0, parts.end))
    return _one_off(ctx, parts, parts.clock)


def _read(
    src: Source, now: datetime, zone: ZoneInfo, calendar: ShopCalendar
) -> tuple[Rule, _Parts, _Context]:
    """Scan and build: the rule the text starts with."""
    ctx = _Context(src, utc(now), zone, calendar)
    parts = _scan(src, ctx.today)
    if parts.end == 0:
        raise cant_read(src, 0)
    return _build(ctx, parts), parts, ctx


# ---------------------------------------------------------------------------------------------- heads-up


def _split_lead(words: list[str]) -> tuple[list[str], list[str]]:
    """Take the `lead=5m` / `提前=5分钟` options out of the words, wherever they are."""
    plain: list[str] = []
    leads: list[str] = []
    for word in words:
        folded = fold(word)
        found = LEAD.fullmatch(folded.norm)
        if found and found["value"] is not None:
            leads.append(folded.rest(found.start("value")))
        elif found and lead_minutes(found["bare"]) is not None:
            leads.append(folded.rest(found.start("bare")))
        else:
            plain.append(word)
    return plain, leads


def lead_minutes(value: str) -> int | None:
    """Minutes of a heads-up like `5m`, `1h`, `5分钟`, `半小时`, `两分钟` or a bare `5`, or None."""
    src = source(value)
    if src.norm.isascii() and src.norm.isdigit() and len(src.norm) <= 5:
        return int(src.norm)
    found = duration_at(src, 0)
    return found[0] if found and found[1] == len(src.norm) else None


def _lead(values: list[str], rule: Rule) -> timedelta | None:
    """The heads-up: at least a minute and shorter than the gap between alarms. A one-off's may reach back to
    now or before (`in 1m … lead=1m`): there is no time for it, so it is skipped and the reply says so."""
    if not values:
        return None
    if len(values) > 1:
        raise UserError(msg.LEAD_TWICE)
    value = values[0]
    minutes = lead_minutes(value)
    if minutes is None:
        raise UserError(msg.BAD_LEAD, value=value)
    if minutes < 1:
        raise UserError(msg.LEAD_SHORT, value=value)
    if not isinstance(rule, Once) and minutes >= (gap := gap_minutes(rule)):
        raise UserError(msg.LEAD_LONG, value=value, limit=gap)
    return timedelta(minutes=minutes)


# ---------------------------------------------------------------------------------------------- entry points


def time_words_in(text: str) -> list[str]:
    """The words of a text that read as a time (明天, 3点, every day), as typed, to check leftovers."""
    src = source(text)
    found: list[str] = []
    pos = 0
    today = date(2000, 1, 3)  # any day: only whether something reads as a time matters
    while pos < len(src.norm):
        try:
            piece = piece_at(src, pos, today) if _may_start(src.norm, pos) else None
        except UserError:
            piece = None
            found.append(src.word(pos))
        if piece is not None and not _loose_number(src, piece):
            found.append(src.typed(piece.start, piece.end))
            pos = piece.end
        else:
            pos += 1
    return found


def _may_start(norm: str, pos: int) -> bool:
    """Whether a time word may start at `pos`: at a digit, at a character time words start with (今, 每,
    下午…), or at the start of an ASCII word; so a long text is scanned in a fraction of a millisecond."""
    char = norm[pos]
    if char.isascii():
        return char.isalnum() and (pos == 0 or not (norm[pos - 1].isascii() and norm[pos - 1].isalnum()))
    return char in STARTS


def _loose_number(src: Source, piece: Piece) -> bool:
    """A day of the month alone (5号 in 5号链接) names a product as often as a day: not a time word."""
    return (
        isinstance(piece, DayPiece)
        and src.norm[piece.end - 1] in "号日"
        and "月" not in src.norm[piece.start : piece.end]
    )


def _reading(rule: Rule, text: str, lead: timedelta | None, parts: _Parts, ctx: _Context) -> Reading:
    """The reading with its concerns: the parts' own, plus time words left in the text."""
    words = tuple(time_words_in(text)) if text else ()
    concerns = list(parts.concerns)
    if words:
        concerns.append(Concern(msg.LEFTOVER_TIME, {"words": " ".join(words)}))
    return Reading(rule, text, lead, tuple(parts.alternatives), tuple(concerns), words)


def read_schedule(
    text: str, now: datetime, zone: ZoneInfo, calendar: ShopCalendar = CHINA, *, need_text: bool = True
) -> Reading:
    """Read `/shelf`-style words (when, then what, a heads-up anywhere) in English or Chinese."""
    now = utc(now)
    words, leads = _split_lead(text.split())
    if not words:
        raise UserError(msg.EMPTY)
    src = source(" ".join(words))
    rule, parts, ctx = _read(src, now, zone, calendar)
    rest = clean(src.text.rest(parts.end)).lstrip(TEXT_PUNCTUATION).strip()
    if need_text and not rest:
        raise UserError(msg.NO_TEXT, value=src.typed(0, parts.end))
    if len(rest) > MAX_TEXT:
        raise UserError(msg.TEXT_LONG, length=len(rest), limit=MAX_TEXT)
    return _reading(rule, rest, _lead(leads, rule), parts, ctx)


def read_rule(text: str, now: datetime, zone: ZoneInfo, calendar: ShopCalendar = CHINA) -> Reading:
    """Read a bare rule with nothing after it (a digest's time); a time of day alone means every day."""
    src = source(text)
    if not src.norm:
        raise UserError(msg.EMPTY)
    ctx = _Context(src, utc(now), zone, calendar)
    parts = _scan(src, ctx.today)
    if (
        parts.clock is not None
        and parts.end == len(src.norm)
        and not (parts.day or parts.delay or parts.every or parts.days)
    ):
        parts = replace(parts, days=DaysPiece(0, 0, EVERY_DAY))
    if parts.end == 0:
        raise cant_read(src, 0)
    rule = _build(ctx, parts)
    if parts.end < len(src.norm):
        raise cant_read(src, parts.end)
    return _reading(rule, "", None, parts, ctx)


def read_moment(text: str, now: datetime, zone: ZoneInfo) -> Reading:
    """Read one moment ahead (a broadcast's `at=`): 14:30, 明天9点, 两小时后; anything else is refused."""
    src = source(text)
    rule, parts, ctx = _read(src, now, zone, CHINA)
    if parts.end < len(src.norm):
        raise cant_read(src, parts.end)
    if not isinstance(rule, Once):
        raise cant_read(src, 0)
    return _reading(rule, "", None, parts, ctx)
