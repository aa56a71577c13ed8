"""Inline buttons in the fake Bot API: presses injected by tests and answerCallbackQuery."""

from __future__ import annotations

import itertools

from bot.fakeapi.chats import ChatsApi
from bot.fakeapi.params import str_param
from bot.fakeapi.state import JSONDict, bad_request
from bot.fakeapi.updates import UpdatesApi


class CallbacksApi(ChatsApi, UpdatesApi):
    """Turns a press on a stored message's button into a callback_query update; only those ids answer."""

    def _init_state(self) -> None:
        """No queries yet."""
        super()._init_state()
        self._callback_queries: dict[str, tuple[int, int]] = {}
        self._callback_counter = itertools.count(1)

    def press(self, chat_id: int, user_id: int, message_id: int, data: str) -> JSONDict:
        """Queue a callback_query update for an inline button on a stored message."""
        target = self._messages.get((chat_id, message_id))
        if target is None:
            raise LookupError(f"press: no message {message_id} in chat {chat_id}")
        user = self._user_for_injection(user_id)
        query_id = f"{next(self._callback_counter)}{abs(user_id) % 10_000_000:07d}"
        self._callback_queries[query_id] = (chat_id, user_id)
        query: JSONDict = {
            "id": query_id,
            "from": user,
            "message": dict(target),
            "chat_instance": str(abs(chat_id) * 7 + 13),
            "data": data,
        }
        return self._queue({"callback_query": query})

    def press_button(self, chat_id: int, user_id: int, message_id: int, index: int) -> JSONDict:
        """Press the index-th (1-based, row by row) inline button of a stored message."""
        target = self._messages.get((chat_id, message_id))
        if target is None:
            raise LookupError(f"press_button: no message {message_id} in chat {chat_id}")
        rows = (target.get("reply_markup") or {}).get("inline_keyboard") or []
        buttons = [button for row in rows for button in row]
        if not 1 <= index <= len(buttons):
            raise IndexError(
                f"press_button: message {message_id} has {len(buttons)} inline buttons, asked for #{index}"
            )
        button = buttons[index - 1]
        if "callback_data" not in button:
            raise ValueError(f"press_button: button {button!r} has no callback_data")
        return self.press(chat_id, user_id, message_id, str(button["callback_data"]))

    def _api_answer_callback_query(self, params: JSONDict) -> bool:
        """Only ids produced by press() are valid."""
        query_id = str_param(params, "callback_query_id")
        if query_id is None or query_id not in self._callback_queries:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        return True
