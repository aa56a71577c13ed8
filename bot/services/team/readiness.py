"""Whether Telegram lets the bot work in a group: what it reads there, what it may delete, what to change.

With Telegram's default privacy mode a bot that is no administrator sees only commands and replies to it in a
group, so the guided form's plain answers and people's @usernames may never arrive; without the right to
delete messages, customer data typed in a group stays there. /setup reads the bot's standing (getMe and its
own getChatMember, done by the handler) and says exactly what to change, in @BotFather or in the group.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_

ADMIN_STATUSES = frozenset({"administrator", "creator"})


@dataclass(frozen=True, slots=True)
class Standing:
    """What Telegram reported about the bot; None where the question could not be asked."""

    reads_all_groups: bool | None
    """getMe's can_read_all_group_messages: false while privacy mode is on in @BotFather."""
    status: str | None
    """The bot's status in this group (member, administrator, creator …)."""
    can_delete: bool | None
    """Whether it holds the administrator right “Delete messages”."""

    @property
    def admin(self) -> bool:
        """An administrator (or the creator) of the group."""
        return self.status in ADMIN_STATUSES


ALL_SET = N_("✅ I see every message in this group and may delete the ones that carry customer data.")
PRIVACY = N_(
    "⚠️ Privacy mode is on: in groups I only see commands and replies to my messages, so the guided form's "
    "plain answers and people's @usernames may never reach me. In @BotFather send /setprivacy, choose "
    "@{bot} and press Disable; then remove me from this group and add me again (Telegram applies it only "
    "when I join). Making me an administrator (below) also lets me see everything."
)
ADMIN = N_(
    "⚠️ I am not an administrator here. Make me one with the right “Delete messages” (group info → Edit → "
    "Administrators → Add administrator → me → Delete messages): then I remove messages that carry customer "
    "data once the record is saved."
)
DELETE = N_(
    "⚠️ I am an administrator here but without the right “Delete messages”: give it to me (group info → "
    "Edit → Administrators → me → Delete messages), so messages that carry customer data leave the group "
    "once the record is saved."
)
UNKNOWN = N_("(I could not check my own settings in this group just now; /setup again later shows them.)")


def advice(standing: Standing) -> list[str]:
    """What to change so the bot works fully here (msgids, in order), or that all is set."""
    if standing.status is None or (standing.reads_all_groups is None and not standing.admin):
        return [UNKNOWN]
    found = []
    if not standing.admin and not standing.reads_all_groups:
        found.append(PRIVACY)
    if not standing.admin:
        found.append(ADMIN)
    elif not standing.can_delete:
        found.append(DELETE)
    return found or [ALL_SET]
