"""/kpi and /star as text, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import N_, Translator
from bot.services.kpi.figures import Figures, Table
from bot.services.kpi.star import Shortlist

BELOW = "⚠️"


def percent(value: float | None) -> str:
    """45.0% (— when there were no inquiries)."""
    return "—" if value is None else f"{value * 100:.1f}%"


def seconds(t: Translator, value: float | None) -> str:
    """28 s."""
    return "—" if value is None else t("{n} s", n=f"{value:.0f}")


def line(t: Translator, name: str, figures: Figures, below: set[str]) -> str:
    """One agent (or the team): inquiries → paying (conversion) · sales · 客单价 · response, ⚠️ where below."""

    def mark(key: str) -> str:
        """The warning after a figure below the team's."""
        return f" {BELOW}" if key in below else ""

    aov = "—" if figures.order_value is None else f"¥{t.amount(figures.order_value)}"
    return t(
        "{name}: {inquiries} inquiries → {paying} paid ({conversion}) · sales {sales} · "
        "order value {aov} · response {response}",
        name=name,
        inquiries=figures.inquiries,
        paying=figures.paying,
        conversion=percent(figures.conversion) + mark("conversion"),
        sales=f"¥{t.amount(figures.sales)}",
        aov=aov + mark("order_value"),
        response=seconds(t, figures.response) + mark("response"),
    )


def kpi(t: Translator, period: str, found: Table, names: Mapping[int, str], only: int | None = None) -> str:
    """The period's table: the team first, then each agent (or only one), marking figures below average."""
    lines = [t("📊 Figures, {period}", period=period), line(t, t("Team"), found.team, set()), ""]
    for figures in found.agents:
        if only is None or figures.person_id == only:
            lines.append(
                line(t, names.get(figures.person_id, str(figures.person_id)), figures, found.below(figures))
            )
    if any(found.below(figures) for figures in found.agents):
        lines += ["", t("{mark} below the team average", mark=BELOW)]
    return "\n".join(lines)


CRITERIA = (
    (N_("Conversion closest to 1"), "conversion"),
    (N_("Highest sales"), "sales"),
    (N_("Most refunds withdrawn by buyers"), "withdrawn"),
)


def shortlist(t: Translator, month: str, found: Shortlist, names: Mapping[int, str]) -> str:
    """The month's three rankings and the shortlist the supervisors confirm from."""
    lines = [t("⭐ Star agent of {month}: the shortlist", month=month)]
    for title, key in CRITERIA:
        ranked = found.rankings[key][:3]
        shown = [f"{names.get(person, str(person))} ({found.shown(key, person)})" for person in ranked]
        lines.append(f"• {t(title)}: {', '.join(shown) or '—'}")
    lines += ["", t("Overall (sum of the three places, lowest first):")]
    for place, person in enumerate(found.candidates, start=1):
        lines.append(
            t(
                "{place}. {name}: places {places}",
                place=place,
                name=names.get(person, str(person)),
                places=" + ".join(str(p) for p in found.places(person)),
            )
        )
    lines += ["", t("Two supervisors confirm the star by pressing the same name.")]
    return "\n".join(lines)
