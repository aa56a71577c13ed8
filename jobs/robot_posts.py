"""Group robots (WeCom, DingTalk) as a second channel: mirror what the bot posts on its own, paced per robot.

`mirror` runs where every scheduled posting is recorded (jobs/engine.py): it keeps one delivery row per robot
linked in the chat, then wakes that robot's worker. A worker is a JobQueue timer per robot (`robot:<id>`) that
sends the robot's rows in order, each claimed before it is sent and recorded after, never faster than the
vendor allows; a limit answer, a 5xx or a network error is retried with backoff, and a robot that keeps
failing is reported once to the supervisors. Robots never hold the Telegram posting lock, so a slow or broken
robot delays neither Telegram nor the other robots.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
from datetime import timedelta

from telegram import Message, MessageEntity
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.enums import ChatPurpose
from bot.models import Delivery, RobotLink
from bot.ratelimit import REPLY_RETRIES
from bot.render.context import App, chat_translator, settings_of
from bot.services.channels import client, links, pacing, vendors
from bot.services.channels import mirror as mirrors
from bot.services.channels import people as robot_people
from bot.services.channels.mirror import Attachment, Posting
from bot.services.channels.vault import Vault
from bot.services.channels.vendors import Answer, Credentials
from bot.services.scheduling import deliveries
from bot.services.team import chats, people
from jobs.engine import bulk, now

log = logging.getLogger(__name__)

LOCKS_KEY = "robot_locks"
MAX_ATTEMPTS = 8
BACKOFF = timedelta(seconds=15)
MAX_BACKOFF = timedelta(minutes=10)
CONTENT = ("text", "mentions")
"""What a robot row says, dropped once it is sent or given up: the post is the robot's to keep, not ours."""
USERNAME = re.compile(r"@([A-Za-z0-9_]{3,32})")


async def _mentions(message: Message) -> dict[str, int]:
    """Who the posting mentions: "@name" (as written) → Telegram id, for the people the bot knows."""
    found: dict[str, int] = {}
    for token in dict.fromkeys(USERNAME.findall(message.text or message.caption or "")):
        person = await people.by_username(token)
        if person is not None:
            found[f"@{token}"] = person.id
    for entity, text in message.parse_entities([MessageEntity.TEXT_MENTION]).items():
        if entity.user is not None:
            found[text] = entity.user.id
    return found


def _attachment(message: Message) -> Attachment | None:
    """The posting's file or photo (the largest size), if any."""
    if message.document is not None:
        return Attachment(message.document.file_id, message.document.file_name or "file", "file")
    if message.photo:
        return Attachment(message.photo[-1].file_id, "photo.jpg", "image")
    return None


async def posting_of(app: App, message: Message) -> Posting:
    """What a robot says for a Telegram posting, in the chat's language: its text, and a line instead of the
    buttons (with a link back to the message where Telegram gives one) or of a file the robot cannot take."""
    t = await chat_translator(app, message.chat_id)
    where = message.link or t("the Telegram chat “{title}”", title=message.chat.title or "")
    lines = [message.text or message.caption or ""]
    if message.reply_markup is not None and message.reply_markup.inline_keyboard:
        lines.append(t("👉 Press the buttons in Telegram: {where}", where=where))
    found = _attachment(message)
    note = t("📎 {name} is in Telegram: {where}", name=found.name, where=where) if found else ""
    text = "\n".join(line for line in lines if line)
    return Posting(message.chat_id, text, await _mentions(message), found, note)


async def mirror(app: App, occurrence_id: int, part: str, message: Message) -> None:
    """Keep the robots' copies of a posting the bot just made, then wake those robots (nothing if none)."""
    if not await links.robots_of(message.chat_id):
        return
    for robot_id in await mirrors.queue(occurrence_id, part, await posting_of(app, message)):
        kick(app, robot_id)


def kick(app: App, robot_id: int, wait: timedelta | None = None) -> None:
    """Make sure the robot's worker runs (now, or after `wait`); a worker already armed keeps its time."""
    name = f"robot:{robot_id}"
    if app.job_queue is None or app.job_queue.get_jobs_by_name(name):
        return
    app.job_queue.run_once(
        drain_job,
        when=wait or timedelta(0),
        data=robot_id,
        name=name,
        job_kwargs={"misfire_grace_time": None},
    )


async def drain_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Timer callback: send what the robot has waiting."""
    assert context.job is not None
    await drain(context.application, int(context.job.data))  # type: ignore[call-overload]


def _lock(app: App, robot_id: int) -> asyncio.Lock:
    """One worker at a time per robot, so its posts keep their order and its pace."""
    locks: dict[int, asyncio.Lock] = app.bot_data.setdefault(LOCKS_KEY, {})
    return locks.setdefault(robot_id, asyncio.Lock())


async def drain(app: App, robot_id: int) -> None:
    """Send the robot's waiting posts in order until none is left, the pace says wait or one is retried."""
    key = settings_of(app).channel_secret_key
    if not key:
        log.error("robot %s has posts waiting but CHANNEL_SECRET_KEY is not set", robot_id)
        return
    vault = Vault(key)
    async with _lock(app, robot_id):
        while True:
            link = await links.get(robot_id)
            vendor = link.vendor if link else None
            delivery = await next_for(robot_id, vendor)
            if delivery is None:
                return
            robot = links.credentials(vault, link) if link else None
            if link is None or robot is None:
                await deliveries.failed(
                    delivery, "robot unlinked" if link is None else "CHANNEL_SECRET_KEY changed"
                )
                continue
            wait = await pacing.wait_before(robot_id, now())
            if wait > timedelta(0):
                kick(app, robot_id, wait)
                return
            retry = await send_one(app, vault, link, robot, delivery)
            if retry is not None:
                kick(app, robot_id, retry)
                return


async def next_for(robot_id: int, vendor: str | None) -> Delivery | None:
    """The robot's oldest open post (any vendor's channel once the robot is gone, to fail them all)."""
    for channel in (vendor,) if vendor else vendors.VENDORS:
        found = await deliveries.next_open(channel, robot_id)
        if found is not None:
            return found
    return None


async def send_one(
    app: App, vault: Vault, link: RobotLink, robot: Credentials, delivery: Delivery
) -> timedelta | None:
    """Claim one post, send it and record the answer; the wait before a retry, or None to go on."""
    if delivery.state != deliveries.SENDING:
        delivery.state = deliveries.SENDING
        await delivery.save(update_fields=["state"])
    await pacing.note(link.id, now())
    answer = await post(app, vault, robot, delivery)
    if answer.ok:
        await deliveries.accepted(delivery, now())
        await deliveries.drop_content(delivery, CONTENT)
        await links.worked(link)
        return None
    log.warning("%s robot %s refused or failed post %s: %s", link.vendor, link.id, delivery.id, answer.reason)
    attempts = await deliveries.attempted(delivery, answer.reason)
    retrying = answer.retry is not None and attempts < MAX_ATTEMPTS
    if not retrying:
        await deliveries.failed(delivery, answer.reason)
        await deliveries.drop_content(delivery, CONTENT)
    if await links.failed(link, for_good=answer.retry is None, now=now()):
        await report(app, link, answer)
    if not retrying:
        return None
    assert answer.retry is not None
    return max(answer.retry, min(BACKOFF * (1 << (attempts - 1)), MAX_BACKOFF))


async def post(app: App, vault: Vault, robot: Credentials, delivery: Delivery) -> Answer:
    """Send one kept post in the vendor's shape: a text with its mentions, or a file or image (WeCom)."""
    base = base_url(app, robot.vendor)
    extra = delivery.extra
    found = extra.get("file")
    if isinstance(found, dict):
        try:
            content = bytes(await (await app.bot.get_file(str(found["id"]))).download_as_bytearray())
        except TelegramError as exc:
            return Answer(False, 0, f"Telegram file: {exc.message}", retry=timedelta(seconds=30))
        if found.get("kind") == "image":
            digest = hashlib.md5(content, usedforsecurity=False).hexdigest()
            image = {"base64": base64.b64encode(content).decode("ascii"), "md5": digest}
            return await client.send(base, robot, {"msgtype": "image", "image": image})
        answer, media = await client.upload(base, robot, str(found["name"]), content)
        return await client.send(base, robot, vendors.wecom_file(media)) if media else answer
    mentions = {str(k): int(str(v)) for k, v in dict(extra.get("mentions") or {}).items()}  # type: ignore[call-overload]
    known = await robot_people.resolve(vault, robot.vendor, set(mentions.values()))
    who = {token: known[person] for token, person in mentions.items() if person in known}
    return await client.send(base, robot, vendors.message(robot.vendor, str(extra.get("text", "")), who))


def base_url(app: App, vendor: str) -> str:
    """Where this vendor's robots are reached (configurable, so tests and gateways can stand in)."""
    settings = settings_of(app)
    return settings.wecom_api_base_url if vendor == vendors.WECOM else settings.dingtalk_api_base_url


async def report(app: App, link: RobotLink, answer: Answer) -> None:
    """Tell the supervisors (else the robot's chat) once that it keeps failing."""
    targets = await chats.of_purpose(ChatPurpose.SUPERVISORS) or [link.chat_id]
    title = (await chats.titles([link.chat_id])).get(link.chat_id, str(link.chat_id))
    waiting = await Delivery.filter(channel=link.vendor, recipient=link.id, state__in=deliveries.OPEN).count()
    for chat_id in targets:
        t = await chat_translator(app, chat_id)
        text = t(
            "⚠️ The {vendor} robot {robot} of “{chat}” keeps failing ({reason}); {n} posts wait for it. "
            "Check the robot, or link it again with /{command} in that chat.",
            vendor=t(vendors.LABELS[link.vendor]),
            robot=link.hint,
            chat=title,
            reason=answer.reason,
            n=waiting,
            command=link.vendor,
        )
        try:
            await app.bot.send_message(chat_id, text, **bulk(app, REPLY_RETRIES))
        except TelegramError as exc:
            log.error("could not report failing robot %s to chat %s: %s", link.id, chat_id, exc)


async def resume(app: App) -> None:
    """At start: wake every robot that still has posts waiting (left open by a stop or a crash)."""
    for robot_id in await deliveries.open_recipients(vendors.VENDORS):
        kick(app, robot_id)
