"""Forged presses for every button family, end to end on SQLite and PostgreSQL: any client can send any
callback data, so a genuine button's data is sent from the wrong chat, by the wrong person, taken apart,
pointing at an object that is gone, with a 20-digit id and with an argument out of its range. Each is answered
with an alert (out of date, not this chat's, or the roles it needs), nothing in the database changes, and
nobody sees an apology."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import time_machine

from bot import models
from bot.fakeapi.driver import handled
from bot.i18n import translator
from bot.models import (
    Broadcast,
    FollowUp,
    HandoverItem,
    LeaveRequest,
    LedgerEntry,
    Occurrence,
    Phrase,
    Record,
    Schedule,
    StarRound,
    SwapRequest,
)
from bot.render.codec import SPECS, Family, decode, encode
from bot.services.permissions import PERMISSIONS, Facts, check
from handlers.gate import denied
from tests.harness import ALICE, BOB, FINANCE, SUPERVISORS, TEAM, Harness
from tests.shop_clock import advance, posted, register

T = translator("en")
HUGE = "9" * 20
ORDER, OTHER = "123456789012345678", "223456789012345678"
PAYEE = "damaged buyer=tb_lee name=张三 alipay=lee@163.com postage=shop"
STALE = T("This button is out of date.")
FOREIGN = T("This button does not belong to this chat.")
HANDLED = T("Already handled.")
REFUSED = frozenset(
    {STALE, FOREIGN}
    | {denied(T, check(action, set())) for action in PERMISSIONS}
    | {denied(T, check(action, set(), Facts(actor_id=1, parties=frozenset({1})))) for action in PERMISSIONS}
    | {denied(T, check(action, set(), Facts(actor_id=1))) for action in PERMISSIONS}
)
"""Every answer that refuses a press; a press on something already decided may also say so (nothing moves)."""
TABLES = (models.AuditEntry, models.Broadcast, models.BroadcastAck, models.Chat, models.HandoverItem)
TABLES += (models.Occurrence, models.Record, models.RecordEvent, models.RoleGrant, models.Schedule)
TABLES += (models.SwapRequest, models.LedgerEntry, models.LeaveRequest, models.FollowUp, models.Phrase)
TABLES += (models.StarRound,)
"""Where a press could change something; every change of state also writes an AuditEntry."""
CASES = ("wrong chat", "wrong person", "malformed", "stale", "huge id", "argument out of range")


@dataclass(frozen=True)
class Genuine:
    """A real button of a family: where it is, what it carries, and what a forger would vary."""

    chat: int
    message: int
    data: str
    elsewhere: tuple[int, int] | None
    """A chat (and a bot message there) the button does not belong to; None when it belongs to none in
    particular (a quick reply goes privately to whoever may have it, wherever it was found)."""
    stranger: int
    """Someone it is not for (no role, not asked, or with no form or question of their own)."""
    gone: str
    """The data of the same button for an object or question that no longer exists."""
    gone_under: int | None = None
    """The message such a press comes under, when not the button's own (a page no longer held)."""


Forge = Callable[[Harness, "World"], Awaitable[Genuine]]


@dataclass
class World:
    """Bot messages to press under in each chat."""

    anchors: dict[int, int]


def keyed(message: dict[str, Any], index: int = 0) -> str:
    """The callback data of a message's index-th button."""
    rows = message["reply_markup"]["inline_keyboard"]
    return str([b for row in rows for b in row][index]["callback_data"])


def with_id(data: str, number: int | str) -> str:
    """The same button data with another id."""
    family, verb, _, arg = data.split(":")
    return f"{family}:{verb}:{number}:{arg}"


async def last_id(model: Any) -> int:
    """The id of the newest row of a table."""
    row = await model.all().order_by("-id").first()
    assert row is not None
    return int(row.id)


async def deleted(model: Any, **fields: Any) -> int:
    """The id a row had before it was deleted: a press about it is about nothing."""
    row = await model.create(**fields)
    await row.delete()
    return int(row.id)


async def record_card(bot: Harness, world: World) -> Genuine:
    """→ sent to finance under a refund's card in the team chat."""
    [*_, card] = await bot.send(ALICE, f"/refund {OTHER} 12.5 {PAYEE}")
    data = keyed(card)
    gone = await deleted(Record, kind="refund", number=99, status="new", author_id=ALICE, chat_id=TEAM)
    return Genuine(
        TEAM, card["message_id"], data, (FINANCE, world.anchors[FINANCE]), BOB, with_id(data, gone)
    )


async def finance_answer(bot: Harness, world: World) -> Genuine:
    """✅ paid on finance's answer list (as the digest posts it), for a refund sent to finance."""
    record = await Record.get(id=await last_id(Record))
    await Record.filter(id=record.id).update(status="sent")
    data = f"f1:paid:{record.id}:0"
    gone = await deleted(Record, kind="refund", number=98, status="sent", author_id=ALICE, chat_id=TEAM)
    return Genuine(
        FINANCE, world.anchors[FINANCE], data, (TEAM, world.anchors[TEAM]), BOB, with_id(data, gone)
    )


def _all(message: dict[str, Any]) -> list[str]:
    """Every button's data under a message."""
    markup = message.get("reply_markup") or {}
    return [str(b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]


async def alarm(bot: Harness, world: World) -> Genuine:
    """✅ Done under a posted alarm."""
    posting = await posted(bot, TEAM, "check the shelf")
    data = keyed(posting.result)
    schedule = await Schedule.all().order_by("-id").first()
    assert schedule is not None
    gone = await deleted(
        Occurrence, schedule=schedule, due_at=datetime.now(UTC), kind="alarm", chat_id=TEAM, state="sent"
    )
    return Genuine(
        TEAM,
        posting.result["message_id"],
        data,
        (FINANCE, world.anchors[FINANCE]),  # not SUPERVISORS: its escalation carries the same Done
        BOB,
        with_id(data, gone),
    )


async def handover_item(bot: Harness, world: World) -> Genuine:
    """✅ under a handover item (the item's button, as the shift posting shows it)."""
    item = await HandoverItem.get(id=await last_id(HandoverItem))
    data = f"h1:done:{item.id}:0"
    gone = await deleted(HandoverItem, text="x", author_id=ALICE, chat_id=TEAM)
    return Genuine(
        TEAM, world.anchors[TEAM], data, (FINANCE, world.anchors[FINANCE]), BOB, with_id(data, gone)
    )


async def swap_request(bot: Harness, world: World) -> Genuine:
    """Approve under a swap both colleagues agreed to, in the supervisors' chat."""
    fields = {
        "requester_id": ALICE,
        "other_id": 300,
        "day": date(2026, 12, 5),
        "chat_id": TEAM,
        "expires_at": datetime.now(UTC) + timedelta(days=9),
    }
    request = await SwapRequest.create(state="accepted", **fields)
    data = f"s1:approve:{request.id}:0"
    gone = await deleted(SwapRequest, **fields)
    return Genuine(
        SUPERVISORS,
        world.anchors[SUPERVISORS],
        data,
        (FINANCE, world.anchors[FINANCE]),
        BOB,
        with_id(data, gone),
    )


async def broadcast(bot: Harness, world: World) -> Genuine:
    """Confirm under a broadcast's preview."""
    [preview] = await bot.send(ALICE, "/broadcast to=team Meeting at 15:00", chat=SUPERVISORS)
    data = keyed(preview)
    fields = {"author_id": ALICE, "chat_id": SUPERVISORS, "target": "team", "body": "x", "timezone": "UTC"}
    gone = await deleted(Broadcast, **fields)
    return Genuine(
        SUPERVISORS, preview["message_id"], data, (TEAM, world.anchors[TEAM]), BOB, with_id(data, gone)
    )


async def page(bot: Harness, world: World) -> Genuine:
    """A page button under the audit log (a manager's), in the team chat."""
    [shown] = await bot.send(ALICE, "/audit")
    data = "p1:go:0:1"
    return Genuine(
        TEAM, shown["message_id"], data, (FINANCE, world.anchors[FINANCE]), BOB, data, world.anchors[TEAM]
    )


def held(chat: int, message: dict[str, Any], data: str, elsewhere: tuple[int, int]) -> Genuine:
    """A button whose id is a token the chat holds for a question: a stale press carries a token not held."""
    token = int(data.split(":")[2])
    return Genuine(chat, message["message_id"], data, elsewhere, BOB, with_id(data, token ^ 1))


async def held_draft(bot: Harness, world: World) -> Genuine:
    """Log anyway under a duplicate warning."""
    [warning] = await bot.send(ALICE, f"/refund {OTHER} 12.5 {PAYEE}")
    data = next(b for b in _all(warning) if b.startswith("d1:"))
    return held(TEAM, warning, data, (FINANCE, world.anchors[FINANCE]))


async def form(bot: Harness, world: World) -> Genuine:
    """A choice in the guided refund form (Alice's, in her private chat)."""
    await bot.send(ALICE, "/refund", chat=ALICE)
    [asked] = await bot.send(ALICE, ORDER, chat=ALICE)
    data = _all(asked)[0] if _all(asked) else "m1:skip:0:0"
    return Genuine(ALICE, asked["message_id"], data, (TEAM, world.anchors[TEAM]), BOB, "m1:save:0:0")


async def setup_question(bot: Harness, world: World) -> Genuine:
    """Confirm under "/setup warehouse" in the supervisors' chat (stale: under a message it has gone from)."""
    [asked] = await bot.send(ALICE, "/setup warehouse", chat=SUPERVISORS)
    data = keyed(asked)
    [card] = [m for m in bot.api.sent(TEAM) if _all(m)][:1]
    return Genuine(
        SUPERVISORS,
        asked["message_id"],
        data,
        (TEAM, card["message_id"]),
        BOB,
        data,
        world.anchors[SUPERVISORS],
    )


async def reading(bot: Harness, world: World) -> Genuine:
    """✅ under "check my reading" for an alarm whose time could be morning or evening."""
    [question] = await bot.send(ALICE, "/shelf 3点 改价")
    return held(TEAM, question, keyed(question), (FINANCE, world.anchors[FINANCE]))


async def erasure(bot: Harness, world: World) -> Genuine:
    """Erase under /forget's confirmation, in Alice's private chat."""
    [asked] = await bot.send(ALICE, "/forget tb_lee", chat=ALICE)
    return held(ALICE, asked, keyed(asked), (TEAM, world.anchors[TEAM]))


async def private_anchor(bot: Harness, person: int) -> int:
    """A bot message in a person's private chat, to press under."""
    return int((await bot.send(person, "/whoami", chat=person))[-1]["message_id"])


async def appeal(bot: Harness, world: World) -> Genuine:
    """Keep under an appeal against a fine, in a manager's (Alice's) private chat."""
    fields = {"kind": "fine", "person_id": 300, "amount": Decimal(50), "reason": "late", "actor_id": ALICE}
    entry = await LedgerEntry.create(appeal="I was with a buyer", appealed_at=datetime.now(UTC), **fields)
    data = encode(Family.APPEAL, "keep", entry.id)
    gone = await deleted(LedgerEntry, appeal="x", **fields)
    return Genuine(
        ALICE, await private_anchor(bot, ALICE), data, (TEAM, world.anchors[TEAM]), BOB, with_id(data, gone)
    )


async def phrase(bot: Harness, world: World) -> Genuine:
    """📋 under a /phrase search result in the team chat (any chat may hold one)."""
    fields = {"title": "发货提醒", "text": "亲，今天发货。", "category": "shipping", "language": "zh"}
    found = await Phrase.create(created_by=ALICE, **fields)
    data = encode(Family.PHRASE, "send", found.id)
    gone = await deleted(Phrase, created_by=ALICE, **fields)
    return Genuine(TEAM, world.anchors[TEAM], data, None, BOB, with_id(data, gone))


async def star(bot: Harness, world: World) -> Genuine:
    """⭐ for the first candidate on a star-agent shortlist in the supervisors' chat."""
    fields = {"chat_id": SUPERVISORS, "candidates": [300, 301], "reward": Decimal(200), "created_by": ALICE}
    gone = await deleted(StarRound, month=date(2026, 9, 1), **fields)
    found = await StarRound.create(month=date(2026, 10, 1), **fields)
    data = encode(Family.STAR, "pick", found.id)
    return Genuine(
        SUPERVISORS,
        world.anchors[SUPERVISORS],
        data,
        (FINANCE, world.anchors[FINANCE]),
        BOB,
        with_id(data, gone),
    )


async def followup(bot: Harness, world: World) -> Genuine:
    """Done under a follow-up on its owner's (Alice's) morning list, in her private chat."""
    fields = {"order_no": ORDER, "owner_id": ALICE, "author_id": ALICE, "chat_id": TEAM}
    found = await FollowUp.create(due_at=datetime.now(UTC) + timedelta(days=3), **fields)
    data = encode(Family.FOLLOWUP, "done", found.id)
    gone = await deleted(FollowUp, due_at=datetime.now(UTC), **fields)
    return Genuine(
        ALICE, await private_anchor(bot, ALICE), data, (TEAM, world.anchors[TEAM]), BOB, with_id(data, gone)
    )


async def leave(bot: Harness, world: World) -> Genuine:
    """Approve under a leave request asked in the team chat, in the supervisors' chat."""
    fields = {
        "first_day": date(2026, 12, 20),
        "last_day": date(2026, 12, 20),
        "reason": "trip",
        "chat_id": TEAM,
    }
    found = await LeaveRequest.create(person_id=300, **fields)
    data = encode(Family.LEAVE, "approve", found.id)
    gone = await deleted(LeaveRequest, person_id=301, **fields)
    return Genuine(
        SUPERVISORS,
        world.anchors[SUPERVISORS],
        data,
        (FINANCE, world.anchors[FINANCE]),
        BOB,
        with_id(data, gone),
    )


FORGERIES: dict[Family, Forge] = {
    Family.RECORD: record_card,
    Family.FINANCE: finance_answer,
    Family.ALARM: alarm,
    Family.HANDOVER: handover_item,
    Family.SWAP: swap_request,
    Family.BROADCAST: broadcast,
    Family.PAGE: page,
    Family.DRAFT: held_draft,
    Family.FORM: form,
    Family.SETUP: setup_question,
    Family.WHEN: reading,
    Family.FORGET: erasure,
    Family.APPEAL: appeal,
    Family.PHRASE: phrase,
    Family.STAR: star,
    Family.FOLLOWUP: followup,
    Family.LEAVE: leave,
}


def variants(genuine: Genuine, anchors: dict[int, int]) -> dict[str, list[tuple[int, int, int, str]]]:
    """Each forgery: (chat, message, person, data); a private chat's button is pressed in the stranger's."""
    button = decode(genuine.data)
    assert button is not None, genuine.data
    head = f"{button.family}1:{button.verb}"
    home = (genuine.chat, genuine.message)
    beyond = max(SPECS[button.family].args) + 1
    return {
        "wrong chat": [(*genuine.elsewhere, ALICE, genuine.data)] if genuine.elsewhere else [],
        "wrong person": [(*home, genuine.stranger, genuine.data)]
        if genuine.chat < 0
        else [(genuine.stranger, anchors[genuine.stranger], genuine.stranger, genuine.data)],
        "malformed": [
            (*home, ALICE, data)
            for data in (
                f"{head}:{button.id}",
                f"{head}:{button.id}:{button.arg}:0",
                f"{head}:x{button.id}:{button.arg}",
                f"{head}:-{button.id}:{button.arg}",
                f"{button.family}9:{button.verb}:{button.id}:{button.arg}",
                f"{button.family}1:forged:{button.id}:{button.arg}",
                f"{button.family}1:{button.verb}:{button.id}:{button.arg}\n",
                f"{button.family}",
            )
        ],
        "stale": [(genuine.chat, genuine.gone_under or genuine.message, ALICE, genuine.gone)],
        "huge id": [(*home, ALICE, f"{head}:{HUGE}:{button.arg}"), (*home, ALICE, f"{head}:4294967296:0")],
        "argument out of range": [
            (*home, ALICE, f"{head}:{button.id}:{beyond}"),
            (*home, ALICE, f"{head}:{button.id}:{HUGE}"),
        ],
    }


async def fingerprint() -> list[Any]:
    """Every row of every table a press could change."""
    return [await model.all().order_by("id").values() for model in TABLES]


def test_every_family_has_a_forgery() -> None:
    assert set(FORGERIES) == set(Family), "add a forgery for the new button family"


async def test_forged_presses_are_refused_and_change_nothing(
    db_url: str, clock: time_machine.Coordinates
) -> None:
    async with Harness.running(db_url, BOT_RATE_LIMIT="false") as bot:
        await bot.introduce(BOB)
        for purpose, chat in (("team", TEAM), ("supervisors", SUPERVISORS), ("finance", FINANCE)):
            await register(bot, purpose, chat)
        world = World({})
        for chat in (TEAM, SUPERVISORS, FINANCE, BOB):
            user = BOB if chat == BOB else ALICE
            world.anchors[chat] = (await bot.send(user, "/whoami", chat=chat))[-1]["message_id"]
        await bot.send(ALICE, f"/refund {ORDER} 12.5 {PAYEE}")
        await bot.say(ALICE, "/shelf every 30m from 09:00 to 18:00 check the shelf")
        await advance(bot, clock, timedelta(minutes=31))
        await bot.say(ALICE, "/handover call tb_lee back")
        last = sorted(
            FORGERIES.items(), key=lambda item: item[0] is Family.FORM
        )  # the form holds Alice's chat
        genuine = {family: await forge(bot, world) for family, forge in last}
        failures, cases = [], 0
        for family, real in genuine.items():
            for case, forgeries in variants(real, world.anchors).items():
                for chat, message, person, data in forgeries:
                    before = await fingerprint()
                    calls = await handled(bot.api, bot.app, bot.api.press(chat, person, message, data))
                    cases += 1
                    answers = [c.params for c in calls if c.method == "answerCallbackQuery"]
                    said = [
                        str(c.params.get("text"))
                        for c in calls
                        if c.method != "answerCallbackQuery" and c.params.get("text")
                    ]
                    problem = ""
                    if len(answers) != 1:
                        problem = f"{len(answers)} answers"
                    elif (
                        not (answers[0].get("show_alert") and answers[0].get("text") in REFUSED)
                        and answers[0].get("text") != HANDLED
                    ):
                        problem = f"answered {answers[0]}"
                    elif said:
                        problem = f"said {said}"
                    elif await fingerprint() != before:
                        problem = "the database changed"
                    if problem:
                        failures.append(f"{family.name} · {case} · {data!r} by {person} in {chat}: {problem}")
        print(f"forged presses: {cases} across {len(genuine)} families")
        assert not failures, "\n".join(failures)
