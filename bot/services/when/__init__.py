"""One grammar for dates, times, periods and repeats, in English and Chinese: words → a rule → fire times.

Modules: text (folding what was typed), words (the pieces of a time expression), schedule (alarms and
other schedules), days (dates, ranges, months, report periods), hours (times of day, shift hours, lengths
of time), rules (what a schedule means), fires (when it fires), calendar (China's working days and the
shop's own), storage (JSON), describe and display (words and dates for people).
"""

from bot.services.when.calendar import CHINA, ShopCalendar, holiday_name, make_up_days, official_working_day
from bot.services.when.days import (
    Period,
    in_season,
    is_period,
    month_day,
    named_span,
    read_day,
    read_days,
    read_month,
    read_month_day,
    read_period,
    read_range,
    read_stretch,
    split_day,
)
from bot.services.when.describe import describe, describe_days, describe_every
from bot.services.when.display import (
    format_clock,
    format_day,
    format_days,
    format_moment,
    format_period,
    relative_day,
    weekday_names,
)
from bot.services.when.fires import next_after, next_fires, occurrences
from bot.services.when.hours import hhmm, overlaps, read_clock, read_duration, read_hours, read_span, span
from bot.services.when.rules import (
    ALL_DAYS,
    EVERY_DAY,
    LAST,
    MON_TO_FRI,
    WEEKEND,
    Days,
    EveryWeeks,
    Interval,
    MonthDays,
    Once,
    Recurring,
    Rule,
    Weekdays,
    WorkingDays,
    on_working_days,
)
from bot.services.when.schedule import Reading, read_moment, read_rule, read_schedule, time_words_in
from bot.services.when.storage import from_json, to_json
from bot.services.when.words import Concern

__all__ = [
    "ALL_DAYS",
    "CHINA",
    "EVERY_DAY",
    "LAST",
    "MON_TO_FRI",
    "WEEKEND",
    "Concern",
    "Days",
    "EveryWeeks",
    "Interval",
    "MonthDays",
    "Once",
    "Period",
    "Reading",
    "Recurring",
    "Rule",
    "ShopCalendar",
    "Weekdays",
    "WorkingDays",
    "describe",
    "describe_days",
    "describe_every",
    "format_clock",
    "format_day",
    "format_days",
    "format_moment",
    "format_period",
    "from_json",
    "hhmm",
    "holiday_name",
    "in_season",
    "is_period",
    "make_up_days",
    "month_day",
    "named_span",
    "next_after",
    "next_fires",
    "occurrences",
    "official_working_day",
    "on_working_days",
    "overlaps",
    "read_clock",
    "read_day",
    "read_days",
    "read_duration",
    "read_hours",
    "read_moment",
    "read_month",
    "read_month_day",
    "read_period",
    "read_range",
    "read_rule",
    "read_schedule",
    "read_span",
    "read_stretch",
    "relative_day",
    "span",
    "split_day",
    "time_words_in",
    "to_json",
    "weekday_names",
]
