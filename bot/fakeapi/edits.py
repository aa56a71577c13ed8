"""Changing sent messages in the fake Bot API: editMessage*, deleteMessage(s), pinning."""

from __future__ import annotations

import time

from bot.fakeapi.chats import ADMIN_STATUSES
from bot.fakeapi.messages import MAX_TEXT, MEDIA_KEYS, MessagesApi
from bot.fakeapi.params import inline_markup, int_param, str_param
from bot.fakeapi.state import JSONDict, bad_request

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
DELETE_WINDOW = 48 * 3600
"""Seconds after which Telegram refuses to delete a message for everyone, unless the bot moderates."""


class EditsApi(MessagesApi):
    """Edits, deletions and pins with Telegram's refusals, rights and flood accounting."""

    def _editable(self, params: JSONDict) -> JSONDict | None:
        """Stored bot message to edit; None for inline_message_id edits (untracked)."""
        if params.get("inline_message_id") is not None and params.get("chat_id") is None:
            return None
        _, message = self._message_param(params, "edit")
        if message.get("from", {}).get("id") != self.bot_id:
            raise bad_request("message can't be edited")
        return message

    def _apply_edit(self, message: JSONDict, changes: JSONDict, markup: JSONDict | None) -> JSONDict:
        """Apply an edit (or 400 not modified) and return the edited message.

        An accepted edit counts towards the flood limits like a send: Telegram answers 429 to bursts of
        edits in a group just as to bursts of messages.
        """
        same = all(message.get(k) == v for k, v in changes.items()) and message.get("reply_markup") == markup
        if same:
            raise bad_request(NOT_MODIFIED)
        self._check_limits(message["chat"])
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        self._record_send(message["chat"])
        return message

    def _api_edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        """Edit text (+markup); the stored message changes so press_button sees it."""
        text = str_param(params, "text")
        if text is None:
            raise bad_request("message text is empty")
        parse_mode = str_param(params, "parse_mode")
        self._checked_text(
            text, parse_mode, limit=MAX_TEXT, empty="message text is empty", too_long="MESSAGE_TOO_LONG"
        )
        markup = inline_markup(params)
        message = self._editable(params)
        if message is None:
            return True
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        entities = params.get("entities") if isinstance(params.get("entities"), list) else None
        changes: JSONDict = {"text": text, "entities": entities, "parse_mode": parse_mode}
        return self._apply_edit(message, changes, markup)

    def _api_edit_message_caption(self, params: JSONDict) -> JSONDict | bool:
        """Edit (or remove) a media caption."""
        caption = self._caption(params)
        markup = inline_markup(params)
        message = self._editable(params)
        if message is None:
            return True
        if not any(k in message for k in MEDIA_KEYS):
            raise bad_request("there is no caption in the message to edit")
        changes: JSONDict = {
            "caption": caption.get("caption"),
            "caption_entities": caption.get("caption_entities"),
            "parse_mode": str_param(params, "parse_mode"),
        }
        return self._apply_edit(message, changes, markup)

    def _api_edit_message_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        """Replace (or remove) the inline keyboard."""
        markup = inline_markup(params)
        message = self._editable(params)
        if message is None:
            return True
        return self._apply_edit(message, {}, markup)

    # ------------------------------------------------------------------ deleting

    def _check_deletable(self, chat: JSONDict, message: JSONDict) -> None:
        """Refuse like Telegram: a moderating bot deletes anything, others only recent own messages.

        "Recent" is 48 hours; in private chats the bot may also delete the user's messages.
        """
        if chat["type"] == "group" and self._member_status(chat, self.bot_id) in ADMIN_STATUSES:
            return
        if chat["type"] != "private" and self._bot_may(chat, "can_delete_messages"):
            return
        if chat["type"] != "private" and message.get("from", {}).get("id") != self.bot_id:
            raise bad_request("message can't be deleted")
        if time.time() - int(message["date"]) >= DELETE_WINDOW:
            raise bad_request("message can't be deleted for everyone")

    def _api_delete_message(self, params: JSONDict) -> bool:
        """Remove a stored message (it stays in sent() history)."""
        chat, message = self._message_param(params, "delete")
        self._check_deletable(chat, message)
        self._forget_message(chat["id"], message["message_id"])
        return True

    def _api_delete_messages(self, params: JSONDict) -> bool:
        """Remove several messages; unknown ids are skipped like Telegram.

        One message the bot may not delete refuses the whole call, and nothing is deleted.
        """
        chat = self._resolve_chat(params.get("chat_id"))
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message_ids is empty")
        keys = [
            (chat["id"], mid) for mid in ids if isinstance(mid, int) and (chat["id"], mid) in self._messages
        ]
        for key in keys:
            self._check_deletable(chat, self._messages[key])
        for chat_id, message_id in keys:
            self._forget_message(chat_id, message_id)
        return True

    # ------------------------------------------------------------------ pinning

    def _pins(self, params: JSONDict) -> tuple[JSONDict, list[int]]:
        """(chat, its pinned ids) after checking the bot may pin there (can_pin_messages in groups)."""
        chat = self._resolve_chat(params.get("chat_id"))
        if chat["type"] != "private" and not self._bot_may(chat, "can_pin_messages"):
            raise bad_request("not enough rights to manage pinned messages in the chat")
        return chat, self._pinned.setdefault(chat["id"], [])

    def _api_pin_chat_message(self, params: JSONDict) -> bool:
        """Pin a stored message."""
        _, pins = self._pins(params)
        _, message = self._message_param(params, "pin")
        if message["message_id"] not in pins:
            pins.append(message["message_id"])
        return True

    def _api_unpin_chat_message(self, params: JSONDict) -> bool:
        """Unpin one message (the latest if message_id is omitted)."""
        _, pins = self._pins(params)
        message_id = int_param(params, "message_id", required=False)
        if message_id is None:
            if pins:
                pins.pop()
        elif message_id in pins:
            pins.remove(message_id)
        return True

    def _api_unpin_all_chat_messages(self, params: JSONDict) -> bool:
        """Clear all pins in a chat."""
        _, pins = self._pins(params)
        pins.clear()
        return True
