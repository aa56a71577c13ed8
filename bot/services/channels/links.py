"""Which chat mirrors to which robot: linked after a test post the robot accepted, stored encrypted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from bot.i18n import N_
from bot.models import RobotLink
from bot.services import audit, invalidation
from bot.services.channels import client, vendors
from bot.services.channels.vault import Vault, hint
from bot.services.channels.vendors import Answer, Credentials
from bot.services.errors import UserError

REPORT_AFTER = 3
"""Failed attempts in a row after which the supervisors hear that a robot keeps failing."""

_by_chat: dict[int, tuple[tuple[int, str], ...]] | None = None


def forget_cache() -> None:
    """Drop the cached chat → robots map (a new database was opened)."""
    global _by_chat
    _by_chat = None


invalidation.register("robots", lambda _key: forget_cache())


async def robots_of(chat_id: int) -> tuple[tuple[int, str], ...]:
    """The robots (id, vendor) a chat mirrors to (cached, since every posting asks)."""
    global _by_chat
    if _by_chat is None:
        found: dict[int, tuple[tuple[int, str], ...]] = {}
        for robot_id, chat, vendor in (
            await RobotLink.all().order_by("id").values_list("id", "chat_id", "vendor")
        ):
            found[int(chat)] = (*found.get(int(chat), ()), (int(robot_id), str(vendor)))
        _by_chat = found
    return _by_chat.get(chat_id, ())


async def get(robot_id: int) -> RobotLink | None:
    """A linked robot, or None once unlinked."""
    return await RobotLink.get_or_none(id=robot_id)


async def of_chat(chat_id: int) -> list[RobotLink]:
    """The robots linked in a chat."""
    return await RobotLink.filter(chat_id=chat_id).order_by("vendor")


async def every() -> list[RobotLink]:
    """Every linked robot, by chat."""
    return await RobotLink.all().order_by("chat_id", "vendor")


def credentials(vault: Vault, link: RobotLink) -> Credentials | None:
    """A robot's key (and secret) in clear, or None when they were sealed with another CHANNEL_SECRET_KEY."""
    token = vault.open(link.token)
    secret = vault.open(link.secret) if link.secret else None
    if token is None or (link.secret and secret is None):
        return None
    return Credentials(link.vendor, token, secret)


@dataclass(frozen=True, slots=True)
class Linked:
    """The outcome of linking: the test post's answer, and the link when the robot accepted it."""

    answer: Answer
    link: RobotLink | None


async def link(
    vault: Vault,
    robot: Credentials,
    *,
    base: str,
    test_text: str,
    chat_id: int,
    actor_id: int,
    now: datetime,
) -> Linked:
    """Send the robot a test post; only if it takes it, store the robot (encrypted) for the chat."""
    answer = await client.send(base, robot, vendors.message(robot.vendor, test_text, {}))
    if not answer.ok:
        return Linked(answer, None)
    shown = hint(robot.token)
    async with in_transaction() as conn:
        found = await RobotLink.get_or_none(chat_id=chat_id, vendor=robot.vendor, using_db=conn)
        before: dict[str, object] | None = {"vendor": found.vendor, "robot": found.hint} if found else None
        fields = {
            "token": vault.seal(robot.token),
            "secret": vault.seal(robot.secret) if robot.secret else None,
            "hint": shown,
            "linked_by_id": actor_id,
            "failures": 0,
            "reported_at": None,
        }
        if found is None:
            found = await RobotLink.create(chat_id=chat_id, vendor=robot.vendor, using_db=conn, **fields)
        else:
            found.update_from_dict(fields)
            await found.save(using_db=conn)
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="robot.link",
            target=f"{robot.vendor}:{found.id}",
            before=before,
            after={
                "vendor": robot.vendor,
                "robot": shown,
                "signed": bool(robot.secret),
                "at": now.isoformat(),
            },
            using_db=conn,
        )
    forget_cache()
    await invalidation.changed("robots")
    return Linked(answer, found)


async def unlink(vendor: str, *, chat_id: int, actor_id: int) -> RobotLink:
    """Stop mirroring a chat to its robot of this vendor; the stored key is deleted with it."""
    async with in_transaction() as conn:
        found = await RobotLink.get_or_none(chat_id=chat_id, vendor=vendor, using_db=conn)
        if found is None:
            raise UserError(N_("No {vendor} robot is linked in this chat."), vendor=vendors.LABELS[vendor])
        await found.delete(using_db=conn)
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="robot.unlink",
            target=f"{vendor}:{found.id}",
            before={"vendor": vendor, "robot": found.hint},
            using_db=conn,
        )
    forget_cache()
    await invalidation.changed("robots")
    return found


async def worked(link: RobotLink) -> None:
    """The robot accepted a post: it is healthy again."""
    if link.failures or link.reported_at:
        link.failures, link.reported_at = 0, None
        await link.save(update_fields=["failures", "reported_at"])


async def failed(link: RobotLink, *, for_good: bool, now: datetime) -> bool:
    """Count a failed attempt; True exactly once per bad spell: when the supervisors should now be told."""
    link.failures += 1
    due = link.reported_at is None and (for_good or link.failures >= REPORT_AFTER)
    if due:
        link.reported_at = now
    await link.save(update_fields=["failures", "reported_at"])
    return due
