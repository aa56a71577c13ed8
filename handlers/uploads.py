"""A spreadsheet sent with a command as its caption, or the file the command replies to, downloaded once
checked against the size cap (the reading itself is bounded in bot/services/sheets.py)."""

from __future__ import annotations

from telegram import Document

from bot.services import sheet_limits as limits
from bot.services.errors import UserError
from handlers.gate import Call


def document_of(call: Call, missing: str) -> Document:
    """The file sent with the command, or the one it replies to; `missing` says what to send when neither."""
    for message in (call.message, call.message.reply_to_message):
        if message is not None and message.document is not None:
            return message.document
    raise UserError(missing)


async def download(call: Call, missing: str) -> tuple[bytes, str]:
    """The file's bytes and name, refused before downloading when it is over the cap."""
    document = document_of(call, missing)
    size = document.file_size or 0
    if size > limits.MAX_FILE_BYTES:
        raise UserError(limits.FILE_TOO_BIG, size=limits.size(size), limit=limits.size(limits.MAX_FILE_BYTES))
    data = await (await call.context.bot.get_file(document.file_id)).download_as_bytearray()
    return bytes(data), document.file_name or ""
