"""Thin Telegram adapters, one module per feature; `register_all` adds them to the Application in order."""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    admin,
    alarms,
    basics,
    broadcasts,
    channels,
    confirm,
    days_off,
    digests,
    errors,
    followups,
    gate,
    gatekeeper,
    handover,
    kpi,
    leave,
    ledger,
    pages,
    phrases,
    presale,
    privacy,
    records,
    refund_form,
    reports,
    rotations,
    shifts,
    swaps,
    team,
    unknown,
)


def register_all(app: Application) -> None:  # type: ignore[type-arg]
    """Register every feature's handlers; order matters within a handler group."""
    gatekeeper.register(app)  # group -1: learn people and chats from every update
    refund_form.register(app)  # /refund alone: the guided form (before the plain /refund and /start)
    basics.register(app)  # /start (and the deep links it opens) /help /whoami /lang
    rotations.register(app)  # /rotation, /review stats (before the plain /review)
    records.register(app)  # the record commands, cards and their buttons, /show /find /edit /void
    alarms.register(app)  # /shelf /alarms /alarm, Done and Snooze buttons
    presale.register(app)  # /presale /presales
    digests.register(app)  # /digest, finance's Paid / Rejected buttons, reasons and returned refund tables
    shifts.register(app)  # /shifttype /roster /today, roster files (template, import)
    days_off.register(app)  # /dayoff: the shop's days off and extra working days
    confirm.register(app)  # the ✅ / 🔄 / ✏️ buttons under a reading the bot asks about
    handover.register(app)  # /handover and its ✅ buttons
    swaps.register(app)  # /swap and its Accept / Approve / Decline buttons
    followups.register(app)  # /followup, the Done / Called / No answer buttons under the morning lists
    leave.register(app)  # /leave and its Approve / Decline buttons
    team.register(app)  # /team /role
    broadcasts.register(app)  # /broadcast /broadcasts /acks, Confirm / Cancel and Got it buttons
    kpi.register(app)  # /kpi /star, KPI files captioned /kpi import, the ⭐ confirmations
    reports.register(app)  # /report /chart /export
    ledger.register(app)  # /fine /reward /appeal /ledger, Keep / Cancel under an appeal
    phrases.register(app)  # /phrase, its 📋 buttons and phrase files
    admin.register(app)  # /setup /chats /audit
    channels.register(app)  # /wecom /dingtalk /channels: WeCom and DingTalk group robots
    privacy.register(app)  # /forget and its confirmation
    pages.register(app)  # ◀ ▶ under every paged output
    unknown.register(app)  # last: unknown commands in private chats
    app.add_handler(gate.catch_all())  # last: presses no family reads: "out of date"
    errors.register(app)  # one error handler: log first, then apologise
    gate.route_commands(app)  # consecutive commands matched by name at once: chatter skips them in one check
