"""Sending in the fake Bot API: sendMessage/Photo/Document, copyMessage, forwardMessage, sendChatAction."""

from __future__ import annotations

import time
from typing import Any

from bot.fakeapi.chats import ChatsApi
from bot.fakeapi.files import FilesApi
from bot.fakeapi.formatting import checked_text
from bot.fakeapi.params import inline_markup, int_param, str_param
from bot.fakeapi.state import JSONDict, bad_request, reply_copy

MEDIA_KEYS = ("photo", "document")
MAX_TEXT = 4096
MAX_CAPTION = 1024


class MessagesApi(ChatsApi, FilesApi):
    """Validates what the bot sends like Telegram (text, markup, replies, rights, limits) and stores it."""

    def _init_state(self) -> None:
        """Nothing sent yet; formatting is checked unless a test turns it off."""
        super()._init_state()
        self._sent: list[JSONDict] = []
        self.check_formatting: bool = True

    # ------------------------------------------------------------------ shared by sends and edits

    def _checked_text(
        self, text: str, parse_mode: str | None, *, limit: int, empty: str, too_long: str
    ) -> None:
        """Validate formatting (if check_formatting) and length the way Telegram does for text/captions."""
        checked_text(
            text, parse_mode, parse=self.check_formatting, limit=limit, empty=empty, too_long=too_long
        )

    def _caption(self, params: JSONDict) -> JSONDict:
        """Validated caption fields for media messages."""
        caption = str_param(params, "caption")
        if caption is None:
            return {}
        self._checked_text(
            caption,
            str_param(params, "parse_mode"),
            limit=MAX_CAPTION,
            empty="",
            too_long="message caption is too long",
        )
        out: JSONDict = {"caption": caption}
        if isinstance(params.get("caption_entities"), list):
            out["caption_entities"] = params["caption_entities"]
        return out

    def _check_sendable(self, chat: JSONDict) -> None:
        """403 where the bot may not write, 429 where one more message breaks the flood limits."""
        self._check_writable(chat)
        self._check_limits(chat)

    def _send_target(self, params: JSONDict) -> JSONDict:
        """Chat to send into, enforcing blocks, membership and rate limits."""
        chat = self._resolve_chat(params.get("chat_id"))
        self._check_sendable(chat)
        return chat

    def _reply_target(self, params: JSONDict, chat: JSONDict) -> JSONDict | None:
        """Message being replied to (reply_parameters or reply_to_message_id), if any."""
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        target_id: Any = None
        if isinstance(reply, dict):
            target_id = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
        elif reply is not None:
            raise bad_request("can't parse reply parameters JSON object")
        if target_id is None:
            target_id = params.get("reply_to_message_id")
        if target_id is None:
            return None
        target = self._messages.get((chat["id"], target_id)) if isinstance(target_id, int) else None
        if target is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return target

    def _bot_message(self, chat: JSONDict, params: JSONDict, content: JSONDict) -> JSONDict:
        """Create, store and record a message the bot sent (common send options applied)."""
        reply_target = self._reply_target(params, chat)
        markup = inline_markup(params)
        msg: JSONDict = {
            "message_id": self._next_mid(chat["id"]),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
        }
        thread = params.get("message_thread_id")
        if isinstance(thread, int):
            msg["message_thread_id"] = thread
        if reply_target is not None:
            msg["reply_to_message"] = reply_copy(reply_target)
        msg.update(content)
        if markup is not None:
            msg["reply_markup"] = markup
        for key in ("parse_mode", "disable_notification", "link_preview_options"):
            if params.get(key) is not None:
                msg[key] = params[key]
        if params.get("protect_content"):
            msg["has_protected_content"] = True
        self._messages[(chat["id"], msg["message_id"])] = msg
        self._sent.append(msg)
        self._record_send(chat)
        return msg

    # ------------------------------------------------------------------ Bot API methods

    def _api_send_message(self, params: JSONDict) -> JSONDict:
        """Text message; validates text, parse_mode, markup, reply target."""
        chat = self._resolve_chat(params.get("chat_id"))
        text = str_param(params, "text")
        if text is None:
            raise bad_request("message text is empty")
        self._checked_text(
            text,
            str_param(params, "parse_mode"),
            limit=MAX_TEXT,
            empty="message text is empty",
            too_long="message is too long",
        )
        self._check_sendable(chat)
        content: JSONDict = {"text": text}
        if isinstance(params.get("entities"), list):
            content["entities"] = params["entities"]
        return self._bot_message(chat, params, content)

    def _send_media(self, params: JSONDict, key: str, folder: str) -> JSONDict:
        """Photo or document message from an upload, file_id or URL."""
        chat = self._resolve_chat(params.get("chat_id"))
        caption = self._caption(params)
        stored = self._stored_upload(params, key, folder)
        self._check_sendable(chat)
        media = self._photo_sizes(stored) if key == "photo" else self._document(stored)
        return self._bot_message(chat, params, {key: media, **caption})

    def _api_send_photo(self, params: JSONDict) -> JSONDict:
        """Photo message (two sizes, like Telegram)."""
        return self._send_media(params, "photo", "photos")

    def _api_send_document(self, params: JSONDict) -> JSONDict:
        """Document message (file name and MIME type kept)."""
        return self._send_media(params, "document", "documents")

    def _api_copy_message(self, params: JSONDict) -> JSONDict:
        """Copy without a link to the original; returns MessageId."""
        source = self._source_message(params, "copy")
        chat = self._send_target(params)
        content = self._copy_content(source)
        if "caption" in params and any(k in source for k in MEDIA_KEYS):
            content.pop("caption_entities", None)
            content.update(self._caption(params))
        message = self._bot_message(chat, params, content)
        return {"message_id": message["message_id"]}

    def _api_forward_message(self, params: JSONDict) -> JSONDict:
        """Forward with forward_origin; returns the new Message."""
        source = self._source_message(params, "forward")
        chat = self._send_target(params)
        content = self._copy_content(source)
        sender = source.get("from")
        if sender is not None:
            content["forward_origin"] = {"type": "user", "sender_user": sender, "date": source["date"]}
        else:
            content["forward_origin"] = {
                "type": "chat",
                "sender_chat": source["chat"],
                "date": source["date"],
            }
        clean = {k: v for k, v in params.items() if k != "reply_markup"}
        return self._bot_message(chat, clean, content)

    @staticmethod
    def _copy_content(source: JSONDict) -> JSONDict:
        """The content fields a copy/forward carries over."""
        keys = ("text", "entities", "caption", "caption_entities", *MEDIA_KEYS)
        return {k: source[k] for k in keys if k in source}

    def _source_message(self, params: JSONDict, verb: str) -> JSONDict:
        """The stored message copy/forward reads (from_chat_id + message_id)."""
        from_chat = self._resolve_chat(params.get("from_chat_id"))
        message_id = int_param(params, "message_id")
        source = self._messages.get((from_chat["id"], message_id or 0))
        if source is None:
            raise bad_request(f"message to {verb} not found")
        return source

    def _api_send_chat_action(self, params: JSONDict) -> bool:
        """Typing indicators: validate chat and action (not a message, so no flood limit)."""
        chat = self._resolve_chat(params.get("chat_id"))
        self._check_writable(chat)
        if not str_param(params, "action"):
            raise bad_request("action is empty")
        return True
