"""The permission matrix, generated from the one map: every action in bot/services/permissions.py × every role
(one person each, plus someone with no role and the person the owner rules name) × every kind of chat (team,
supervisors, finance, warehouse, review, an unregistered group, private), each case sent through the real gate
as an update and judged by what the person sees: the handler's answer when the map allows it, else the refusal
naming the roles it needs or the owner rule. A button pressed outside the chats its object belongs to is
refused for that before the map is asked; a reply or a file there is not for the feature at all.

One world per database (people, chats, one object of each kind), built once; a probe's `prepare` puts its
object back in the state the action needs before every case, so an allowed press always meets a fresh one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import time_machine

from bot.enums import WITHDRAWN, ChatPurpose, Role
from bot.fakeapi.driver import handled
from bot.fakeapi.server import ApiCall
from bot.i18n import translator
from bot.models import (
    Broadcast,
    BroadcastAck,
    Chat,
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
from bot.render.codec import Family, encode
from bot.render.keyboards import SNOOZE_MINUTES
from bot.services.permissions import PERMISSIONS, Facts, check
from bot.services.team import chats
from handlers import pages
from handlers.gate import denied
from tests.harness import ALICE, FINANCE, REVIEW, SUPERVISORS, TEAM, WAREHOUSE, Harness
from tests.shop_clock import advance, posted, register

T = translator("en")
OWNER = 300
"""The person the seeded objects belong to: a record's and a broadcast's author, the colleague a swap asks,
one of its two parties, the one fined, on leave, shortlisted as star agent, owning the follow-up. Holds no
role, so only the owner rules let them act."""
PEOPLE: dict[str, tuple[int, frozenset[Role]]] = {
    "no role": (200, frozenset()),
    **{role.value: (201 + index, frozenset({role})) for index, role in enumerate(Role)},
    "owner": (OWNER, frozenset()),
}
ELSEWHERE = -1001006
PLACES: dict[str, int | None] = {
    "team": TEAM,
    "supervisors": SUPERVISORS,
    "finance": FINANCE,
    "warehouse": WAREHOUSE,
    "review": REVIEW,
    "unregistered": ELSEWHERE,
    "private": None,
}
"""Where a case happens; private is the person's own chat with the bot."""
PURPOSE = {purpose.value: purpose for purpose in ChatPurpose}
FOREIGN = T("This button does not belong to this chat.")
STALE = T("This button is out of date.")
APOLOGY = "Sorry, something went wrong"
ORDER = "123456789012345678"
PAYEE = "damaged buyer=tb_lee name=张三 alipay=lee@163.com postage=shop"
REFUSALS = frozenset(
    {FOREIGN, STALE}
    | {denied(T, check(action, set(), Facts(actor_id=1))) for action in PERMISSIONS}
    | {denied(T, check(action, set(), Facts(actor_id=1, parties=frozenset({1})))) for action in PERMISSIONS}
    | {T("Only the person asked can answer this.")}
)
"""Every way the gate says no: none of them may appear where the map says yes."""


@dataclass
class World:
    """The running bot, where to press in each chat, and the seeded objects by name."""

    bot: Harness
    anchors: dict[int, int] = field(default_factory=dict)
    """A bot message per chat, to press buttons under and reply to."""
    ids: dict[str, int] = field(default_factory=dict)
    short: dict[str, str] = field(default_factory=dict)
    card: int = 0
    """The refund's card in the team chat (replies to it are notes)."""

    def chat(self, place: str, user: int) -> int:
        """The chat id of a place for a person."""
        return PLACES[place] or user


Act = Callable[[World, int, int], dict[str, Any]]
Prepare = Callable[[World], Awaitable[None]]


@dataclass(frozen=True)
class Probe:
    """How to try an action, what the gate asks the map on the way, and what shows it was done."""

    act: Act
    asks: Callable[[str], tuple[str, ...]]
    """The actions the gate and the handler ask about, in order, in a place."""
    home: frozenset[str] | None = None
    """The places the object belongs to (None: anywhere)."""
    done: str = ""
    """Text an allowed case shows (empty: anything but a refusal)."""
    prepare: Prepare | None = None
    button: bool = True
    """A press is refused outside home; a message outside home is not for the feature (silence)."""
    reveals: str = ""
    """Customer data the answer shows exactly when the person may see it here: in private, with the roles
    `personal.see` names; masked everywhere else, never refused."""
    private_to: frozenset[str] = frozenset()
    """When home is private: the people whose own chat it is (a manager's appeal question, the follow-up
    owner's list); in anyone else's private chat the press is foreign. Empty: anyone's."""


def asks(*actions: str) -> Callable[[str], tuple[str, ...]]:
    """The same actions asked everywhere."""
    return lambda place: actions


def say(text: str, *, done: str = "", also: tuple[str, ...] = ()) -> Callable[[str], Probe]:
    """A command typed by the person: the map is asked about the command, then about `also`."""
    return lambda action: Probe(
        lambda w, user, chat: w.bot.api.message(chat, user, text),
        asks(*dict.fromkeys((text.split()[0][1:], action, *also))),
        done=done,
        button=False,
    )


def press(family: Family, verb: str, obj: str, arg: int = 0) -> Act:
    """Press a button about a seeded object under the chat's anchor message."""
    return lambda w, user, chat: w.bot.api.press(
        chat, user, w.anchors[chat], encode(family, verb, w.ids.get(obj, 0), arg)
    )


def status(obj: str, value: str, **columns: Any) -> Prepare:
    """Put a record back in the status an action moves it from."""

    async def put(w: World) -> None:
        """One update."""
        await Record.filter(id=w.ids[obj]).update(status=value, **columns)

    return put


def card(kind: str, verb: str, before: str, arg: int = 0) -> Callable[[str], Probe]:
    """A status button on a record's card (the record was logged in the team chat; a review case is back with
    group 1, which its Escalate button carries)."""
    again = {"review_group": 1} if kind == "review" else {}
    return lambda action: Probe(
        press(Family.RECORD, verb, kind, arg),
        asks(action),
        frozenset({"team"}),
        "by @p",
        status(kind, before, **again),
    )


async def reopen_alarm(w: World) -> None:
    """The alarm occurrence not answered yet."""
    await Occurrence.filter(id=w.ids["alarm"]).update(acked_by=None, acked_at=None, outcome=None)


async def reopen_item(w: World) -> None:
    """The handover item not ticked yet."""
    await HandoverItem.filter(id=w.ids["item"]).update(done_by=None, done_at=None)


def swap_state(value: str) -> Prepare:
    """The swap request waiting for the answer a press gives."""

    async def put(w: World) -> None:
        """One update."""
        await SwapRequest.filter(id=w.ids["swap"]).update(state=value, decided_by=None)

    return put


async def draft_broadcast(w: World) -> None:
    """The broadcast back to an undecided preview (the posting a confirmation scheduled is gone)."""
    await Broadcast.filter(id=w.ids["draft"]).update(state="draft", decided_by=None, decided_at=None)
    await Schedule.filter(ref=f"broadcast:{w.ids['draft']}").delete()


async def unacknowledged(w: World) -> None:
    """Nobody has pressed Got it under the sent broadcast yet."""
    await BroadcastAck.filter(broadcast_id=w.ids["sent"]).delete()


async def chats_as_built(w: World) -> None:
    """Every chat with the purpose the world gave it (an allowed /setup may have changed one)."""
    for place, chat_id in PLACES.items():
        if chat_id is not None:
            await Chat.filter(id=chat_id).update(purpose=PURPOSE.get(place))
    chats.forget_cache()


def setup(purpose: ChatPurpose) -> Callable[[str], Probe]:
    """`/setup <purpose>`: refused in private before the map is asked about the purpose; in a registered
    group the purpose it has now is asked about too (a sensitive group is only repurposed by a manager)."""

    def asked(place: str) -> tuple[str, ...]:
        """What the gate and the handler ask, here."""
        if place == "private":
            return ("setup",)
        before = PURPOSE.get(place)
        return ("setup", f"chat.setup.{purpose}", *([f"chat.setup.{before}"] if before else []))

    return lambda action: Probe(
        lambda w, user, chat: w.bot.api.message(chat, user, f"/setup {purpose}"),
        asked,
        prepare=chats_as_built,
        button=False,
    )


def in_groups(command: str, extra: str) -> Callable[[str], Probe]:
    """A command that asks a further action only in groups (in private it is the person's own business)."""
    return lambda action: Probe(
        lambda w, user, chat: w.bot.api.message(chat, user, command),
        lambda place: (command.split()[0][1:],) if place == "private" else (command.split()[0][1:], extra),
        button=False,
    )


def swap(verb: str, before: str, *home: str) -> Callable[[str], Probe]:
    """A press on a swap request: answered by the colleague asked where it was asked, decided by supervisors
    there or in their chat."""
    return lambda action: Probe(
        press(Family.SWAP, verb, "swap"), asks(action), frozenset(home), prepare=swap_state(before)
    )


def reply_to_card(action: str) -> Probe:
    """A note sent as a reply to the refund's card (in any other chat, a reply to a message that is none)."""
    return Probe(
        lambda w, user, chat: w.bot.api.message(
            chat, user, "buyer called again", reply_to=w.card if chat == TEAM else w.anchors[chat]
        ),
        asks(action),
        frozenset({"team"}),
        done="📝 Note added to",
        button=False,
    )


def returned_file(action: str) -> Probe:
    """A spreadsheet with a caption: finance's answers, read only in the finance chat."""
    return Probe(
        lambda w, user, chat: w.bot.api.message(
            chat, user, None, document=("answers.xlsx", b"not a workbook"), caption="answers"
        ),
        asks(action),
        frozenset({"finance"}),
        button=False,
    )


def page_turn(action: str) -> Probe:
    """▶ under a listing of open records (every chat holds one, planted under its anchor)."""
    return Probe(press(Family.PAGE, "go", "", 1), asks(action))


async def undecided_appeal(w: World) -> None:
    """The owner's fine appealed and not decided yet."""
    await LedgerEntry.filter(id=w.ids["fine"]).update(
        outcome=None, cancelled_at=None, cancelled_by_id=None, cancel_reason=None
    )


def appeal(verb: str) -> Callable[[str], Probe]:
    """Keep / Cancel under the appeal question, which goes to each manager privately."""
    done = {"keep": "✅ Kept by", "cancel": "↩️ Cancelled by"}[verb]
    return lambda action: Probe(
        press(Family.APPEAL, verb, "fine"),
        asks(action),
        frozenset({"private"}),
        done,
        undecided_appeal,
        private_to=frozenset({Role.MANAGER.value}),
    )


async def asked_leave(w: World) -> None:
    """The owner's leave waiting for a supervisor."""
    await LeaveRequest.filter(id=w.ids["leave"]).update(state="asked", decided_by=None)


def leave(verb: str, done: str) -> Callable[[str], Probe]:
    """Approve / Decline under a leave request, where it was asked (the team chat) or in the supervisors'."""
    return lambda action: Probe(
        press(Family.LEAVE, verb, "leave"),
        asks(action),
        frozenset({"team", "supervisors"}),
        done,
        asked_leave,
    )


async def open_followup(w: World) -> None:
    """The owner's follow-up open and never tried."""
    await FollowUp.filter(id=w.ids["followup"]).update(
        state="open", attempts=0, last_try_at=None, called_at=None, done_at=None
    )


def followup(verb: str, done: str) -> Callable[[str], Probe]:
    """Done / Called / No answer under the owner's morning list, in the owner's private chat."""
    return lambda action: Probe(
        press(Family.FOLLOWUP, verb, "followup"),
        asks(action),
        frozenset({"private"}),
        done,
        open_followup,
        private_to=frozenset({"owner"}),
    )


async def unvoted(w: World) -> None:
    """Nobody has confirmed the star shortlist yet."""
    await StarRound.filter(id=w.ids["star"]).update(votes={}, star_id=None, decided_at=None)


PROBES: dict[str, Callable[[str], Probe]] = {
    "start": say("/start"),
    "help": say("/help"),
    "whoami": say("/whoami"),
    "lang": say("/lang"),
    "lang.group": in_groups("/lang en", "lang.group"),
    "team": say("/team"),
    "role": say("/role"),
    "chats": say("/chats"),
    "setup": say("/setup"),
    **{f"chat.setup.{purpose}": setup(purpose) for purpose in ChatPurpose},
    "audit": say("/audit"),
    "config": say("/config"),
    "forget": say("/forget"),
    "refund": say("/refund x"),
    "courier": say("/courier"),
    "complaint": say("/complaint"),
    "problem": say("/problem"),
    "review": say("/review x"),
    "show": say("/show"),
    "find": say("/find"),
    "mine": say("/mine"),
    "open": say("/open"),
    "buyer": say("/buyer"),
    "edit": say("/edit"),
    "void": say("/void"),
    "reverse": say("/reverse"),
    "record.edit": lambda action: Probe(
        lambda w, user, chat: w.bot.api.message(
            chat, user, f'/edit {w.short["complaint"]} text="glass broken"'
        ),
        asks("edit", action),
        done="✏️ Edited.",
        button=False,
    ),
    "record.void": lambda action: Probe(
        lambda w, user, chat: w.bot.api.message(chat, user, f"/void {w.short['problem']} typed twice"),
        asks("void", action),
        done="is void: typed twice",
        prepare=status("problem", "open"),
        button=False,
    ),
    "record.note": reply_to_card,
    "record.page": page_turn,
    "personal.see": lambda action: Probe(
        lambda w, user, chat: w.bot.api.message(chat, user, f"/show {w.short['refund']}"),
        asks("show"),
        button=False,
        reveals="name: 张三",
    ),
    "refund.money": lambda action: Probe(
        lambda w, user, chat: w.bot.api.message(chat, user, f"/edit {w.short['refund']} amount=13"),
        asks("edit", action),
        done="is new again",
        prepare=status("refund", "sent", amount=Decimal("12.5")),
        button=False,
    ),
    "refund.sent": card("refund", "sent", "new"),
    "refund.paid": card("refund", "paid", "sent"),
    "refund.rejected": card("refund", "rejected", "sent"),
    "courier.waiting": card("courier", "waiting", "open"),
    "courier.resolved": card("courier", "resolved", "open"),
    "courier.open": card("courier", "open", "waiting"),
    "complaint.supervisor": card("complaint", "supervisor", "new"),
    "complaint.warehouse": card("complaint", "warehouse", "supervisor"),
    "complaint.closed": card("complaint", "closed", "warehouse"),
    "problem.fixed": card("problem", "fixed", "open"),
    "review.revised": card("review", "revised", "open"),
    "review.failed": card("review", "failed", "open"),
    "review.escalate": card("review", "esc", "open", 1),
    "shelf": say("/shelf"),
    "alarms": say("/alarms"),
    "alarm": say("/alarm"),
    "alarm.done": lambda action: Probe(
        press(Family.ALARM, "done", "alarm"),
        asks(action),
        frozenset({"team", "supervisors"}),  # Done is under the escalation too
        "✅ Done by",
        reopen_alarm,
    ),
    "alarm.snooze": lambda action: Probe(
        press(Family.ALARM, "snooze", "alarm", SNOOZE_MINUTES[0]),
        asks(action),
        frozenset({"team"}),
        "😴 Snoozed",
        reopen_alarm,
    ),
    "alarm.onit": lambda action: Probe(
        press(Family.ALARM, "onit", "alarm"),
        asks(action),
        frozenset({"team", "supervisors"}),
        "",
        reopen_alarm,
    ),
    "presale": say("/presale"),
    "presales": say("/presales"),
    "digest": say("/digest"),
    "finance": say("/finance"),
    "finance.list": lambda action: Probe(
        press(Family.FINANCE, "page", "", 1), asks(action), frozenset({"finance"})
    ),
    "finance.file": returned_file,
    "shifttype": say("/shifttype"),
    "shifttype.change": say("/shifttype day", also=("shifttype.change",)),
    "roster": say("/roster"),
    "roster.edit": say("/roster set", also=("roster.edit",)),
    "today": say("/today"),
    "dayoff": say("/dayoff"),
    "dayoff.edit": say("/dayoff add", also=("dayoff.edit",)),
    "handover": say("/handover"),
    "handover.done": lambda action: Probe(
        press(Family.HANDOVER, "done", "item"), asks(action), frozenset({"team"}), "done by", reopen_item
    ),
    "swap": say("/swap"),
    "swap.accept": swap("accept", "asked", "team"),
    "swap.decline": swap("decline", "asked", "team"),
    "swap.approve": swap("approve", "accepted", "team", "supervisors"),
    "swap.refuse": swap("refuse", "accepted", "team", "supervisors"),
    "broadcast": say("/broadcast"),
    "broadcasts": say("/broadcasts"),
    "acks": say("/acks"),
    "broadcast.confirm": lambda action: Probe(
        press(Family.BROADCAST, "confirm", "draft"),
        asks(action),
        frozenset({"team"}),
        "Confirmed by",
        draft_broadcast,
    ),
    "broadcast.cancel": lambda action: Probe(
        press(Family.BROADCAST, "cancel", "draft"),
        asks(action),
        frozenset({"team"}),
        "Cancelled by",
        draft_broadcast,
    ),
    "broadcast.ack": lambda action: Probe(
        press(Family.BROADCAST, "ack", "sent"),
        asks(action),
        frozenset({"team"}),
        "👍 Noted, thank you.",
        unacknowledged,
    ),
    "rotation": say("/rotation"),
    "rotation.edit": say("/rotation members", also=("rotation.edit",)),
    "review.stats": lambda action: Probe(
        lambda w, user, chat: w.bot.api.message(chat, user, "/review stats"), asks(action), button=False
    ),
    "report": say("/report"),
    "chart": say("/chart"),
    "export": say("/export"),
    "refund.withdrawn": card("refund", WITHDRAWN, "new"),
    "fine": say("/fine", done="Say who, how much"),
    "reward": say("/reward", done="Say who, how much"),
    "ledger.rule": say("/fine rule", also=("ledger.rule",), done="Name the rule, its amounts"),
    "appeal": say("/appeal", done="Say which fine and why"),
    "appeal.keep": appeal("keep"),
    "appeal.cancel": appeal("cancel"),
    "ledger": say("/ledger"),
    "ledger.team": say(f"/ledger @p{OWNER}", also=("ledger.team",)),
    "phrase": say("/phrase 发货"),
    "phrase.send": lambda action: Probe(
        press(Family.PHRASE, "send", "phrase"), asks(action), done="📋 Sent to you privately"
    ),
    "phrase.edit": say("/phrase add", also=("phrase.edit",), done="Give a category, a title"),
    "kpi": say("/kpi", done="No figures yet"),
    "kpi.import": say("/kpi import", also=("kpi.import",), done="Send the platform's export"),
    "star": say("/star"),
    "star.confirm": lambda action: Probe(
        press(Family.STAR, "pick", "star"),
        asks(action),
        frozenset({"supervisors"}),
        "⭐ You confirmed",
        unvoted,
    ),
    "followup": say("/followup", done="No open follow-ups."),
    "followup.rota": say(f"/followup list @p{OWNER}", also=("followup.rota",), done="Open follow-ups: 1"),
    "followup.done": followup("done", "done."),
    "followup.called": followup("called", "call noted"),
    "followup.noanswer": followup("noanswer", "no answer noted"),
    "leave": say("/leave", done="Say which days and why"),
    "leave.approve": leave("approve", "✅ Approved by"),
    "leave.decline": leave("decline", "❌ Declined by"),
    "wecom": say("/wecom"),
    "dingtalk": say("/dingtalk"),
    "channels": say("/channels", done="No robot is linked"),
}
"""One probe per action."""


def grouped(failures: list[tuple[str, str, str]]) -> str:
    """Failures one line per action and problem, with the people and chats it happened to."""
    lines: dict[str, list[str]] = {}
    for action, case, problem in failures:
        lines.setdefault(f"{action}: {problem}", []).append(case)
    return "\n".join(f"{line}\n    ← {', '.join(cases)}" for line, cases in lines.items())


def seen(calls: list[ApiCall]) -> str:
    """Everything the person saw: messages sent or edited, captions, alerts and toasts."""
    parts = []
    for call in calls:
        for key in ("text", "caption"):
            if call.method != "getUpdates" and call.params.get(key):
                parts.append(str(call.params[key]))
    return "\n".join(parts)


def expected(probe: Probe, person: str, place: str) -> str | None:
    """The refusal the person should see, or None when the map lets them act here."""
    if probe.home is not None and place not in probe.home:
        return FOREIGN if probe.button else ""
    if place == "private" and probe.private_to and person not in probe.private_to:
        return FOREIGN
    user, roles = PEOPLE[person]
    facts = Facts(
        actor_id=user,
        author_id=OWNER,
        asked_id=OWNER,
        parties=frozenset({OWNER, ALICE}),
        in_case_group=Role.REVIEW in roles,  # before the rotation is set up, every review member serves
        owner_id=OWNER,
    )
    for action in probe.asks(place):
        verdict = check(action, roles, facts)
        if not verdict.allowed:
            return denied(T, verdict)
    return None


def judge(probe: Probe, person: str, place: str, shown: str, answered: bool) -> str | None:
    """What is wrong with what the person saw, or None."""
    refusal = expected(probe, person, place)
    if APOLOGY in shown:
        return "an apology"
    if refusal == "":
        hits = [text for text in REFUSALS if text in shown]
        return (
            f"a reply outside the feature's chats: {shown[:120]!r}"
            if hits or (probe.done and probe.done in shown)
            else None
        )
    if refusal is not None:
        return None if refusal in shown else f"not refused with {refusal!r}"
    hits = [text for text in REFUSALS if text in shown]
    if hits:
        return f"refused though allowed: {hits}"
    if probe.reveals:
        sees = place == "private" and check("personal.see", PEOPLE[person][1]).allowed
        return None if (probe.reveals in shown) == sees else f"customer data {'hidden' if sees else 'shown'}"
    if not answered:
        return "no answer at all"
    if probe.done and probe.done not in shown:
        return f"not done ({probe.done!r} missing)"
    return None


async def build(bot: Harness, clock: time_machine.Coordinates) -> World:
    """People with one role each, the five registered groups and one unregistered, and one object of each kind
    the buttons act on, all in the team chat."""
    world = World(bot)
    bot.api.group(ELSEWHERE, "Somewhere else")
    for name, (user, roles) in PEOPLE.items():
        bot.api.user(user, name.title(), f"p{user}")
        await bot.introduce(user)
        if roles:
            assert "is now" in await bot.say(ALICE, f"/role @p{user} {' '.join(roles)}", chat=ALICE)
        world.anchors[user] = (await bot.send(user, "/whoami", chat=user))[-1]["message_id"]
    for purpose, chat in (("team", TEAM), ("supervisors", SUPERVISORS), ("finance", FINANCE)):
        await register(bot, purpose, chat)
    await register(bot, "warehouse", WAREHOUSE)
    await register(bot, "review", REVIEW)
    for chat in (TEAM, SUPERVISORS, FINANCE, WAREHOUSE, REVIEW, ELSEWHERE):
        world.anchors[chat] = (await bot.send(ALICE, "/whoami", chat=chat))[-1]["message_id"]
        bot.app.chat_data[chat].setdefault(pages.STATES_KEY, {})[world.anchors[chat]] = ("open", "")
    for user, _ in PEOPLE.values():
        bot.app.chat_data[user].setdefault(pages.STATES_KEY, {})[world.anchors[user]] = ("open", "")

    for kind, text in (
        ("refund", f"/refund {ORDER} 12.5 {PAYEE}"),
        ("courier", "/courier SF1234567890 overdue"),
        ("complaint", f"/complaint {ORDER} damaged cup arrived broken"),
        ("problem", f"/problem {ORDER} out-of-stock"),
        ("review", f"/review {ORDER} tb_lee negative"),
    ):
        sent = await bot.send(ALICE, text)
        record = await Record.filter(kind=kind).order_by("-id").first()
        assert record is not None, (text, sent)
        await Record.filter(id=record.id).update(author_id=OWNER)
        world.ids[kind], world.short[kind] = record.id, record.short_id
        if kind == "refund":
            world.card = sent[-1]["message_id"]

    await bot.say(ALICE, "/shelf every 30m from 09:00 to 18:00 check the shelf")
    await advance(bot, clock, timedelta(minutes=31))
    await posted(bot, TEAM, "check the shelf")
    alarm = await Occurrence.filter(kind="alarm").first()
    assert alarm is not None
    world.ids["alarm"] = alarm.id

    await bot.say(ALICE, "/handover call tb_lee back")
    item = await HandoverItem.first()
    assert item is not None
    world.ids["item"] = item.id

    later = datetime.now(UTC) + timedelta(days=30)
    swap = await SwapRequest.create(
        requester_id=ALICE,
        other_id=OWNER,
        day=date(2026, 12, 5),
        their_day=date(2026, 12, 7),
        chat_id=TEAM,
        expires_at=later,
    )
    world.ids["swap"] = swap.id
    for name, state in (("draft", "draft"), ("sent", "done")):
        announcement = await Broadcast.create(
            author_id=OWNER,
            chat_id=TEAM,
            target="team",
            body="Meeting at 15:00",
            timezone="Asia/Shanghai",
            state=state,
            target_chats=[{"id": TEAM, "title": "Kefu team"}],
        )
        world.ids[name] = announcement.id
    fine = await LedgerEntry.create(
        kind="fine", person_id=OWNER, amount=Decimal(50), reason="late", actor_id=ALICE, chat_id=TEAM
    )
    await LedgerEntry.filter(id=fine.id).update(appeal="I was with a buyer", appealed_at=later)
    request = await LeaveRequest.create(
        person_id=OWNER,
        first_day=date(2026, 12, 20),
        last_day=date(2026, 12, 20),
        reason="trip",
        chat_id=TEAM,
    )
    followup = await FollowUp.create(
        order_no=ORDER, buyer="tb_lee", owner_id=OWNER, author_id=ALICE, chat_id=TEAM, due_at=later
    )
    phrase = await Phrase.create(
        title="发货提醒", text="亲，您的订单今天发货。", category="shipping", language="zh", created_by=ALICE
    )
    shortlist = await StarRound.create(
        month=date(2026, 10, 1),
        chat_id=SUPERVISORS,
        candidates=[OWNER],
        reward=Decimal(200),
        created_by=ALICE,
    )
    world.ids |= {"fine": fine.id, "leave": request.id, "followup": followup.id}
    world.ids |= {"phrase": phrase.id, "star": shortlist.id}
    return world


def test_every_action_has_a_probe() -> None:
    assert set(PROBES) == set(PERMISSIONS), "give each new action a probe in PROBES"


async def test_the_permission_matrix(db_url: str, clock: time_machine.Coordinates) -> None:
    async with Harness.running(db_url, BOT_RATE_LIMIT="false") as bot:
        world = await build(bot, clock)
        failures: list[tuple[str, str, str]] = []
        cases = 0
        for action, make in PROBES.items():
            probe = make(action)
            moved = True
            for person, (user, _) in PEOPLE.items():
                for place in PLACES:
                    if probe.prepare is not None and moved:
                        await probe.prepare(world)  # a refusal changes nothing: only an allowed case moves it
                    moved = expected(probe, person, place) is None
                    chat = world.chat(place, user)
                    calls = await handled(bot.api, bot.app, probe.act(world, user, chat))
                    shown = seen(calls)
                    answered = any(call.method != "getUpdates" for call in calls)
                    problem = judge(probe, person, place, shown, answered)
                    cases += 1
                    if problem:
                        failures.append((action, f"{person} in {place}", f"{problem}; saw {shown[:160]!r}"))
        size = f"{len(PROBES)} actions × {len(PEOPLE)} people × {len(PLACES)} chats"
        print(f"permission matrix: {cases} cases, {size}")
        assert not failures, f"{len(failures)} of {cases} cases:\n" + grouped(failures)
