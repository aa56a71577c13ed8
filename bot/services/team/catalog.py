"""The command catalogue: what /help shows and what the Telegram command menu lists."""

from __future__ import annotations

from dataclasses import dataclass

from bot.enums import ChatPurpose, Role
from bot.i18n import N_
from bot.services.permissions import is_allowed


@dataclass(frozen=True, slots=True)
class CommandInfo:
    """One command: its section in /help, a one-line description and one example."""

    name: str
    section: str
    description: str
    example: str


BASICS = N_("Basics")
TEAM = N_("Team")
RECORDS = N_("Records")
FIND = N_("Finding records")
ALARMS = N_("Alarms")
ADMIN = N_("Administration")
SHIFTS = N_("Shifts")
REPORTS = N_("Reports")
SECTIONS: tuple[str, ...] = (BASICS, RECORDS, FIND, ALARMS, SHIFTS, REPORTS, TEAM, ADMIN)

COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("help", BASICS, N_("what you can do here"), N_("/help")),
    CommandInfo("whoami", BASICS, N_("your roles"), N_("/whoami")),
    CommandInfo("lang", BASICS, N_("language of this chat: en or zh"), N_("/lang zh")),
    CommandInfo(
        "refund",
        RECORDS,
        N_("log a refund (alone: a guided form)"),
        N_("/refund 123456789012345678 12.5 damaged buyer=tb_lee postage=shop"),
    ),
    CommandInfo(
        "courier",
        RECORDS,
        N_("log a courier query"),
        N_("/courier SF1234567890 overdue"),
    ),
    CommandInfo(
        "complaint",
        RECORDS,
        N_("write a complaint slip (reply to the buyer's photo)"),
        N_("/complaint 123456789012345678 damaged cup arrived broken offer=gift"),
    ),
    CommandInfo(
        "problem", RECORDS, N_("log a problem order"), N_("/problem 123456789012345678 out-of-stock")
    ),
    CommandInfo(
        "review", RECORDS, N_("log a negative review case"), N_("/review 123456789012345678 tb_lee negative")
    ),
    CommandInfo("show", FIND, N_("a record's card and history"), N_("/show R-12")),
    CommandInfo(
        "find", FIND, N_("find by order, tracking number, buyer or id"), N_("/find 123456789012345678")
    ),
    CommandInfo(
        "followup",
        RECORDS,
        N_("follow up a buyer (回访): yours or @someone's; list, or the silent-customer rota"),
        N_("/followup 123456789012345678 tb_lee asked about size"),
    ),
    CommandInfo("mine", FIND, N_("records you logged"), N_("/mine")),
    CommandInfo("open", FIND, N_("open records, of one kind or all"), N_("/open refund")),
    CommandInfo("buyer", FIND, N_("a buyer's history"), N_("/buyer tb_lee")),
    CommandInfo("edit", FIND, N_("correct fields of a record"), N_("/edit R-12 amount=15 postage=shop")),
    CommandInfo("void", FIND, N_("withdraw a record, with a reason"), N_("/void R-12 typed twice")),
    CommandInfo(
        "reverse",
        FIND,
        N_("take back a paid refund, with a reason (paid refunds are never voided)"),
        N_("/reverse R-12 paid to the wrong account"),
    ),
    CommandInfo(
        "shelf",
        ALARMS,
        N_("shelf-change alarm: at, in, every N min in a window, daily, on weekdays"),
        N_("/shelf every 30m from 09:00 to 18:00 change the listings lead=5m"),
    ),
    CommandInfo("alarms", ALARMS, N_("this chat's alarms and when they next fire"), N_("/alarms")),
    CommandInfo("alarm", ALARMS, N_("pause, resume, delete an alarm or see its log"), N_("/alarm log 3")),
    CommandInfo(
        "presale",
        ALARMS,
        N_("watch a pre-sale shipping promise; /presale done <order> ends it"),
        N_("/presale 123456789012345678 days=15 blue dress"),
    ),
    CommandInfo("presales", ALARMS, N_("open pre-sale promises by date"), N_("/presales")),
    CommandInfo(
        "digest",
        ALARMS,
        N_("digests for finance, warehouse and supervisors: times, off / on"),
        N_("/digest finance 08:30"),
    ),
    CommandInfo(
        "finance",
        ALARMS,
        N_("finance's refund table now, in the finance group: yesterday's, or all not yet sent"),
        N_("/finance all"),
    ),
    CommandInfo(
        "shifttype",
        SHIFTS,
        N_("shift hours by season; supervisors change them"),
        N_("/shifttype day 09:00-18:00 summer=09:30-18:30 from=05-01"),
    ),
    CommandInfo(
        "roster",
        SHIFTS,
        N_("the roster (week or month); supervisors: set, off, import, template"),
        N_("/roster set @bob 2026-12-01..2026-12-31 day"),
    ),
    CommandInfo("today", SHIFTS, N_("who is on shift now and next"), N_("/today")),
    CommandInfo(
        "leave", SHIFTS, N_("ask the supervisors for leave (请假)"), N_("/leave 12-14..12-15 family wedding")
    ),
    CommandInfo(
        "dayoff",
        SHIFTS,
        N_("the shop's days off and extra working days over China's holidays and 调休"),
        N_("/dayoff add 2026-12-24 stocktaking"),
    ),
    CommandInfo(
        "handover",
        SHIFTS,
        N_("add to the handover book for the next shift (alone: open items)"),
        N_("/handover #call tb_lee wants a refund before 10:00"),
    ),
    CommandInfo(
        "swap",
        SHIFTS,
        N_("ask someone to swap shifts; they and a supervisor agree"),
        N_("/swap @carol 2026-12-05 2026-12-07"),
    ),
    CommandInfo(
        "report",
        REPORTS,
        N_("counts, money refunded, repeat claimants, alarms, time to resolve; today, week, month, 2026-11"),
        N_("/report month"),
    ),
    CommandInfo("chart", REPORTS, N_("a chart of refunds, complaints or alarms"), N_("/chart refunds month")),
    CommandInfo(
        "export",
        REPORTS,
        N_("records as xlsx or csv, sent to you privately"),
        N_("/export refund month xlsx"),
    ),
    CommandInfo(
        "kpi",
        REPORTS,
        N_("each agent's daily figures against the team average: day, week, month, @someone; import"),
        N_("/kpi month @bob"),
    ),
    CommandInfo(
        "star",
        REPORTS,
        N_("the month's star-agent shortlist, for two supervisors to confirm"),
        N_("/star last month"),
    ),
    CommandInfo(
        "phrase",
        TEAM,
        N_("find an approved quick reply; supervisors: add, edit, off, import, export"),
        N_("/phrase 催发货"),
    ),
    CommandInfo("team", TEAM, N_("members by role"), N_("/team")),
    CommandInfo(
        "rotation",
        TEAM,
        N_("review groups 1–4: show [date], next; supervisors: members, period, override, skip"),
        N_("/rotation override @carol @bob 12-10..12-20"),
    ),
    CommandInfo(
        "broadcast",
        TEAM,
        N_("announce to the registered chats after a preview: to=, at=, pin, silent; or reply to a message"),
        N_("/broadcast to=team pin at=14:30 Meeting at 15:00 in room 2"),
    ),
    CommandInfo(
        "broadcasts", TEAM, N_("scheduled broadcasts; /broadcast cancel <id> stops one"), N_("/broadcasts")
    ),
    CommandInfo("acks", TEAM, N_("who pressed Got it under a broadcast"), N_("/acks 3")),
    CommandInfo(
        "fine",
        TEAM,
        N_("fine someone: an amount or a named rule, and why; /fine rule, /fine rules name fixed amounts"),
        N_("/fine @bob 50 ended a chat early"),
    ),
    CommandInfo(
        "reward",
        TEAM,
        N_("reward someone: an amount or a named rule, and why; /reward rule, /reward rules"),
        N_("/reward @bob 100 turned round a negative review"),
    ),
    CommandInfo(
        "appeal", TEAM, N_("contest a fine once; the managers decide"), N_("/appeal 12 I was on a call")
    ),
    CommandInfo(
        "ledger",
        TEAM,
        N_("fines and rewards of a month with totals per person (agents: their own)"),
        N_("/ledger last month @bob"),
    ),
    CommandInfo("role", ADMIN, N_("grant or revoke a role"), N_("/role @alice aftersale")),
    CommandInfo("setup", ADMIN, N_("register this group for a purpose"), N_("/setup team")),
    CommandInfo("chats", ADMIN, N_("registered groups"), N_("/chats")),
    CommandInfo("audit", ADMIN, N_("latest changes, who and when"), N_("/audit 20")),
    CommandInfo(
        "forget", ADMIN, N_("erase a buyer's customer data (in private, asks first)"), N_("/forget tb_lee")
    ),
    CommandInfo(
        "config",
        ADMIN,
        N_("team rules: order length, amount limit, thresholds"),
        N_("/config max_amount 800"),
    ),
    CommandInfo(
        "wecom",
        ADMIN,
        N_("mirror this group's postings to a WeCom group robot; off; who @name <id or mobile>"),
        N_("/wecom https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"),
    ),
    CommandInfo(
        "dingtalk",
        ADMIN,
        N_("mirror this group's postings to a DingTalk robot (token or URL, then the SEC… secret); off; who"),
        N_("/dingtalk https://oapi.dingtalk.com/robot/send?access_token=… SEC…"),
    ),
    CommandInfo("channels", ADMIN, N_("WeCom and DingTalk robots linked, by group"), N_("/channels")),
)


def visible_to(roles: frozenset[Role]) -> list[CommandInfo]:
    """The commands someone holding `roles` may use, in catalogue order."""
    return [info for info in COMMANDS if is_allowed(info.name, roles)]


ROLE_LABELS: dict[Role, str] = {
    Role.PRESALE: N_("pre-sales"),
    Role.INSALE: N_("in-sales"),
    Role.AFTERSALE: N_("after-sales"),
    Role.REVIEW: N_("review team"),
    Role.SUPERVISOR: N_("supervisor"),
    Role.MANAGER: N_("manager"),
    Role.FINANCE: N_("finance"),
    Role.WAREHOUSE: N_("warehouse"),
}

PURPOSE_LABELS: dict[ChatPurpose, str] = {
    ChatPurpose.TEAM: N_("team chat"),
    ChatPurpose.SUPERVISORS: N_("supervisors' chat"),
    ChatPurpose.FINANCE: N_("finance chat"),
    ChatPurpose.WAREHOUSE: N_("warehouse chat"),
    ChatPurpose.REVIEW: N_("review team chat"),
}
