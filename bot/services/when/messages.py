"""What the grammar says when it cannot read something, or wants the reading confirmed.

Messages the old parsers already had keep their exact wording, so their translations carry over.
"""

from __future__ import annotations

from bot.i18n import N_

CANT_READ = N_(
    "I can't read “{value}” as a time. Examples: 14:30, in 45m, tomorrow 9am, every 30m from 09:00 to "
    "18:00, 每天十点, 三点半, 两小时后, 周五10点."
)
EMPTY = N_(
    "Say when and what, e.g. /shelf every 30m from 09:00 to 18:00 change the listings, or /shelf 14点30 上架."
)
BAD_CLOCK = N_("“{value}” is not a time of day: use 00:00–23:59, e.g. 14:30 or 14点30.")
BAD_DATE = N_("“{value}” is not a date. Examples: 2026-12-01, 12-01, 12月1日.")
PAST = N_("“{value}” is in the past. Give a time still ahead, e.g. tomorrow 9:00 or 明天9点.")
TOO_FAR = N_("“{value}” is more than {days} days ahead; give a nearer time.")
TOO_SOON = N_("“{value}” is not ahead of now: give at least 1 minute, e.g. in 5m or 5分钟后.")
BAD_INTERVAL = N_("The interval “{value}” should be from 1 minute to 24 hours, e.g. every 30m or 每30分钟.")
NO_WINDOW_END = N_(
    "Give the window with a start and an end after “{value}”, e.g. every 30m from 09:00 to 18:00 or "
    "每30分钟 9点到18点."
)
WINDOW_ORDER = N_(
    "The window “{value}” must end after it starts, e.g. from 09:00 to 18:00 (not across midnight)."
)
NO_CLOCK = N_("Say the time of day after “{value}”, e.g. every day 10:00 or 每天10点.")
BAD_DAYS = N_(
    "I can't read “{value}” as days of the week. Examples: every mon,wed,fri 09:30, every weekday 09:00, "
    "每周一三五 9点30, 工作日9点."
)
NO_TEXT = N_("Say what the alarm is for after “{value}”, e.g. /shelf {value} put the new arrivals on sale.")
TEXT_LONG = N_("The alarm text is {length} characters; keep it to {limit}.")
BAD_LEAD = N_("I can't read the heads-up “{value}”. Examples: lead=5m, 提前=5分钟.")
LEAD_TWICE = N_("Give the heads-up only once, e.g. lead=5m.")
LEAD_SHORT = N_("The heads-up “{value}” must be at least 1 minute, e.g. lead=5m.")
LEAD_LONG = N_("The heads-up “{value}” must be shorter than the time between alarms ({limit} min).")

NEEDS_INTERVAL = N_("How often between “{value}”? e.g. every 30m from 09:00 to 18:00 or 每30分钟 9点到18点.")
ONE_DAY_REPEAT = N_(
    "“{value}” is one day, but the rest repeats: say which days, e.g. 每天, 工作日, 周一到周五 or every day."
)
MIXED = N_(
    "“{value}” gives a moment and a delay together: give one, e.g. in 2 hours, 两小时后 or tomorrow 9am."
)
BAD_MONTH_DAY_NUMBER = N_(
    "“{value}” is not a day of the month: use 1–31, or the last day (每月最后一天, last day of every month)."
)
BAD_WEEKS = N_("“{value}” is not a number of weeks I can repeat on: use 2 to 52, e.g. 每两周周三.")
NO_WEEKDAY = N_("Say which weekday after “{value}”, e.g. 每两周周三 or every 2nd week on Wednesday.")

BAD_MONTH = N_("“{value}” is not a month. Examples: 2026-12, 12, 12月.")
BAD_YEAR_MONTH = N_("“{value}” is not a month: write it like 2026-11.")
UNKNOWN_PERIOD = N_("Unknown period “{value}”. Periods: {choices}.")
BACKWARDS = N_("The range “{value}” runs backwards: put the earlier date first, e.g. 12-01..12-31.")
BAD_RANGE = N_(
    "“{value}” is not a date range. Examples: 2026-12-10..2026-12-20, 12-10..12-20, 12月10日到12月20日."
)
TOO_MANY_DAYS = N_("“{value}” covers more than {limit} days; give a shorter stretch.")
NO_DATES = N_("Which dates? e.g. 2026-12-01..2026-12-31 or 12-06,12-07.")
BAD_HOURS = N_("“{value}” is not shift hours: write them like 09:00-18:00 or 9点-18点.")
HOURS_ORDER = N_("The hours “{value}” must end after they start, by 24:00 at the latest.")
BAD_MONTH_DAY = N_("“{value}” is not a day of the year: write it like 05-01 or 5月1日.")
BAD_SPAN = N_("“{value}” is not a period. Examples: 1m, 2m, 6w, 1个月, 6周.")
BAD_DURATION = N_("“{value}” is not a length of time. Examples: 5m, 1h30m, 5分钟, 半小时, 两小时.")

LEFTOVER_TIME = N_("“{words}” after the time looks like a time too.")
EITHER_HALF = N_("“{value}” could be morning or evening: I read it as {chosen}.")
WINDOW_AFTERNOON = N_("I read the window “{value}” as {start}–{end}.")
LITERAL_WEEKS = N_(
    "“{value}” can mean every {literal} or every {n} weeks: I read it as every {literal} weeks."
)
SKIPPED_MONTHS = N_(
    "Months without a day {day} are skipped; for the last day of each month say 每月最后一天 or "
    "the last day of every month."
)
