"""Deliveries: the messages of a posting that fans out, one row per recipient, part and channel.

A broadcast's copy in each chat, each message of a shift posting, each copy of a rotation handoff and each
part of a digest is claimed here before it is sent and recorded right after, under the engine's posting
lock. A retry or a restart therefore sends only what is missing, and a crash repeats at most one message.
"""

from __future__ import annotations

from datetime import datetime

from bot.models import Delivery, Occurrence

TELEGRAM = "telegram"
"""Telegram's channel; a group robot's is its vendor (wecom, dingtalk) with the robot's id as recipient."""
COPY = "copy"
"""The part of a posting that sends every recipient the same message (a broadcast, a rotation handoff)."""
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
OPEN = (PENDING, SENDING)
"""Not finished: never tried, or claimed by a run that stopped before it recorded the outcome."""
MAX_ERROR = 255


async def claim(
    occurrence: Occurrence, recipient: int, part: str, channel: str = TELEGRAM
) -> Delivery | None:
    """Mark a message as being sent before it is sent, so a restart knows it may have gone; None once done."""
    delivery, created = await Delivery.get_or_create(
        occurrence_id=occurrence.id,
        channel=channel,
        recipient=recipient,
        part=part,
        defaults={"state": SENDING},
    )
    if created:
        return delivery
    if delivery.state not in OPEN:
        return None
    if delivery.state != SENDING:
        delivery.state = SENDING
        await delivery.save(update_fields=["state"])
    return delivery


async def delivered(
    delivery: Delivery, message_id: int, now: datetime, extra: dict[str, object] | None = None
) -> None:
    """Record what the channel accepted (and what the poster noted about it, such as a failed pin)."""
    delivery.state, delivery.message_id, delivery.sent_at = SENT, message_id, now
    delivery.extra = {**delivery.extra, **(extra or {})}
    await delivery.save(update_fields=["state", "message_id", "sent_at", "extra"])


async def failed(delivery: Delivery, reason: str) -> None:
    """Record a message refused for good (the bot was blocked or removed), with the reason: never retried."""
    delivery.state, delivery.error = FAILED, reason[:MAX_ERROR]
    await delivery.save(update_fields=["state", "error"])


async def is_delivered(occurrence: Occurrence, recipient: int, part: str, channel: str = TELEGRAM) -> bool:
    """Whether this message of the posting reached its recipient (not refused, not still open)."""
    return await Delivery.exists(
        occurrence_id=occurrence.id, channel=channel, recipient=recipient, part=part, state=SENT
    )


async def of_occurrence(occurrence: Occurrence) -> list[Delivery]:
    """Every message of a posting, in the order they were claimed."""
    return await Delivery.filter(occurrence_id=occurrence.id).order_by("id")


async def queue(
    occurrence_id: int, channel: str, recipient: int, part: str, extra: dict[str, object]
) -> bool:
    """Keep a message for its channel's own worker (a robot) to send; False when it was already kept."""
    _, created = await Delivery.get_or_create(
        occurrence_id=occurrence_id,
        channel=channel,
        recipient=recipient,
        part=part,
        defaults={"state": PENDING, "extra": extra},
    )
    return created


async def next_open(channel: str, recipient: int) -> Delivery | None:
    """The oldest message a channel's recipient has not been sent yet (robots post in order)."""
    return await Delivery.filter(channel=channel, recipient=recipient, state__in=OPEN).order_by("id").first()


async def open_recipients(channels: tuple[str, ...]) -> list[int]:
    """The recipients on these channels with messages left to send (a restart resumes them)."""
    found = await Delivery.filter(channel__in=channels, state__in=OPEN).values_list("recipient", flat=True)
    return sorted({int(str(r)) for r in found})


async def accepted(delivery: Delivery, now: datetime, extra: dict[str, object] | None = None) -> None:
    """Record a message a channel without message ids (a robot) accepted."""
    delivery.state, delivery.sent_at = SENT, now
    delivery.extra = {**delivery.extra, **(extra or {})}
    await delivery.save(update_fields=["state", "sent_at", "extra"])


async def drop_content(delivery: Delivery, keys: tuple[str, ...]) -> None:
    """Forget what a finished message said (a robot's copy of a finance digest names buyers): only the outcome
    stays."""
    delivery.extra = {key: value for key, value in delivery.extra.items() if key not in keys}
    await delivery.save(update_fields=["extra"])


async def attempted(delivery: Delivery, reason: str) -> int:
    """Count a failed attempt that will be retried; returns how many there have been."""
    attempts = int(str(delivery.extra.get("attempts", 0))) + 1
    delivery.extra = {**delivery.extra, "attempts": attempts}
    delivery.error = reason[:MAX_ERROR]
    await delivery.save(update_fields=["extra", "error"])
    return attempts
