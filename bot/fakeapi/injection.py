"""The test-facing side of the fake Bot API: people writing, and looking at what the bot did."""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable, Collection

from bot.fakeapi.chats import ADMIN_STATUSES
from bot.fakeapi.formatting import auto_entities, entity_text
from bot.fakeapi.messages import MessagesApi
from bot.fakeapi.state import ApiCall, JSONDict, reply_copy
from bot.fakeapi.updates import UpdatesApi


class InjectionApi(MessagesApi, UpdatesApi):
    """Injects user messages as updates (honouring privacy mode) and answers tests' questions."""

    def message(
        self,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        *,
        reply_to: int | None = None,
        photo: bool = False,
        document: tuple[str, bytes] | None = None,
        caption: str | None = None,
    ) -> JSONDict:
        """Post a message as a user and queue its update; returns the update dict.

        With privacy_mode on, a group message Telegram would not show the bot is stored but not queued:
        the returned dict then has no update_id (processed() returns at once).
        """
        if text is None and not photo and document is None:
            raise ValueError("message() needs text, photo=True or document=(name, bytes)")
        user = self._user_for_injection(user_id)
        chat = self._chat_for_injection(chat_id)
        if chat["type"] != "private":
            self._members.setdefault(chat_id, {}).setdefault(user_id, "member")
        msg: JSONDict = {
            "message_id": self._next_mid(chat_id),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
        }
        if reply_to is not None:
            target = self._messages.get((chat_id, reply_to))
            if target is None:
                raise LookupError(f"reply_to: no message {reply_to} in chat {chat_id}")
            msg["reply_to_message"] = reply_copy(target)
        if text is not None:
            msg["text"] = text
            entities = auto_entities(text)
            if entities:
                msg["entities"] = entities
        if photo:
            n = next(self._file_counter)
            stored = self._new_file(b"\xff\xd8\xff\xe0fake-jpeg-%d" % n, "photos")
            msg["photo"] = self._photo_sizes(stored)
        if document is not None:
            name, content = document
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            msg["document"] = self._document(
                self._new_file(content, "documents", file_name=name, mime_type=mime)
            )
        if caption is not None:
            msg["caption"] = caption
            entities = auto_entities(caption)
            if entities:
                msg["caption_entities"] = entities
        self._messages[(chat_id, msg["message_id"])] = msg
        if not self._shown_to_bot(msg):
            return {"message": msg}
        return self._queue({"message": msg})

    def _shown_to_bot(self, msg: JSONDict) -> bool:
        """Whether Telegram would deliver this message to the bot, privacy mode considered.

        In privacy mode a group message reaches a bot that is no administrator only if it starts with a
        command (addressed to no bot or to this one), @mentions the bot or replies to one of its messages.
        """
        chat = msg["chat"]
        if not self.privacy_mode or chat["type"] == "private":
            return True
        if self._member_status(chat, self.bot_id) in ADMIN_STATUSES:
            return True
        if (msg.get("reply_to_message") or {}).get("from", {}).get("id") == self.bot_id:
            return True
        text = msg.get("text") or msg.get("caption") or ""
        me = "@" + self.bot_username.lower()
        for entity in msg.get("entities") or msg.get("caption_entities") or []:
            piece = entity_text(text, entity).lower()
            if entity["type"] == "mention" and piece == me:
                return True
            if (
                entity["type"] == "bot_command"
                and entity["offset"] == 0
                and ("@" not in piece or piece.endswith(me))
            ):
                return True
        return False

    # ------------------------------------------------------------------ inspection

    def calls_to(self, method: str) -> list[ApiCall]:
        """All recorded calls of one method (case-insensitive), in order."""
        wanted = method.lower()
        return [call for call in self.calls if call.method.lower() == wanted]

    def sent(self, chat_id: int | None = None) -> list[JSONDict]:
        """Messages the bot sent (current state, edits applied), optionally in one chat."""
        if chat_id is None:
            return list(self._sent)
        return [msg for msg in self._sent if msg["chat"]["id"] == chat_id]

    def get_message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """The stored (current) message, or None if unknown or deleted."""
        return self._messages.get((chat_id, message_id))

    def latest_message(self, chat_id: int, *, not_from: Collection[int] = ()) -> JSONDict | None:
        """The newest stored message in a chat, skipping some senders' (for replies in the shell)."""
        in_chat = [msg for (cid, _), msg in self._messages.items() if cid == chat_id]
        others = [msg for msg in in_chat if (msg.get("from") or {}).get("id") not in not_from]
        return max(others, key=lambda msg: int(msg["message_id"]), default=None)

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        after: int = 0,
    ) -> ApiCall:
        """Wait for a call of `method` (matching predicate) among self.calls[after:]."""
        wanted = method.lower()
        deadline = time.monotonic() + timeout
        index = after
        signal = self._calls_sig()
        while True:
            while index < len(self.calls):
                call = self.calls[index]
                index += 1
                if call.method.lower() == wanted and (predicate is None or predicate(call)):
                    return call
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                recent = [c.method for c in self.calls[after:]][-10:]
                raise TimeoutError(
                    f"no matching {method} call within {timeout}s (after index {after}); "
                    f"recent calls: {recent}"
                )
            await signal.wait(remaining)
