"""PNG charts for /chart, drawn headless with matplotlib and readable on a phone, Chinese included.

The machine has no CJK system font: Noto Sans SC comes from a PyPI package (pylopdf-fonts-zh-cn) and is
registered with matplotlib once, so Chinese titles and labels never turn into empty boxes.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pylopdf_fonts_zh_cn

from bot.i18n import N_, Translator
from bot.services.errors import UserError
from bot.services.kpi.figures import Table
from bot.services.records.fields import REASON_KINDS
from bot.services.records.text import SUBKIND_LABELS
from bot.services.reports import figures as reports
from bot.services.when import Period, format_period

if TYPE_CHECKING:  # matplotlib takes about a second to import: it loads with the first chart, not at start
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

REFUNDS, COMPLAINTS, ALARMS, KPI = "refunds", "complaints", "alarms", "kpi"
WORDS: dict[str, str] = {
    **dict.fromkeys(("refunds", "refund", "退款"), REFUNDS),
    **dict.fromkeys(("complaints", "complaint", "投诉", "投诉单"), COMPLAINTS),
    **dict.fromkeys(("alarms", "alarm", "闹钟", "提醒"), ALARMS),
    **dict.fromkeys(("kpi", "figures", "业绩", "数据"), KPI),
}
CHOICES = "refunds 退款, complaints 投诉, alarms 闹钟, kpi 业绩"
SIZE = (8, 5)
DPI = 150
"""1200 × 750 pixels: sharp on a phone, a few tens of kB."""
COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#9E9E9E")
LEGEND_CHARS = 24
"""Reasons are free text: a long one is cut in the legend."""
NO_REASON = N_("other / no reason")
LATENESS_LABELS = (
    N_("< 1 min"),
    N_("1–5 min"),
    N_("5–10 min"),
    N_("10–30 min"),
    N_("> 30 min"),
    N_("never"),
)


def reason_label(t: Translator, reason: str) -> str:
    """A refund reason as the chart names it: a canonical kind in the reader's language, else as typed."""
    if reason in REASON_KINDS:
        return t(SUBKIND_LABELS[reason])
    return (reason if len(reason) <= LEGEND_CHARS else reason[: LEGEND_CHARS - 1] + "…") or t(NO_REASON)


def caption(t: Translator, totals: dict[str, int], label: Callable[[Translator, str], str]) -> str:
    """What a chart counts, in words under it: `damaged 3 · size 1` (readable without the picture)."""
    return " · ".join(f"{label(t, key)} {n}" for key, n in totals.items())


def refund_totals(counts: reports.DailyCounts) -> dict[str, int]:
    """Refunds of the period per reason, as the chart's legend orders them."""
    return {reason: sum(values) for reason, values in counts.series.items()}


def kind_label(t: Translator, kind: str) -> str:
    """A complaint kind as the chart names it."""
    return t(SUBKIND_LABELS.get(kind, kind)) if kind else t(NO_REASON)


def parse(word: str | None) -> str:
    """Which chart a word names (English or Chinese), or a clear error listing them."""
    if not word:
        raise UserError(N_("Which chart? Charts: {choices}."), choices=CHOICES)
    which = WORDS.get(word.strip().lower())
    if which is None:
        raise UserError(N_("Unknown chart “{value}”. Charts: {choices}."), value=word, choices=CHOICES)
    return which


@functools.cache
def setup() -> None:
    """Register the bundled Noto Sans SC once (DejaVu Sans covers the rest); fonts big enough for a phone."""
    import matplotlib
    from matplotlib import font_manager

    path = str(pylopdf_fonts_zh_cn.sans_path())
    font_manager.fontManager.addfont(path)
    matplotlib.rcParams["font.family"] = [font_manager.FontProperties(fname=path).get_name(), "DejaVu Sans"]
    matplotlib.rc(
        "axes", titlesize=15, labelsize=12, axisbelow=True, **{"spines.top": False, "spines.right": False}
    )
    matplotlib.rc("xtick", labelsize=11)
    matplotlib.rc("ytick", labelsize=11)
    matplotlib.rc("legend", fontsize=10, frameon=False)


def _figure() -> tuple[Figure, Axes]:
    """A blank chart, independent of pyplot's global state (so it can be drawn in a worker thread)."""
    from matplotlib.figure import Figure

    setup()
    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    axes = figure.subplots()
    axes.grid(axis="y", alpha=0.3)
    return figure, axes


def _png(figure: Figure) -> bytes:
    """Render with the Agg backend."""
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _integers(axis: Any) -> None:
    """Ticks at whole numbers only: counts are never fractional."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def refunds(t: Translator, counts: reports.DailyCounts, period: Period) -> bytes:
    """Refunds per day, stacked by reason."""
    figure, axes = _figure()
    positions = list(range(len(counts.days)))
    bottom = [0] * len(counts.days)
    for index, (reason, values) in enumerate(counts.series.items()):
        label = reason_label(t, reason)
        axes.bar(positions, values, bottom=bottom, label=label, color=COLOURS[index % len(COLOURS)])
        bottom = [below + value for below, value in zip(bottom, values, strict=True)]
    step = max(1, len(counts.days) // 10)
    axes.set_xticks(positions[::step], [day.strftime("%m-%d") for day in counts.days[::step]])
    axes.set_title(t("Refunds per day by reason, {period}", period=format_period(period, t.locale)))
    axes.set_ylabel(t("refunds"))
    _integers(axes.yaxis)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), reverse=True)  # beside the bars, in stack order
    return _png(figure)


def complaints(t: Translator, counts: dict[str, int], period: Period) -> bytes:
    """Complaint slips by kind, the commonest at the top."""
    figure, axes = _figure()
    labels = [kind_label(t, kind) for kind in counts]
    values = list(counts.values())
    positions = list(range(len(values)))[::-1]
    axes.barh(positions, values, color=COLOURS[0])
    axes.set_yticks(positions, labels)
    for position, value in zip(positions, values, strict=True):
        axes.annotate(str(value), (value, position), xytext=(4, 0), textcoords="offset points", va="center")
    axes.grid(axis="y", visible=False)
    axes.grid(axis="x", alpha=0.3)
    axes.set_title(t("Complaint slips by kind, {period}", period=format_period(period, t.locale)))
    axes.set_xlabel(t("complaint slips"))
    _integers(axes.xaxis)
    return _png(figure)


def alarms(t: Translator, buckets: list[int], period: Period) -> bytes:
    """Alarms by how long after the due time somebody pressed Done; the last bar is nobody."""
    figure, axes = _figure()
    labels = [t(label) for label in LATENESS_LABELS]
    colours = [COLOURS[2]] * 2 + [COLOURS[1]] * 3 + [COLOURS[3]]
    bars = axes.bar(range(len(buckets)), buckets, color=colours)
    axes.bar_label(bars, padding=2)
    axes.set_xticks(range(len(buckets)), labels)
    axes.set_title(t("Alarms: time from due to Done, {period}", period=format_period(period, t.locale)))
    axes.set_xlabel(t("marked done after"))
    axes.set_ylabel(t("alarms"))
    _integers(axes.yaxis)
    return _png(figure)


def kpi(t: Translator, found: Table, names: dict[int, str], period: Period) -> bytes:
    """Each agent's conversion and sales side by side, with the team's average conversion as a line."""
    from matplotlib.figure import Figure

    setup()
    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    left, right = figure.subplots(1, 2, sharey=True)
    labels = [names.get(f.person_id, str(f.person_id)) for f in found.agents][::-1]
    positions = list(range(len(labels)))
    conversion = [(f.conversion or 0) * 100 for f in found.agents][::-1]
    left.barh(positions, conversion, color=COLOURS[0])
    if found.team.conversion is not None:
        left.axvline(found.team.conversion * 100, color=COLOURS[3], linestyle="--", label=t("team average"))
        left.legend(loc="lower right")
    left.set_yticks(positions, labels)
    left.set_xlabel(t("conversion %"))
    right.barh(positions, [float(f.sales) for f in found.agents][::-1], color=COLOURS[2])
    right.set_xlabel(t("sales ¥"))
    for axes in (left, right):
        axes.grid(axis="x", alpha=0.3)
    figure.suptitle(t("Figures per agent, {period}", period=format_period(period, t.locale)), fontsize=15)
    return _png(figure)
