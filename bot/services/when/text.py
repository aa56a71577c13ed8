"""Typed text folded into one spelling, so the grammar matches one form of every time word.

Full-width forms become ASCII, capitals lower case, traditional characters of time words simplified (one
character for one), and Chinese numerals digits (十二点半 → 12点半, 两小时 → 2小时). A folded text remembers
where each of its characters came from, so the alarm text and the words quoted in errors are always the
characters the person typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TRADITIONAL = dict(
    zip(
        "點鐘時後週禮個從號兩頭這過間內開曆節調與單裡晝毎隔於個鍾來現幾",
        "点钟时后周礼个从号两头这过间内开历节调与单里昼每隔于个钟来现几",
        strict=True,
    )
)
"""Traditional (and Japanese) forms of the characters time words use, to their simplified form."""


def _fold_table() -> dict[int, int]:
    """Full-width forms, capitals and traditional time characters to one spelling, one character for one."""
    table = {code: ord(chr(code - 0xFEE0).lower()) for code in range(0xFF01, 0xFF5F)}
    table |= {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
    table |= {0x3000: ord(" "), 0x2013: ord("-"), 0x2014: ord("-"), 0x301C: ord("~"), 0x2019: ord("'")}
    table |= {ord(old): ord(new) for old, new in TRADITIONAL.items()}
    table |= {ord("，"): ord(","), ord("；"): ord(";")}
    return table


FOLD = _fold_table()
DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
NUMERAL = re.compile("[零〇一二两三四五六七八九十百]+")
WEEK_END = "周期拜"
"""The last character of 周 / 星期 / 礼拜: digits after it are weekdays, one each (周一三五 → 周135)."""
LITTLE = frozenset("快慢早晚低高多少好小大些有差短长便贵宜近远轻重再")
"""Words before 一点 that make it "a little" (快一点, 便宜一点), not one o'clock."""


def chinese_number(run: str) -> int | None:
    """The value of a Chinese numeral written with 十/百 (二十五, 十二, 一百二十), or None when malformed."""
    total, pending = 0, None
    for index, char in enumerate(run):
        if char in DIGITS:
            if pending is not None:
                return None
            pending = DIGITS[char]
        elif char == "十":
            total += (1 if pending is None else pending) * 10
            pending = None
        else:  # 百
            if pending is None or total:
                return None
            total, pending = pending * 100, None
            if index + 2 == len(run) and run[-1] in DIGITS:  # 一百二 is 120
                return total + DIGITS[run[-1]] * 10
    return total + (pending or 0)


def _numeral(run: str, before: str, after: str) -> str | None:
    """The digits a run of Chinese numerals stands for, given the character before and the two after it,
    or None to leave it as typed."""
    if before and before in WEEK_END and len(run) > 1 and after[:1] in ("点", "时"):
        hour = _numeral(run[1:], "", after)  # 周五十点: Friday, 10 o'clock
        return None if hour is None else f"{DIGITS.get(run[0], 0)} {hour}"
    if run == "一" and after[:1] == "点" and (before in LITTLE or after[1:] in ("点", "儿")):
        return None  # 快一点, 一点点: a little
    if run == "十" and after[:1] == "分" and after[1:] != "钟" and (not before or before not in "点时"):
        return None  # 十分重要: very important
    if "十" in run or "百" in run:
        value = chinese_number(run)
        return None if value is None else str(value)
    if len(run) == 1 or run[0] in "零〇" or "〇" in run or (before and before in WEEK_END):
        return "".join(str(DIGITS[char]) for char in run)
    return None  # 三五天: "three or five", not 35


@dataclass(frozen=True)
class Folded:
    """Typed text in the grammar's spelling, with the typed position of every folded character."""

    raw: str
    norm: str
    origin: tuple[int, ...]
    """origin[i] is where norm[i] came from in raw; origin[len(norm)] is len(raw)."""

    def typed(self, start: int, end: int) -> str:
        """The characters as typed between two folded positions, to quote back or keep as alarm text."""
        return self.raw[self.origin[start] : self.origin[end]].strip()

    def rest(self, start: int) -> str:
        """Everything typed from a folded position on."""
        return self.raw[self.origin[start] :]


def fold(raw: str) -> Folded:
    """Fold typed text into the grammar's spelling, keeping the map back to what was typed."""
    simple = raw.translate(FOLD)
    parts: list[str] = []
    origin: list[int] = []
    pos = 0
    for found in NUMERAL.finditer(simple):
        start, end = found.span()
        before = simple[start - 1] if start else ""
        after_text = simple[end : end + 2]
        digits = _numeral(found[0], before, after_text)
        if digits is None:
            continue
        parts.append(simple[pos:start])
        origin.extend(range(pos, start))
        if (before.isascii() and before.isdigit()) or (parts and parts[-1][-1:].isdigit()):
            digits = " " + digits
        if after_text[:1].isascii() and after_text[:1].isdigit():
            digits += " "
        parts.append(digits)
        origin.extend([start] * len(digits))
        pos = end
    parts.append(simple[pos:])
    origin.extend(range(pos, len(simple)))
    origin.append(len(raw))
    return Folded(raw, "".join(parts), tuple(origin))
