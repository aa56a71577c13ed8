"""Broadcasts: a supervisor's announcement to the registered chats of one purpose.

Previewed and confirmed before anything goes out, posted once per chat by the scheduler engine, and
acknowledged with Got it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.enums import AGENT_ROLES, ChatPurpose, Role, ScheduleKind
from bot.i18n import N_
from bot.models import Broadcast, BroadcastAck, Chat, Delivery, Occurrence, Person, RoleGrant, Schedule
from bot.services import audit, ids
from bot.services.clean import clean
from bot.services.errors import UserError
from bot.services.scheduling import deliveries, schedules
from bot.services.team import chats
from bot.services.when import Once, Reading, read_moment

KIND = ScheduleKind.BROADCAST
"""The Schedule kind whose postings are broadcasts (jobs/broadcasts.py posts them)."""
DRAFT, WAITING, SENDING, DONE, CANCELLED = "draft", "waiting", "sending", "done", "cancelled"
MISSED = "missed"
"""Never stored: a confirmed broadcast whose time the bot was down through (the engine marked it missed)."""
PIN_ERROR = "pin_error"
"""What a delivery keeps when the pin asked for failed: Telegram's reason, for the report."""
ALL = "all"
MAX_TEXT = 3500
"""Room for the sender line under Telegram's 4,096 characters."""
MAX_CAPTION = 900
"""Room for the sender line under Telegram's 1,024-character photo captions."""
SUMMARY = 60
SECOND = timedelta(seconds=1)

TARGET_ALIASES: dict[str, str] = {
    **chats.PURPOSE_ALIASES,
    **dict.fromkeys(("all", "everyone", "全部", "所有", "所有人"), ALL),
}
TARGET_KEYS = frozenset({"to", "发给", "发送给", "给"})
TIME_KEYS = frozenset({"at", "时间", "定时"})
PIN_WORDS = frozenset({"pin", "置顶"})
SILENT_WORDS = frozenset({"silent", "静音"})
LIST_WORDS = frozenset({"list", "列表"})
CANCEL_WORDS = frozenset({"cancel", "取消"})
WORD = re.compile(r"\S+")

AUDIENCE: dict[str, frozenset[Role]] = {
    ChatPurpose.TEAM: AGENT_ROLES,
    ChatPurpose.SUPERVISORS: frozenset({Role.SUPERVISOR, Role.MANAGER}),
    ChatPurpose.FINANCE: frozenset({Role.FINANCE}),
    ChatPurpose.WAREHOUSE: frozenset({Role.WAREHOUSE}),
    ChatPurpose.REVIEW: frozenset({Role.REVIEW}),
    ALL: frozenset(Role),
}
"""Who is expected to press Got it, by target: the bot knows people by role, not by chat membership."""

EMPTY = N_(
    "What should I send? Write the text after the options, or reply to a text or photo with /broadcast."
)
UNKNOWN_TARGET = N_("Unknown target to=“{value}”. Targets: {targets}.")
UNKNOWN_OPTION = N_("Unknown option “{value}”. Options: to=, at=, pin, silent (发给=, 时间=, 置顶, 静音).")
EMPTY_OPTION = N_("The option {field}= is empty, e.g. to=team or at=14:30.")
TWICE = N_("Give {field}= only once.")
BAD_TIME = N_("I can't read at=“{value}” as a time of day: use HH:MM, e.g. at=14:30 or 时间=14点30.")
TOO_LONG = N_("The message is {length} characters; keep it to {limit}.")
REPLY_AND_TEXT = N_(
    "When you reply to a message, that message is what I send: put only options after /broadcast "
    "(to=, at=, pin, silent)."
)
NOT_SENDABLE = N_("I can broadcast a text or a photo; the message you replied to is neither.")
NO_CHATS = N_("No chat is registered as “{value}”. Register one there with /setup {value}.")
NO_SUCH = N_("There is no broadcast {value}.")
ALREADY = N_("Broadcast #{id} was already handled.")
TIME_PASSED = N_("The time of broadcast #{id} has passed: send /broadcast again with a new at=.")
TOO_LATE_TO_CANCEL = N_("Broadcast #{id} is already going out or sent; it can't be cancelled.")
WHICH = N_("Which broadcast? Give its number, e.g. /acks 3.")


@dataclass(frozen=True, slots=True)
class Quoted:
    """The message a /broadcast replies to: its text (or caption) and its photo, if any."""

    text: str
    photo: str | None


@dataclass(frozen=True, slots=True)
class Request:
    """A parsed /broadcast: where to, what, and how."""

    target: str
    body: str
    photo: str | None
    pin: bool
    silent: bool
    send_at: datetime | None
    when: Reading | None = field(default=None, compare=False)
    """How at= was read: a bare 3点 is worth confirming before the preview (03:00 or 15:00?)."""


@dataclass(frozen=True, slots=True)
class TargetChat:
    """A chat a broadcast goes to, with its title as it was when the preview named it."""

    id: int
    title: str


@dataclass(frozen=True, slots=True)
class Acks:
    """Who pressed Got it under a broadcast (with when), and who of its audience has not yet."""

    acked: list[tuple[Person | None, BroadcastAck]]
    waiting: list[Person]


def parse_target(value: str) -> str:
    """A chat purpose or `all`, in English or Chinese."""
    target = TARGET_ALIASES.get(value.strip().lower())
    if target is None:
        raise UserError(UNKNOWN_TARGET, value=value, targets=", ".join([*ChatPurpose, ALL]))
    return str(target)


def parse_time(value: str, now: datetime, zone: ZoneInfo) -> Reading:
    """A moment in the shop's zone (14:30, 14点30, 明天9点, 两小时后); one past today means tomorrow."""
    try:
        return read_moment(value, now, zone)
    except UserError:
        raise UserError(BAD_TIME, value=value) from None


def parse(args: str, quoted: Quoted | None, now: datetime, zone: ZoneInfo) -> Request:
    """Read leading options (to=, at=, pin, silent, or their Chinese forms), then the text as typed."""
    options: dict[str, str] = {}
    flags: set[str] = set()
    body_start = len(args)
    for word in WORD.finditer(args):
        key, sep, value = word[0].replace("＝", "=").partition("=")
        key = key.lower()
        if sep:
            field = "to" if key in TARGET_KEYS else "at" if key in TIME_KEYS else None
            if field is None:
                raise UserError(UNKNOWN_OPTION, value=word[0])
            if not value.strip():
                raise UserError(EMPTY_OPTION, field=key)
            if field in options:
                raise UserError(TWICE, field=key)
            options[field] = value
        elif key in PIN_WORDS | SILENT_WORDS:
            flags.add("pin" if key in PIN_WORDS else "silent")
        else:
            body_start = word.start()
            break
    text = args[body_start:].strip()
    target = parse_target(options["to"]) if "to" in options else ChatPurpose.TEAM.value
    when = parse_time(options["at"], now, zone) if "at" in options else None
    photo = None
    if quoted is not None:
        if text:
            raise UserError(REPLY_AND_TEXT)
        if not quoted.text and quoted.photo is None:
            raise UserError(NOT_SENDABLE)
        text, photo = quoted.text.strip(), quoted.photo
    if not text and photo is None:
        raise UserError(EMPTY)
    text = clean(text, multiline=True)
    limit = MAX_CAPTION if photo else MAX_TEXT
    if len(text) > limit:
        raise UserError(TOO_LONG, length=len(text), limit=limit)
    send_at = when.rule.at if when is not None and isinstance(when.rule, Once) else None
    return Request(target, text, photo, "pin" in flags, "silent" in flags, send_at, when)


def subcommand(args: str) -> tuple[str, int | None] | None:
    """`list` or `cancel <id>` (列表, 取消 3) when that is all the words say; None for a broadcast to make,
    so "取消 今晚聚餐" is still an announcement."""
    words = args.split()
    if len(words) == 1 and words[0].lower() in LIST_WORDS:
        return "list", None
    number = words[1].lstrip("#") if len(words) == 2 else ""
    if words[:1] and words[0].lower() in CANCEL_WORDS and number.isascii() and number.isdigit():
        return "cancel", ids.parse_id(number)
    return None


async def targets(target: str) -> list[Chat]:
    """The registered chats a target reaches, or a clear error when there is none."""
    found = [chat for chat in await chats.registered() if target == ALL or chat.purpose == target]
    if not found:
        raise UserError(NO_CHATS, value=target)
    return found


async def create(
    request: Request, *, author_id: int, chat_id: int, zone: ZoneInfo, to: list[Chat]
) -> Broadcast:
    """Store a draft with its target chats (the ones the preview names, in order); audited."""
    async with in_transaction() as conn:
        broadcast = await Broadcast.create(
            author_id=author_id,
            chat_id=chat_id,
            target=request.target,
            body=request.body,
            photo=request.photo,
            pin=request.pin,
            silent=request.silent,
            send_at=request.send_at,
            timezone=zone.key,
            target_chats=[{"id": chat.id, "title": chat.title} for chat in to],
            using_db=conn,
        )
        await audit.record(
            actor_id=author_id,
            chat_id=chat_id,
            action="broadcast.create",
            target=f"broadcast:{broadcast.id}",
            after={
                "target": request.target,
                "chats": [chat.id for chat in to],
                "text": summary(broadcast),
                "photo": request.photo is not None,
                "pin": request.pin,
                "silent": request.silent,
                "at": request.send_at.isoformat() if request.send_at else None,
            },
            using_db=conn,
        )
    return broadcast


async def set_preview(broadcast: Broadcast, message_id: int) -> None:
    """Remember the preview, so the delivery report can answer it."""
    broadcast.preview_message_id = message_id
    await broadcast.save(update_fields=["preview_message_id"])


def summary(broadcast: Broadcast) -> str:
    """A short line naming the broadcast in lists and in the scheduler."""
    text = " ".join(broadcast.body.split()) or "📷"
    return text if len(text) <= SUMMARY else text[: SUMMARY - 1] + "…"


async def get(broadcast_id: int) -> Broadcast:
    """A broadcast by number, or a clear error."""
    broadcast = await Broadcast.get_or_none(id=broadcast_id)
    if broadcast is None:
        raise UserError(NO_SUCH, value=broadcast_id)
    return broadcast


async def _move(
    broadcast: Broadcast, before: tuple[str, ...], after: str, *, actor_id: int, now: datetime
) -> bool:
    """Change state only from the expected ones, with an audit entry: a second press changes nothing."""
    async with in_transaction() as conn:
        moved = await (
            Broadcast.filter(id=broadcast.id, state__in=before)
            .using_db(conn)
            .update(state=after, decided_by=actor_id, decided_at=now)
        )
        if moved:
            await audit.record(
                actor_id=actor_id,
                chat_id=broadcast.chat_id,
                action="broadcast.confirm" if after == WAITING else "broadcast.cancel",
                target=f"broadcast:{broadcast.id}",
                before={"state": broadcast.state},
                after={"state": after},
                using_db=conn,
            )
    if moved:
        broadcast.state, broadcast.decided_by, broadcast.decided_at = after, actor_id, now
    return bool(moved)


async def confirm(broadcast_id: int, *, actor_id: int, now: datetime) -> tuple[Broadcast, Schedule]:
    """Confirm a draft: it becomes a one-off schedule, due now or at its time, that the engine posts once."""
    broadcast = await get(broadcast_id)
    if broadcast.state != DRAFT:
        raise UserError(ALREADY, id=broadcast.id)
    if broadcast.send_at is not None and broadcast.send_at <= now:
        raise UserError(TIME_PASSED, id=broadcast.id)
    if not await _move(broadcast, (DRAFT,), WAITING, actor_id=actor_id, now=now):
        raise UserError(ALREADY, id=broadcast.id)
    due = broadcast.send_at or now
    schedule = await schedules.create(
        kind=KIND,
        chat_id=broadcast.chat_id,
        owner_id=actor_id,
        parsed=Reading(Once(due), f"📣 {summary(broadcast)}"),
        zone=ZoneInfo(broadcast.timezone),
        now=min(now, due - SECOND),  # create() takes the first posting strictly after `now`
        ref=f"{KIND}:{broadcast.id}",
        escalate_minutes=None,
    )
    return broadcast, schedule


async def cancel(broadcast_id: int, *, actor_id: int, now: datetime) -> tuple[Broadcast, Schedule | None]:
    """Cancel a draft, or a confirmed broadcast still waiting for its time; returns its schedule to disarm."""
    broadcast = await get(broadcast_id)
    if broadcast.state in (SENDING, DONE):
        raise UserError(TOO_LATE_TO_CANCEL, id=broadcast.id)
    if not await _move(broadcast, (DRAFT, WAITING), CANCELLED, actor_id=actor_id, now=now):
        raise UserError(ALREADY, id=broadcast.id)
    schedule = await Schedule.get_or_none(ref=f"{KIND}:{broadcast.id}", kind=KIND)
    if schedule is not None and schedule.state == schedules.ACTIVE:
        await schedules.set_state(schedule, schedules.DELETED, actor_id=actor_id, now=now)
    return broadcast, schedule


async def of_schedule(schedule: Schedule) -> Broadcast | None:
    """The broadcast a scheduled posting belongs to."""
    kind, _, number = (schedule.ref or "").partition(":")
    return await Broadcast.get_or_none(id=int(number)) if kind == KIND and number.isdigit() else None


async def start_sending(broadcast: Broadcast) -> bool:
    """Move a confirmed broadcast to sending (a cancel can no longer win); True also when resuming a send."""
    await Broadcast.filter(id=broadcast.id, state=WAITING).update(state=SENDING)
    await broadcast.refresh_from_db(fields=["state"])
    return broadcast.state == SENDING


def target_chats(broadcast: Broadcast) -> list[TargetChat]:
    """The chats a broadcast goes to (or went to): where a copy is sent and where Got it may be pressed."""
    return [TargetChat(int(str(chat["id"])), str(chat["title"])) for chat in broadcast.target_chats]


async def finish(broadcast: Broadcast, occurrence: Occurrence) -> list[Delivery] | None:
    """Close a sent broadcast once, auditing the counts; its deliveries, or None when it was closed before."""
    sent_to = await deliveries.of_occurrence(occurrence)
    sent = sum(1 for delivery in sent_to if delivery.state == deliveries.SENT)
    async with in_transaction() as conn:
        closed = await Broadcast.filter(id=broadcast.id, state=SENDING).using_db(conn).update(state=DONE)
        if closed:
            await audit.record(
                actor_id=broadcast.decided_by,
                chat_id=broadcast.chat_id,
                action="broadcast.delivered",
                target=f"broadcast:{broadcast.id}",
                after={"delivered": sent, "failed": len(sent_to) - sent},
                using_db=conn,
            )
    return sent_to if closed else None


async def acknowledge(broadcast_id: int, person_id: int, chat_id: int) -> bool:
    """Record a Got it; False when this person already pressed it (in any chat)."""
    await get(broadcast_id)
    try:
        async with in_transaction() as conn:
            await BroadcastAck.create(
                broadcast_id=broadcast_id, person_id=person_id, chat_id=chat_id, using_db=conn
            )
    except IntegrityError:
        return False
    return True


async def acks(broadcast: Broadcast) -> Acks:
    """Who pressed Got it, and which people holding the target's roles (author aside) have not yet."""
    pressed = await BroadcastAck.filter(broadcast_id=broadcast.id)
    people = {person.id: person for person in await Person.filter(id__in=[a.person_id for a in pressed])}
    done = {ack.person_id for ack in pressed}
    roles = AUDIENCE[broadcast.target]
    grants = await RoleGrant.filter(role__in=list(roles)).prefetch_related("person").order_by("id")
    waiting: dict[int, Person] = {}
    for grant in grants:
        if grant.person.id not in done and grant.person.id != broadcast.author_id:
            waiting.setdefault(grant.person.id, grant.person)
    return Acks([(people.get(ack.person_id), ack) for ack in pressed], list(waiting.values()))


async def state_of(broadcast: Broadcast) -> str:
    """The broadcast's state, telling a missed one from one still waiting for its time."""
    waiting = await Schedule.exists(ref=f"{KIND}:{broadcast.id}", kind=KIND, state=schedules.ACTIVE)
    return MISSED if broadcast.state == WAITING and not waiting else broadcast.state


async def scheduled() -> list[Broadcast]:
    """Confirmed broadcasts waiting for their time, soonest first (not those the engine marked missed)."""
    refs = await Schedule.filter(kind=KIND, state=schedules.ACTIVE).values_list("ref", flat=True)
    due = [int(str(ref).partition(":")[2]) for ref in refs if ref]
    return await Broadcast.filter(id__in=due, state=WAITING, send_at__isnull=False).order_by("send_at", "id")
