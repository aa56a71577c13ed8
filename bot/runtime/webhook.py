"""Webhook mode: Telegram (or a load balancer in front of several instances) POSTs updates here.

A request without Telegram's secret header, or with a wrong one, gets 403 and changes nothing. Every instance
answers; an update delivered twice (Telegram retries, or two instances behind a balancer) is handled once: the
first instance to store its id in `handled_update` handles it and marks it done; a later delivery of a done
update gets 200 and is dropped, one arriving while it is handled gets 503 (Telegram delivers it again later),
and one arriving after its instance died handling it takes it over (bot/services/handled_updates.py).
Updates of one chat are handled in the order their calls arrived, one at a time, as in polling.
"""

from __future__ import annotations

import hmac
import json
import logging
from datetime import UTC, datetime
from typing import cast
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.chat_order import ChatOrderedProcessor
from bot.config import Settings
from bot.services import handled_updates
from bot.services.handled_updates import Claim

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_path(settings: Settings) -> str:
    """The path of WEBHOOK_URL: Telegram calls it, the instance listens on it."""
    return urlsplit(settings.webhook_url or "").path or "/"


async def handle(bot: Application, update: Update) -> None:  # type: ignore[type-arg]
    """Handle an update behind its chat's earlier ones, as polling does (bot/chat_order.py)."""
    processor = cast(ChatOrderedProcessor, bot.update_processor)  # bot.app.build_application's
    await processor.handled(update, bot.process_update(update))


def webhook_app(bot: Application, settings: Settings) -> web.Application:  # type: ignore[type-arg]
    """The aiohttp application taking Telegram's calls."""
    secret = (settings.webhook_secret or "").encode()

    async def receive(request: web.Request) -> web.Response:
        """Check the secret, take the update id once, handle the update before answering."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not secret or not hmac.compare_digest(given, secret):
            log.warning("webhook call without the right secret from %s refused", request.remote)
            return web.Response(status=403)
        try:
            update = Update.de_json(json.loads(await request.read()), bot.bot)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("webhook call with a malformed update refused: %s", exc)
            return web.Response(status=400)
        claim = await handled_updates.take(update.update_id, datetime.now(UTC))
        if claim is Claim.DONE:
            log.info("update %s was delivered again: already handled", update.update_id)
            return web.Response()
        if claim is Claim.BUSY:
            log.info("update %s is being handled by another delivery: asked to come back", update.update_id)
            return web.Response(status=503, headers={"Retry-After": "5"})
        await handle(bot, update)
        await handled_updates.finish(update.update_id, datetime.now(UTC))
        return web.Response()

    app = web.Application(client_max_size=2**20)
    app.router.add_post(webhook_path(settings), receive)
    return app
