"""Users, chats, members and the bot's own rights: the registry every area resolves chat_id against."""

from __future__ import annotations

from typing import Any

from bot.fakeapi.core import ServerCore
from bot.fakeapi.params import int_param
from bot.fakeapi.state import (
    ACTIVE_STATUSES,
    ADMIN_RIGHTS,
    MEMBER_STATUSES,
    ApiError,
    JSONDict,
    bad_request,
    chat_member,
    reply_copy,
)

ADMIN_STATUSES = frozenset({"creator", "administrator"})


class ChatsApi(ServerCore):
    """Registers people and groups for tests; answers getChat, getChatMember(s), administrators, leaveChat.

    Chats also own their history (stored messages, per-chat message ids, pins), which every area reads.
    """

    def _init_state(self) -> None:
        """Empty registry; the bot is a known user from the start."""
        super()._init_state()
        self._users: dict[int, JSONDict] = {self.bot_id: self.bot_user}
        self._chats: dict[int, JSONDict] = {}
        self._chat_usernames: dict[str, int] = {}
        self._members: dict[int, dict[int, str]] = {}
        self._bot_rights: dict[int, dict[str, bool]] = {}
        self._blocked: set[int] = set()
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._next_message_id: dict[int, int] = {}
        self._pinned: dict[int, list[int]] = {}

    # ------------------------------------------------------------------ test-side registry

    def user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        """Register (or update) a human user and return its User dict."""
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        chat = self._chats.get(user_id)
        if chat is not None and chat["type"] == "private":
            self._chats[user_id] = self._private_chat_for(user)
        return user

    def group(self, chat_id: int, title: str, *, username: str | None = None) -> JSONDict:
        """Register a supergroup (chat_id negative, e.g. -100123) and return its Chat dict."""
        chat: JSONDict = {"id": chat_id, "type": "supergroup", "title": title}
        if username is not None:
            chat["username"] = username.lstrip("@")
            self._chat_usernames[chat["username"].lower()] = chat_id
        self._chats[chat_id] = chat
        self._members.setdefault(chat_id, {})
        return chat

    def private(self, user_id: int) -> JSONDict:
        """The private chat with that user (chat id == user id); registers it if needed."""
        user = self._users.get(user_id) or self.user(user_id, f"User{user_id}")
        chat = self._chats.get(user_id)
        if chat is None:
            chat = self._private_chat_for(user)
            self._chats[user_id] = chat
        return chat

    @staticmethod
    def _private_chat_for(user: JSONDict) -> JSONDict:
        """Private Chat dict mirroring the user's names."""
        chat: JSONDict = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        return chat

    def add_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        """Set a user's status in a chat (creator/administrator/member/restricted/left/kicked)."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}; use one of {sorted(MEMBER_STATUSES)}")
        self._members.setdefault(chat_id, {})[user_id] = status

    def set_bot_rights(self, chat_id: int, *, admin: bool = True, **rights: bool) -> None:
        """Make the bot an administrator with exactly `rights` (others False), or a plain member.

        Like promoteChatMember, rights not named are not granted (can_manage_chat comes with any admin).
        Without a call, the bot is an administrator with every right in groups.
        """
        unknown = sorted(set(rights) - set(ADMIN_RIGHTS))
        if unknown:
            raise ValueError(f"unknown administrator rights {unknown}; use some of {list(ADMIN_RIGHTS)}")
        if not admin and rights:
            raise ValueError("only an administrator has rights; drop them or pass admin=True")
        self._members.setdefault(chat_id, {})[self.bot_id] = "administrator" if admin else "member"
        if admin:
            self._bot_rights[chat_id] = {
                **dict.fromkeys(ADMIN_RIGHTS, False),
                "can_manage_chat": True,
                **rights,
            }
        else:
            self._bot_rights.pop(chat_id, None)

    def block(self, user_id: int, blocked: bool = True) -> None:
        """Simulate the user blocking the bot: sends to them answer 403 Forbidden."""
        if blocked:
            self._blocked.add(user_id)
        else:
            self._blocked.discard(user_id)

    # ------------------------------------------------------------------ lookups shared by the areas

    def _member_status(self, chat: JSONDict, user_id: int) -> str:
        """Status of a user in a chat (the bot is an administrator unless told otherwise)."""
        explicit = self._members.get(chat["id"], {}).get(user_id)
        if explicit is not None:
            return explicit
        if user_id == self.bot_id:
            return "administrator" if chat["type"] != "private" else "member"
        if chat["type"] == "private" and chat["id"] == user_id:
            return "member"
        return "left"

    def _member(self, chat: JSONDict, user_id: int) -> JSONDict:
        """ChatMember dict of a user in a chat, with the bot's rights where set_bot_rights() set them."""
        user = self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        rights = self._bot_rights.get(chat["id"]) if user_id == self.bot_id else None
        return chat_member(user, self._member_status(chat, user_id), rights)

    def _bot_may(self, chat: JSONDict, right: str) -> bool:
        """Whether the bot is the chat's creator, or an administrator holding that right."""
        member = self._member(chat, self.bot_id)
        return member["status"] == "creator" or (member["status"] == "administrator" and bool(member[right]))

    def _chat_for_injection(self, chat_id: int) -> JSONDict:
        """Resolve/auto-register a chat for test-side helpers (lenient)."""
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        if chat_id > 0:
            return self.private(chat_id)
        return self.group(chat_id, f"Group {chat_id}")

    def _user_for_injection(self, user_id: int) -> JSONDict:
        """Known user, or a placeholder one registered on first use."""
        return self._users.get(user_id) or self.user(user_id, f"User{user_id}")

    def _resolve_chat(self, value: Any) -> JSONDict:
        """chat_id (int or "@username") -> registered chat, else 400 chat not found."""
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, str):
            chat_id = self._chat_usernames.get(value[1:].lower()) if value.startswith("@") else None
            if chat_id is None:
                raise bad_request("chat not found")
            return self._chats[chat_id]
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request("chat not found")
        chat = self._chats.get(value)
        if chat is not None:
            return chat
        if value > 0 and value in self._users and value != self.bot_id:
            return self.private(value)
        raise bad_request("chat not found")

    def _check_writable(self, chat: JSONDict) -> None:
        """403 where Telegram refuses to deliver (blocked bot / bot not in group)."""
        if chat["type"] == "private":
            if chat["id"] in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            return
        status = self._member_status(chat, self.bot_id)
        kind = "supergroup chat" if chat["type"] == "supergroup" else f"{chat['type']} chat"
        if status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        if status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")

    def _next_mid(self, chat_id: int) -> int:
        """Per-chat message_id counter shared by users and the bot."""
        mid = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = mid + 1
        return mid

    def _message_param(self, params: JSONDict, verb: str) -> tuple[JSONDict, JSONDict]:
        """(chat, stored message) addressed by chat_id + message_id, 400 "message to <verb> not found"."""
        chat = self._resolve_chat(params.get("chat_id"))
        message_id = int_param(params, "message_id")
        message = self._messages.get((chat["id"], message_id or 0))
        if message is None:
            raise bad_request(f"message to {verb} not found")
        return chat, message

    def _forget_message(self, chat_id: int, message_id: int) -> None:
        """Drop a stored message; areas that keep per-message data extend this."""
        self._messages.pop((chat_id, message_id), None)

    # ------------------------------------------------------------------ Bot API methods

    def _api_get_chat(self, params: JSONDict) -> JSONDict:
        """ChatFullInfo with every field PTB 22.8 requires."""
        chat = self._resolve_chat(params.get("chat_id"))
        info: JSONDict = {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 0,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        pins = self._pinned.get(chat["id"])
        if pins:
            pinned = self._messages.get((chat["id"], pins[-1]))
            if pinned is not None:
                info["pinned_message"] = reply_copy(pinned)
        return info

    def _api_get_chat_member(self, params: JSONDict) -> JSONDict:
        """ChatMember for add_member()'d users; the bot is an administrator unless set_bot_rights() says."""
        chat = self._resolve_chat(params.get("chat_id"))
        return self._member(chat, int_param(params, "user_id") or 0)

    def _api_get_chat_administrators(self, params: JSONDict) -> list[JSONDict]:
        """Creator/administrators, including the bot for groups."""
        chat = self._resolve_chat(params.get("chat_id"))
        if chat["type"] == "private":
            raise bad_request("there are no administrators in the private chat")
        user_ids = dict.fromkeys([self.bot_id, *self._members.get(chat["id"], {})])
        members = [self._member(chat, user_id) for user_id in user_ids]
        return [member for member in members if member["status"] in ADMIN_STATUSES]

    def _api_get_chat_member_count(self, params: JSONDict) -> int:
        """Members with an active status, the bot included."""
        chat = self._resolve_chat(params.get("chat_id"))
        if chat["type"] == "private":
            return 2
        user_ids = dict.fromkeys([self.bot_id, *self._members.get(chat["id"], {})])
        return sum(1 for uid in user_ids if self._member_status(chat, uid) in ACTIVE_STATUSES)

    def _api_leave_chat(self, params: JSONDict) -> bool:
        """The bot leaves: later sends to that chat answer 403."""
        chat = self._resolve_chat(params.get("chat_id"))
        if chat["type"] != "private":
            self._members.setdefault(chat["id"], {})[self.bot_id] = "left"
        return True
