"""Turns what the bot posted in a chat into one delivery row per robot linked there (queued, sent later).

The rows are kept before the Telegram posting is recorded, with unique (occurrence, channel, robot, part), so
a crash in between neither loses the robot's copy nor makes a second one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.services.channels import links
from bot.services.channels.vendors import WECOM
from bot.services.scheduling import deliveries

FILE_PART = "~f"
"""Added to a part's name for the WeCom post carrying its file (the text goes first)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file or photo of the posting: WeCom gets it as a file (or image), DingTalk a line saying where."""

    file_id: str
    name: str
    kind: str
    """file or image."""


@dataclass(frozen=True, slots=True)
class Posting:
    """What a robot should say: the text as posted (already masked for a group) plus a line in place of the
    buttons, who it mentions, and any file."""

    chat_id: int
    text: str
    mentions: dict[str, int] = field(default_factory=dict)
    """A mention as written ("@alice") → the person's Telegram id."""
    attachment: Attachment | None = None
    attachment_note: str = ""
    """Said instead of the file where the robot cannot post one (DingTalk)."""


def _rows(vendor: str, part: str, posting: Posting) -> list[tuple[str, dict[str, object]]]:
    """One vendor's posts: the text (with a note in place of a file it cannot post), then a file."""
    base: dict[str, object] = {"chat": posting.chat_id, "mentions": posting.mentions}
    note = posting.attachment_note if posting.attachment and vendor != WECOM else ""
    text = "\n".join(line for line in (posting.text, note) if line)
    rows: list[tuple[str, dict[str, object]]] = [(part, {**base, "text": text})] if text else []
    if posting.attachment and vendor == WECOM:
        found = posting.attachment
        rows.append(
            (
                part + FILE_PART,
                {**base, "file": {"id": found.file_id, "name": found.name, "kind": found.kind}},
            )
        )
    return rows


async def queue(occurrence_id: int, part: str, posting: Posting) -> list[int]:
    """Keep the posting's copy for every robot of its chat; returns the robots that have something new."""
    woken = []
    for robot_id, vendor in await links.robots_of(posting.chat_id):
        for name, extra in _rows(vendor, part, posting):
            if await deliveries.queue(occurrence_id, vendor, robot_id, name, extra):
                woken.append(robot_id)
    return sorted(set(woken))
