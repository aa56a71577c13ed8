"""/wecom, /dingtalk and /channels: link a chat to its WeCom or DingTalk robot, map people, list links."""

from __future__ import annotations

from functools import partial

from telegram.ext import Application

from bot.i18n import N_, Translator
from bot.models import Person, RobotLink
from bot.render.context import settings_of
from bot.services.channels import links, vendors
from bot.services.channels import people as robot_people
from bot.services.channels.vault import vault_of
from bot.services.channels.vendors import Answer
from bot.services.errors import UserError
from bot.services.team import chats, people
from handlers.gate import Call, command
from handlers.privacy import scrub
from jobs.engine import now
from jobs.robot_posts import base_url

OFF_WORDS = frozenset({"off", "关闭", "取消"})
WHO_WORDS = frozenset({"who", "谁", "人员"})
ADVICE = {
    93000: N_("WeCom does not know this key: copy the webhook URL again from the robot's settings."),
    300001: N_("DingTalk does not know this token: copy the webhook URL again from the robot's settings."),
    310000: N_(
        "DingTalk refused the signature or the keywords: give the signing secret (SEC…) after the URL, "
        "or the robot's security setting does not allow the bot."
    ),
}
GENERIC_ADVICE = N_("Check the webhook URL (and the secret) and try again.")


def robot_line(t: Translator, link: RobotLink, title: str) -> str:
    """One linked robot: where, which vendor, the key's last characters, and whether it is failing."""
    line = t(
        "• {chat}: {vendor} robot {robot}", chat=title, vendor=t(vendors.LABELS[link.vendor]), robot=link.hint
    )
    if link.reported_at is not None:
        line += " " + t("(failing)")
    return line


def refused(t: Translator, vendor: str, answer: Answer) -> str:
    """What the vendor said to the test post, and what to do about it."""
    advice = t(ADVICE.get(answer.code, GENERIC_ADVICE))
    return t(
        "❌ The {vendor} robot did not take the test post ({reason}). Nothing was saved. {advice}",
        vendor=t(vendors.LABELS[vendor]),
        reason=answer.reason,
        advice=advice,
    )


async def robot(call: Call, vendor: str) -> None:
    """`/wecom <key or URL>`, `/dingtalk <token or URL> [secret]`, `off`, `who …`; alone: the chat's robot."""
    if call.is_private or await chats.purpose_of(call.chat_id) is None:
        raise UserError(N_("Link a robot in a registered group: /setup it first."))
    words = call.args
    label = call.t(vendors.LABELS[vendor])
    if not words:
        found = [link for link in await links.of_chat(call.chat_id) if link.vendor == vendor]
        title = call.message.chat.title or ""
        lines = [robot_line(call.t, link, title) for link in found]
        await call.reply(
            "\n".join(lines) or call.t("No {vendor} robot is linked in this chat.", vendor=label)
        )
        return
    verb = words[0].lower()
    if verb in WHO_WORDS:
        await who(call, vendor, words[1:])
        return
    if verb in OFF_WORDS:
        gone = await links.unlink(vendor, chat_id=call.chat_id, actor_id=call.user_id)
        await call.reply(
            call.t(
                "✅ The {vendor} robot {robot} is unlinked and its key deleted.",
                vendor=label,
                robot=gone.hint,
            )
        )
        return
    vault = vault_of(settings_of(call.app).channel_secret_key)
    credentials = vendors.read_credentials(vendor, words)
    title = call.message.chat.title or ""
    linked = await links.link(
        vault,
        credentials,
        base=base_url(call.app, vendor),
        test_text=call.t(
            "✅ Test post from the kefu bot: this robot now receives what the bot posts in “{chat}”.",
            chat=title,
        ),
        chat_id=call.chat_id,
        actor_id=call.user_id,
        now=now(),
    )
    if linked.link is None:
        text = refused(call.t, vendor, linked.answer)
    else:
        text = call.t(
            "✅ {vendor} robot {robot} linked: it took the test post. What I post here on my own now goes "
            "there too.",
            vendor=label,
            robot=linked.link.hint,
        )
    await call.reply(text)
    await scrub(call)  # the command held the robot's key


async def who(call: Call, vendor: str, words: list[str]) -> None:
    """`who` lists who is mapped (mobiles masked); `who @name <user id or mobile>` maps one; `off` unmaps."""
    vault = vault_of(settings_of(call.app).channel_secret_key)
    label = call.t(vendors.LABELS[vendor])
    if not words:
        mapped = await robot_people.listing(vault, vendor)
        names = {p.id: p for p in await people_named([m.person_id for m in mapped])}
        lines = [call.t("People known to {vendor}:", vendor=label)]
        lines += [
            f"• {display(names.get(m.person_id), m.person_id)}: {m.user_id or m.mobile}" for m in mapped
        ] or [call.t("• nobody yet: /{command} who @name <user id or mobile>", command=vendor)]
        await call.reply("\n".join(lines))
        return
    if len(words) != 2:
        raise UserError(N_("Name one person and their user id or mobile, e.g. /wecom who @alice zhangsan."))
    person = await people.by_username(words[0])
    if person is None:
        raise UserError(
            N_("I don't know {name} yet: they should write in a chat with me first."), name=words[0]
        )
    if words[1].lower() in OFF_WORDS:
        await robot_people.remove(vendor, person.id, actor_id=call.user_id, chat_id=call.chat_id)
        await call.reply(call.t("✅ {name} is no longer mapped for {vendor}.", name=words[0], vendor=label))
        return
    entry = await robot_people.set_identity(
        vault, vendor, person.id, words[1], actor_id=call.user_id, chat_id=call.chat_id
    )
    await call.reply(
        call.t(
            "✅ {name} is {who} in {vendor}: the robots' posts mention them there.",
            name=words[0],
            who=entry.user_id or entry.mobile,
            vendor=label,
        )
    )
    await scrub(call)  # a mobile is personal data


async def people_named(ids: list[int]) -> list[Person]:
    """The people of a listing, for their names."""
    return [found for person_id in ids if (found := await people.get(person_id)) is not None]


def display(person: Person | None, person_id: int) -> str:
    """A person as listings name them: @username, else their first name, else the id."""
    if person is None:
        return str(person_id)
    return f"@{person.username}" if person.username else person.first_name or str(person_id)


async def channels(call: Call) -> None:
    """Every robot linked, by chat."""
    found = await links.every()
    if not found:
        await call.reply(
            call.t("No robot is linked. In a registered group a manager types /wecom or /dingtalk.")
        )
        return
    titles = await chats.titles([link.chat_id for link in found])
    lines = [call.t("Robots that receive the bot's postings:")]
    lines += [robot_line(call.t, link, titles.get(link.chat_id, str(link.chat_id))) for link in found]
    await call.reply("\n".join(lines))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /wecom, /dingtalk and /channels."""
    app.add_handler(command("wecom", partial(robot, vendor=vendors.WECOM)))
    app.add_handler(command("dingtalk", partial(robot, vendor=vendors.DINGTALK)))
    app.add_handler(command("channels", channels))
