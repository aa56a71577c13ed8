"""Reactions in the fake Bot API: setMessageReaction with Telegram's emoji list and refusals."""

from __future__ import annotations

from telegram.constants import ReactionEmoji

from bot.fakeapi.chats import ChatsApi
from bot.fakeapi.state import JSONDict, bad_request

ALLOWED_EMOJI = frozenset(emoji.value for emoji in ReactionEmoji)
"""The only emoji a bot may react with (PTB keeps Telegram's list); e.g. ✅ is not among them."""


class ReactionsApi(ChatsApi):
    """Stores the bot's reaction per message; reactions are not messages, so no flood limit applies."""

    def _init_state(self) -> None:
        """No reactions yet."""
        super()._init_state()
        self._reactions: dict[tuple[int, int], list[JSONDict]] = {}

    def reactions(self, chat_id: int, message_id: int) -> list[JSONDict]:
        """The bot's current reactions on a message, as ReactionType dicts ([] if none)."""
        return list(self._reactions.get((chat_id, message_id), []))

    def _forget_message(self, chat_id: int, message_id: int) -> None:
        """A deleted message takes its reactions with it."""
        super()._forget_message(chat_id, message_id)
        self._reactions.pop((chat_id, message_id), None)

    @staticmethod
    def _reaction_list(params: JSONDict) -> list[JSONDict]:
        """The `reaction` parameter checked like Telegram: listed emoji only, at most one (no Premium)."""
        value = params.get("reaction")
        if value is None:
            return []
        if isinstance(value, str):
            raise bad_request("can't parse reaction types JSON object")
        if not isinstance(value, list):
            raise bad_request("expected an Array of ReactionType")
        chosen: list[JSONDict] = []
        for item in value:
            if not isinstance(item, dict):
                raise bad_request("can't parse ReactionType: expected an Object")
            kind = item.get("type")
            if kind not in ("emoji", "custom_emoji"):
                raise bad_request("can't parse ReactionType: invalid reaction type specified")
            if kind == "custom_emoji" or item.get("emoji") not in ALLOWED_EMOJI:
                raise bad_request("REACTION_INVALID")
            chosen.append({"type": "emoji", "emoji": item["emoji"]})
        if len(chosen) > 1:
            raise bad_request("REACTIONS_TOO_MANY")
        return chosen

    def _api_set_message_reaction(self, params: JSONDict) -> bool:
        """Set (or with an empty list clear) the bot's reaction; is_big only shows in the recorded call."""
        chat, message = self._message_param(params, "react")
        self._check_writable(chat)
        chosen = self._reaction_list(params)
        key = (chat["id"], message["message_id"])
        if chosen:
            self._reactions[key] = chosen
        else:
            self._reactions.pop(key, None)
        return True
