"""The runtime's small parts: JSON log lines carry the update, webhook update ids are taken once and pruned,
webhook mode refuses to start without its secret, the SQLite lock names its holder."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from telegram import Bot, Update

from bot.config import Settings
from bot.models import HandledUpdate
from bot.runtime import logs
from bot.runtime.leadership import AlreadyRunningError, FileLeadership
from bot.services import handled_updates
from bot.services.handled_updates import Claim
from bot.services.invalidation import channel_for, postgres_dsn

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def update(text: str | None = None, data: str | None = None) -> Update:
    """A group message (or a button press on one) as Telegram sends it."""
    user = {"id": 102, "is_bot": False, "first_name": "Bob"}
    message = {"message_id": 7, "date": 0, "chat": {"id": -1001001, "type": "supergroup", "title": "T"}}
    if data is None:
        return Update.de_json({"update_id": 41, "message": {**message, "from": user, "text": text}}, None)
    press = {"id": "q", "from": user, "chat_instance": "c", "data": data, "message": message}
    return Update.de_json({"update_id": 42, "callback_query": press}, Bot("1:x"))


def rendered(message: str, *, error: bool = False) -> dict[str, object]:
    """What the JSON formatter writes for one record (with a traceback when `error`), parsed back."""
    record = logging.LogRecord("bot.x", logging.INFO, __file__, 1, message, None, None)
    if error:
        try:
            raise ValueError("broken")
        except ValueError:
            record.exc_info = sys.exc_info()
    return dict(json.loads(logs.JsonFormatter().format(record)))


def test_json_log_lines_carry_the_update_id_chat_and_command() -> None:
    token = logs.CURRENT.set(logs.describe(update("/role@kefu_bot @carol presale")))
    try:
        line = rendered("granted")
    finally:
        logs.CURRENT.reset(token)
    assert line["update_id"] == 41 and line["chat"] == -1001001 and line["command"] == "/role"
    assert line["message"] == "granted" and line["level"] == "INFO" and line["logger"] == "bot.x"
    assert "update_id" not in rendered("outside any update")


def test_json_log_lines_name_the_button_family_and_keep_the_traceback() -> None:
    token = logs.CURRENT.set(logs.describe(update(data="r1:paid:12:0")))
    try:
        line = rendered("pressed", error=True)
    finally:
        logs.CURRENT.reset(token)
    assert line["command"] == "button:r1" and line["update_id"] == 42
    assert "ValueError: broken" in str(line["error"])


async def test_an_update_id_is_taken_once_and_old_ids_are_pruned(database: str) -> None:
    assert await handled_updates.take(41, NOW) is Claim.TAKEN
    assert await handled_updates.take(41, NOW + timedelta(seconds=5)) is Claim.BUSY  # being handled
    await handled_updates.finish(41, NOW + timedelta(seconds=6))
    assert await handled_updates.take(41, NOW + timedelta(seconds=7)) is Claim.DONE
    assert await handled_updates.take(41, NOW + timedelta(minutes=5)) is Claim.DONE
    assert await handled_updates.take(42, NOW + timedelta(hours=30)) is Claim.TAKEN
    assert await handled_updates.prune(NOW + timedelta(hours=25)) == 1
    assert await HandledUpdate.all().values_list("update_id", flat=True) == [42]


async def test_an_update_whose_instance_died_handling_it_is_taken_over_once(database: str) -> None:
    assert await handled_updates.take(41, NOW) is Claim.TAKEN  # and that instance never finishes
    assert await handled_updates.take(41, NOW + handled_updates.LEASE) is Claim.BUSY
    later = NOW + handled_updates.LEASE + timedelta(seconds=1)
    assert await handled_updates.take(41, later) is Claim.TAKEN  # Telegram's redelivery, on another instance
    assert await handled_updates.take(41, later + timedelta(seconds=1)) is Claim.BUSY
    await handled_updates.finish(41, later + timedelta(seconds=2))
    assert await handled_updates.take(41, later + timedelta(minutes=5)) is Claim.DONE


def test_webhook_mode_needs_its_url_and_secret() -> None:
    base = {"_env_file": None, "BOT_TOKEN": "1:x", "BOT_MODE": "webhook"}
    with pytest.raises(ValidationError, match="WEBHOOK_URL and WEBHOOK_SECRET"):
        Settings(**base, WEBHOOK_URL="https://x.example/hook")  # type: ignore[arg-type]
    ok = Settings(**base, WEBHOOK_URL="https://x.example/hook", WEBHOOK_SECRET="s")  # type: ignore[arg-type]
    assert ok.webhook_address == ("0.0.0.0", 8443) and ok.health_port is None


def test_the_sqlite_lock_names_the_process_holding_it(tmp_path: Path) -> None:
    database = tmp_path / "kefu.sqlite3"
    first = FileLeadership(database)
    with pytest.raises(AlreadyRunningError, match=f"pid {os.getpid()}"):
        FileLeadership(database)
    asyncio.run(first.close())
    asyncio.run(FileLeadership(database).close())  # free again once the first let go


def test_each_schema_has_its_own_channel_and_dsn() -> None:
    url = "postgres://u:p@db:5432/kefu?schema=shop_a&minsize=1"
    assert postgres_dsn(url) == ("postgresql://u:p@db:5432/kefu", "shop_a")
    assert channel_for(url) != channel_for(url.replace("shop_a", "shop_b"))
