"""The command words of `/rotation` and `/review stats`, in English or Chinese; dates, times and periods are
read by the one grammar in bot/services/when."""

from __future__ import annotations

from bot.services.when.text import FOLD

ACTIONS: dict[str, str] = {
    **{action: action for action in ("show", "next", "override", "members", "period", "skip")},
    "轮换": "show",
    "显示": "show",
    "查看": "show",
    "下次": "next",
    "代班": "override",
    "成员": "members",
    "周期": "period",
    "跳过": "skip",
}
"""`/rotation <action>`: the English word or its Chinese alias (轮换 alone shows the rotation)."""
STATS_WORDS = frozenset({"stats", "统计"})
START_KEYS = frozenset({"start", "from", "开始", "起"})
AT_KEYS = frozenset({"at", "time", "时间", "交接"})


def fold(text: str) -> str:
    """Full-width forms, capitals and traditional characters folded to the grammar's spelling."""
    return text.strip().translate(FOLD)


def action(word: str) -> str | None:
    """The action a word names, or None."""
    return ACTIONS.get(fold(word))


def key_value(word: str) -> tuple[str, str] | None:
    """`start=2026-12-01` → ("start", "2026-12-01"); keys in English or Chinese, `=` or `＝`."""
    key, sep, value = word.replace("＝", "=").partition("=")
    return (fold(key), value.strip()) if sep else None
