"""Button data: one typed, versioned codec for every inline button, used by whoever builds or reads one.

A button carries `<family><version>:<verb>:<id>:<arg>`, e.g. `r1:paid:12:0`. Everything is bounded: an id is a
positive 31-bit number, an argument a small number from the family's range, a verb one of the family's words.
Anything else (a forged press, a button from an older version of the bot) decodes to None and is answered
"this button is out of date".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.enums import STATUS_FLOW, ChatPurpose
from bot.services.ids import MAX_ID

VERSION = 1
DATA = re.compile(r"^([a-z])(\d{1,3}):([a-z_]{1,16}):(\d{1,10}):(\d{1,6})$")


class Family(StrEnum):
    """What a button acts on; one letter each, since Telegram allows 64 bytes of data."""

    RECORD = "r"
    FINANCE = "f"
    ALARM = "a"
    HANDOVER = "h"
    SWAP = "s"
    BROADCAST = "b"
    PAGE = "p"
    DRAFT = "d"
    FORM = "m"
    SETUP = "c"
    WHEN = "w"
    """A reading of a date or time the bot asks about before saving (✅ this one, another, ✏️ retype)."""
    FORGET = "e"
    APPEAL = "x"
    """A manager's answer to an appeal against a fine: keep it or cancel it."""


RECORD_STATUSES = frozenset(
    target for flow in STATUS_FLOW.values() for targets in flow.values() for target in targets
)
ESCALATE = "esc"


@dataclass(frozen=True, slots=True)
class Spec:
    """The verbs a family knows and the range its argument must lie in."""

    verbs: frozenset[str]
    args: range = range(1)


SPECS: dict[Family, Spec] = {
    Family.RECORD: Spec(RECORD_STATUSES | {ESCALATE}, range(10)),
    Family.FINANCE: Spec(frozenset({"paid", "reject", "page"}), range(10_000)),
    Family.ALARM: Spec(frozenset({"done", "snooze", "onit"}), range(241)),
    Family.HANDOVER: Spec(frozenset({"done"})),
    Family.SWAP: Spec(frozenset({"accept", "decline", "approve", "refuse"})),
    Family.BROADCAST: Spec(frozenset({"confirm", "cancel", "ack"})),
    Family.PAGE: Spec(frozenset({"go"}), range(10_000)),
    Family.DRAFT: Spec(frozenset({"log"})),
    Family.FORM: Spec(frozenset({"buyer", "shop", "split", "yes", "no", "skip", "save", "cancel"})),
    Family.SETUP: Spec(frozenset({"confirm", "cancel"}), range(len(ChatPurpose))),
    Family.WHEN: Spec(frozenset({"pick", "retype"}), range(8)),
    Family.FORGET: Spec(frozenset({"confirm", "cancel"})),
    Family.APPEAL: Spec(frozenset({"keep", "cancel"})),
}
"""A SETUP button's argument is the purpose's place in ChatPurpose (the group is where it is pressed)."""


@dataclass(frozen=True, slots=True)
class Button:
    """A decoded press: which family, what to do, to which object, with which small argument."""

    family: Family
    verb: str
    id: int = 0
    arg: int = 0

    def encode(self) -> str:
        """The callback data to put under the button."""
        spec = SPECS[self.family]
        if self.verb not in spec.verbs or not 0 <= self.id <= MAX_ID or self.arg not in spec.args:
            raise ValueError(f"button out of bounds: {self}")
        return f"{self.family.value}{VERSION}:{self.verb}:{self.id}:{self.arg}"


def encode(family: Family, verb: str, id: int = 0, arg: int = 0) -> str:
    """Callback data for one button."""
    return Button(family, verb, id, arg).encode()


def decode(data: str | None) -> Button | None:
    """The button a press carries, or None when it is malformed, out of bounds or from another version."""
    found = DATA.match(data or "")
    if found is None or int(found[2]) != VERSION:
        return None
    try:
        family = Family(found[1])
    except ValueError:
        return None
    spec, verb, number, arg = SPECS[family], found[3], int(found[4]), int(found[5])
    if verb not in spec.verbs or number > MAX_ID or arg not in spec.args:
        return None
    return Button(family, verb, number, arg)


def pattern(family: Family) -> str:
    """The CallbackQueryHandler pattern for a family: every version, so stale presses reach the gate too."""
    return rf"^{family.value}\d"
