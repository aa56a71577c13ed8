"""How the review rotation reads in chat: the groups at a moment, the next handoff, a person's own group."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.i18n import N_, Translator
from bot.models import Person
from bot.services.rotations import engine as rota
from bot.services.rotations.review_groups import Stats, Tally
from bot.services.when import format_day, format_moment

Names = dict[int, str]

PERIOD_LABELS = {
    (rota.MONTHS, True): N_("every month"),
    (rota.WEEKS, True): N_("every week"),
    (rota.DAYS, True): N_("every day"),
    (rota.MONTHS, False): N_("every {n} months"),
    (rota.WEEKS, False): N_("every {n} weeks"),
    (rota.DAYS, False): N_("every {n} days"),
}


async def names_of(ids: Iterable[int]) -> Names:
    """Display names (@username, else first name) of the people a rotation mentions."""
    wanted = set(ids)
    found = {person.id: person.display_name for person in await Person.filter(id__in=wanted)}
    return {person_id: found.get(person_id, str(person_id)) for person_id in wanted}


def people_in(rule: rota.RotationRule) -> set[int]:
    """Everyone a rotation names: members and stand-ins."""
    return {*rule.members, *(o.substitute for o in rule.overrides)}


def local(t: Translator, rule: rota.RotationRule, moment: datetime) -> str:
    """An instant as the team's wall clock shows it, with its weekday, in the reader's language."""
    return format_moment(moment, rule.tz, t.locale)


def period_label(t: Translator, period: rota.Period) -> str:
    """`every month`, `every 6 weeks`."""
    return t(PERIOD_LABELS[period.unit, period.count == 1], n=period.count)


def group_lines(t: Translator, groups: dict[str, list[int]], names: Names) -> list[str]:
    """One line per group with its members, `—` for an empty one."""
    return [
        t("• group {group}: {members}", group=group, members=t.join(names[m] for m in members) or "—")
        for group, members in groups.items()
    ]


def override_lines(t: Translator, rule: rota.RotationRule, names: Names, moment: datetime) -> list[str]:
    """Stand-ins in force now or later."""
    today = moment.astimezone(rule.tz).date()
    return [
        t(
            "↔ {substitute} stands in for {absent}, {first}..{last}",
            substitute=names[o.substitute],
            absent=names[o.absent],
            first=format_day(o.first, t.locale),
            last=format_day(o.last, t.locale),
        )
        for o in rule.overrides
        if o.last >= today
    ]


def overview(t: Translator, rule: rota.RotationRule, names: Names, moment: datetime) -> str:
    """`/rotation show`: the groups at a moment, the next handoff and the stand-ins."""
    first = rota.handoff(rule, 0)
    header = (
        t("🔄 Review groups from the first handoff, {when}:", when=local(t, rule, first))
        if moment < first
        else t("🔄 Review groups on {when}:", when=local(t, rule, moment))
    )
    _, following = rota.next_handoff(rule, moment)
    lines = [header, *group_lines(t, rota.assignment(rule, max(moment, first)), names)]
    every = period_label(t, rule.period)
    lines.append(t("Next handoff: {when} ({period}).", when=local(t, rule, following), period=every))
    lines += override_lines(t, rule, names, moment)
    return "\n".join(lines)


def upcoming(t: Translator, rule: rota.RotationRule, names: Names, moment: datetime) -> str:
    """`/rotation next`: when the next handoff is and who goes where then."""
    _, following = rota.next_handoff(rule, moment)
    lines = [t("🔄 Next handoff {when}:", when=local(t, rule, following))]
    lines += group_lines(t, rota.assignment(rule, following), names)
    return "\n".join(lines)


def handoff_post(
    t: Translator, rule: rota.RotationRule, names: Names, due: datetime, late_minutes: int
) -> str:
    """The review chat's posting at a handoff."""
    lines = [t("🔄 Review groups from {when}:", when=local(t, rule, due))]
    lines += group_lines(t, rota.assignment(rule, due), names)
    if late_minutes >= 1:
        lines.append(t("(late by {minutes} min: I was offline)", minutes=late_minutes))
    return "\n".join(lines)


def personal_post(t: Translator, rule: rota.RotationRule, member: int, due: datetime) -> str:
    """A member's private note at a handoff: their group from now on."""
    group, when = rota.group_of(rule, member, due), local(t, rule, due)
    if group is None:
        return t("🔄 From {when} you are in no review group: someone stands in for you.", when=when)
    return t("🔄 From {when} you are in review group {group}.", when=when, group=group)


def tally_line(t: Translator, who: str, tally: Tally) -> str:
    """`• @bob: revised 3 · failed 1 · escalated 2`."""
    return t(
        "• {who}: revised {revised} · failed {failed} · escalated {escalated}",
        who=who,
        revised=tally.revised,
        failed=tally.failed,
        escalated=tally.escalated,
    )


def stats_text(t: Translator, month: str, stats: Stats, names: Names) -> str:
    """`/review stats`: per member, then per group."""
    if not stats.by_group:
        return t("No review cases were closed or escalated in {month}.", month=month)
    lines = [t("Review cases in {month}, per member:", month=month)]
    members = sorted(stats.by_member.items(), key=lambda item: names[item[0]].lower())
    lines += [tally_line(t, names[member], tally) for member, tally in members]
    if stats.uncredited != Tally():
        lines.append(tally_line(t, t("not credited (done outside the case's group)"), stats.uncredited))
    lines.append(t("Per group:"))
    groups = sorted(stats.by_group.items())
    lines += [tally_line(t, t("group {group}", group=group), tally) for group, tally in groups]
    return "\n".join(lines)
