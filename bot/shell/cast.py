"""The shell's pretend people and groups, and how its transcript names each chat."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.fakeapi import FakeBotApi

OWNER = "alice"
"""The shell's owner: a manager from the first start."""
PEOPLE = {OWNER: 1001, "bob": 1002, "carol": 1003, "dave": 1004, "erin": 1005}
GROUPS = {
    "team": -100101,
    "supervisors": -100102,
    "finance": -100103,
    "warehouse": -100104,
    "review": -100105,
}
PRIVATE = "private"


@dataclass
class Cast:
    """Who exists on the fake server, and who has written in which chat (for `:chats`)."""

    api: FakeBotApi
    people: dict[str, int] = field(default_factory=lambda: dict(PEOPLE))
    seen: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def on(cls, api: FakeBotApi) -> Cast:
        """Register the people and groups on a freshly started fake server."""
        cast = cls(api)
        for name, uid in cast.people.items():
            api.user(uid, name.capitalize(), name)
        for name, gid in GROUPS.items():
            api.group(gid, f"{name.capitalize()} (shell)")
        return cast

    def person(self, name: str) -> int:
        """A person's id, inventing the person on first use of the name."""
        if name not in self.people:
            self.people[name] = max(self.people.values()) + 1
            self.api.user(self.people[name], name.capitalize(), name)
        return self.people[name]

    def chat_id(self, chat: str, person: str) -> int:
        """A chat's id by its shell name; `private` is the person's private chat with the bot."""
        return self.people[person] if chat == PRIVATE else GROUPS[chat]

    def active(self, chat_id: int, person: str) -> None:
        """Remember that someone wrote or pressed a button in a chat."""
        names = self.seen.setdefault(chat_id, [])
        if person not in names:
            names.append(person)

    def label(self, chat_id: int) -> str:
        """How the transcript names a chat: `team`, `private:bob`, or the bare id of an unknown one."""
        for name, gid in GROUPS.items():
            if gid == chat_id:
                return name
        for name, uid in self.people.items():
            if uid == chat_id:
                return f"{PRIVATE}:{name}"
        return str(chat_id)
