"""What the transcript shows of the bot's calls: each message to any chat, edits, files, toasts, alerts and
the command menus set for one chat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.fakeapi import ApiCall, FakeBotApi

SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"})
EDITS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup"})
PIN = "pinChatMessage"
ANSWER = "answerCallbackQuery"
MENU = "setMyCommands"
MENU_SHOWN = 3
"""Commands a chat's new menu is shown with (the count says how many it has)."""


def transcript_lines(api: FakeBotApi, call: ApiCall, label: Callable[[int], str]) -> list[str]:
    """The lines one call of the bot adds to the transcript (none for calls nobody would see)."""
    if call.method == ANSWER:
        return answer_lines(call.params)
    if call.method == MENU:
        return menu_lines(call, label)
    if call.method not in SENDS | EDITS | {PIN}:
        return []
    where = f"[{label(int(call.params['chat_id']))}]"
    if call.status != 200:
        error = (call.error or {}).get("description", call.status)
        return [] if call.method in EDITS else [f"{where} (Telegram refused {call.method}: {error})"]
    if call.method == PIN:
        message = api.get_message(int(call.params["chat_id"]), int(call.params["message_id"])) or {}
        return [f"{where} (bot pinned: {first_line(body(message))})"]
    message = call.result if isinstance(call.result, dict) else {}
    if "chat" not in message:  # copyMessage answers with the id only
        message = api.get_message(int(call.params["chat_id"]), int(message.get("message_id", 0))) or {}
    edited = " (edited)" if call.method in EDITS else ""
    return [f"{where} bot{edited}: {attachment(message)}{body(message)}", *button_lines(message)]


def menu_lines(call: ApiCall, label: Callable[[int], str]) -> list[str]:
    """A chat's own command menu as it changes (in its default language): how many, and the first few."""
    scope = call.params.get("scope") or {}
    if call.status != 200 or scope.get("type") != "chat" or call.params.get("language_code"):
        return []
    commands = call.params.get("commands") or []
    shown = ", ".join(f"/{c['command']} {c['description']}" for c in commands[:MENU_SHOWN])
    more = ", …" if len(commands) > MENU_SHOWN else ""
    return [f"[{label(int(scope['chat_id']))}] (command menu: {len(commands)} commands: {shown}{more})"]


def answer_lines(params: dict[str, Any]) -> list[str]:
    """A button press's toast or alert, if the bot showed one."""
    text = params.get("text")
    if not text:
        return []
    return [f"({'alert' if params.get('show_alert') else 'toast'}) {text}"]


def body(message: dict[str, Any]) -> str:
    """A message's text or caption."""
    return str(message.get("text") or message.get("caption") or "")


def first_line(text: str) -> str:
    """The first line of a text, to name a message briefly."""
    return text.split("\n", 1)[0]


def attachment(message: dict[str, Any]) -> str:
    """`[photo] ` or `[file NAME] ` before the caption of a media message."""
    if "document" in message:
        return f"[file {message['document'].get('file_name', '')}] "
    return "[photo] " if "photo" in message else ""


def button_lines(message: dict[str, Any]) -> list[str]:
    """The message's inline buttons numbered as `:press N` counts them, on one line."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    buttons = [button["text"] for row in rows for button in row]
    if not buttons:
        return []
    return ["   " + "  ".join(f"[{n}] {text}" for n, text in enumerate(buttons, 1))]
