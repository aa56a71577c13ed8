"""Thin Telegram adapters, one module per feature; `register_all` adds them to the Application in order."""

from __future__ import annotations

from telegram.ext import Application

from handlers import admin, alarms, basics, errors, gatekeeper, presale, records, refund_form, team, unknown


def register_all(app: Application) -> None:  # type: ignore[type-arg]
    """Register every feature's handlers; order matters within a handler group."""
    gatekeeper.register(app)  # group -1: learn people and chats from every update
    basics.register(app)  # /start /help /whoami /lang
    refund_form.register(app)  # /refund alone: the guided form (before the plain /refund)
    records.register(app)  # /refund /courier /complaint /problem /review, cards, /show /find /edit /void
    alarms.register(app)  # /shelf /alarms /alarm, Done and Snooze buttons
    presale.register(app)  # /presale /presales
    team.register(app)  # /team /role
    admin.register(app)  # /setup /chats /audit
    unknown.register(app)  # last: unknown commands in private chats
    errors.register(app)  # one error handler: log first, then apologise
