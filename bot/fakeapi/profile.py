"""The bot's profile in the fake Bot API: getMe, commands per scope and language, texts, menu button."""

from __future__ import annotations

import json
import re

from bot.fakeapi.chats import ChatsApi
from bot.fakeapi.params import int_param, str_param
from bot.fakeapi.state import JSONDict, bad_request

_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SCOPE_FIELDS: dict[str, tuple[str, ...]] = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
"""BotCommandScope types and the ids each one names."""
_TEXT_LIMITS = {"description": 512, "short_description": 120, "name": 64}
"""Telegram's lengths for the bot's texts (setMyDescription, setMyShortDescription, setMyName)."""


class ProfileApi(ChatsApi):
    """What BotFather and the set/getMy* methods configure, stored like Telegram does."""

    def _init_state(self) -> None:
        """No commands, texts or menu buttons set yet."""
        super()._init_state()
        self._commands: dict[str, list[JSONDict]] = {}
        self._bot_texts: dict[str, str] = {}
        self._menu_buttons: dict[int | None, JSONDict] = {}

    def _api_get_me(self, params: JSONDict) -> JSONDict:
        """The bot's User with the getMe-only flags (privacy mode shows as can_read_all_group_messages)."""
        return {
            **self.bot_user,
            "can_join_groups": self.can_join_groups,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_log_out(self, params: JSONDict) -> bool:
        """Accepted, no effect."""
        return True

    def _api_close(self, params: JSONDict) -> bool:
        """Accepted, no effect."""
        return True

    # ------------------------------------------------------------------ commands

    def _commands_key(self, params: JSONDict) -> str:
        """Commands are stored per (scope, language_code); a scope's chat may be given as id or @username."""
        scope = params.get("scope")
        if scope is None:
            scope = {"type": "default"}
        if not isinstance(scope, dict):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope.get("type")
        fields = _SCOPE_FIELDS.get(kind) if isinstance(kind, str) else None
        if fields is None:
            raise bad_request("unsupported bot command scope type")
        key: JSONDict = {"type": kind}
        if "chat_id" in fields:
            key["chat_id"] = self._resolve_chat(scope.get("chat_id"))["id"]
        if "user_id" in fields:
            key["user_id"] = int_param(scope, "user_id")
        return json.dumps([key, str_param(params, "language_code") or ""], sort_keys=True)

    def _api_set_my_commands(self, params: JSONDict) -> bool:
        """Validate and store the command list."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        cleaned = [{"command": c["command"], "description": c["description"]} for c in commands]
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    def _api_get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        """Commands stored for exactly that scope/language (Telegram does not fall back here)."""
        return list(self._commands.get(self._commands_key(params), []))

    def _api_delete_my_commands(self, params: JSONDict) -> bool:
        """Forget commands for that scope/language."""
        self._commands.pop(self._commands_key(params), None)
        return True

    # ------------------------------------------------------------------ texts and menu button

    def _set_bot_text(self, params: JSONDict, field: str) -> bool:
        """Store description/short_description/name per language, refusing texts beyond Telegram's lengths."""
        text = str_param(params, field) or ""
        if len(text) > _TEXT_LIMITS[field]:
            raise bad_request(f"{field} is too long")
        key = f"{field}:{params.get('language_code') or ''}"
        self._bot_texts[key] = text
        return True

    def _get_bot_text(self, params: JSONDict, field: str) -> JSONDict:
        """Read back a stored bot text."""
        key = f"{field}:{params.get('language_code') or ''}"
        default = self.bot_name if field == "name" else ""
        return {field: self._bot_texts.get(key, default)}

    def _api_set_my_description(self, params: JSONDict) -> bool:
        """Store the description."""
        return self._set_bot_text(params, "description")

    def _api_get_my_description(self, params: JSONDict) -> JSONDict:
        """Stored description."""
        return self._get_bot_text(params, "description")

    def _api_set_my_short_description(self, params: JSONDict) -> bool:
        """Store the short description."""
        return self._set_bot_text(params, "short_description")

    def _api_get_my_short_description(self, params: JSONDict) -> JSONDict:
        """Stored short description."""
        return self._get_bot_text(params, "short_description")

    def _api_set_my_name(self, params: JSONDict) -> bool:
        """Store the name."""
        return self._set_bot_text(params, "name")

    def _api_get_my_name(self, params: JSONDict) -> JSONDict:
        """Stored name."""
        return self._get_bot_text(params, "name")

    def _api_set_chat_menu_button(self, params: JSONDict) -> bool:
        """Store the menu button (per chat or default)."""
        chat_id = params.get("chat_id")
        button = params.get("menu_button")
        key = chat_id if isinstance(chat_id, int) else None
        self._menu_buttons[key] = button if isinstance(button, dict) else {"type": "default"}
        return True

    def _api_get_chat_menu_button(self, params: JSONDict) -> JSONDict:
        """Stored menu button, default {"type": "commands"}."""
        chat_id = params.get("chat_id")
        key = chat_id if isinstance(chat_id, int) else None
        return self._menu_buttons.get(key) or self._menu_buttons.get(None) or {"type": "commands"}
