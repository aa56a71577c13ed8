"""Chats the bot serves: their purpose (team, supervisors, finance, ...) and their language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from bot.enums import ChatPurpose
from bot.i18n import LOCALES, N_, normalise_locale
from bot.models import Chat, Person
from bot.services import audit, invalidation
from bot.services.clean import clean
from bot.services.errors import UserError
from bot.services.permissions import SENSITIVE_PURPOSES

PURPOSE_ALIASES: dict[str, ChatPurpose] = {
    **{purpose.value: purpose for purpose in ChatPurpose},
    "客服": ChatPurpose.TEAM,
    "团队": ChatPurpose.TEAM,
    "主管": ChatPurpose.SUPERVISORS,
    "财务": ChatPurpose.FINANCE,
    "仓库": ChatPurpose.WAREHOUSE,
    "差评": ChatPurpose.REVIEW,
    "差评组": ChatPurpose.REVIEW,
}


@dataclass(frozen=True, slots=True)
class SeenChat:
    """What a Telegram update tells about its chat."""

    id: int
    type: str
    title: str


_seen: dict[int, SeenChat] = {}
_locales: dict[int, str | None] = {}


def forget_cache() -> None:
    """Drop cached chats and languages (a new database was opened, or another instance changed them)."""
    _seen.clear()
    _locales.clear()


invalidation.register("chats", lambda _key: _locales.clear())
"""Another instance changed a language; titles seen only spare rewrites and are not announced."""


def parse_purpose(text: str) -> ChatPurpose:
    """Read a purpose in English or Chinese, or list the valid ones."""
    purpose = PURPOSE_ALIASES.get(text.strip().lower())
    if purpose is None:
        raise UserError(
            N_("Unknown purpose “{value}”. Purposes: {purposes}."),
            value=text,
            purposes=", ".join(ChatPurpose),
        )
    return purpose


def parse_locale(text: str) -> str:
    """Read a language name or code, or list the supported ones."""
    locale = normalise_locale(text)
    if locale is None:
        raise UserError(N_("Unknown language “{value}”. Languages: en, zh."), value=text)
    return locale


async def observe(chat: SeenChat) -> None:
    """Remember a chat's title and type; writes only when something changed."""
    if _seen.get(chat.id) == chat:
        return
    stored = await Chat.filter(id=chat.id).first().values_list("type", "title")
    if stored == (chat.type, clean(chat.title)):  # known and unchanged (first sight since a restart)
        _seen[chat.id] = chat
        return
    await Chat.update_or_create(id=chat.id, defaults={"type": chat.type, "title": clean(chat.title)})
    _seen[chat.id] = chat


@dataclass(frozen=True, slots=True)
class Registered:
    """What registering a group changed: its purpose before, and the groups the purpose moved away from."""

    before: ChatPurpose | None
    moved_from: list[int]


async def register(*, actor_id: int, chat_id: int, purpose: ChatPurpose) -> Registered:
    """Give a group its purpose. A purpose held by one group only (finance, warehouse) moves here: the group
    that had it loses it, in the same transaction, each change audited."""
    async with in_transaction() as conn:
        chat = await Chat.get(id=chat_id, using_db=conn)
        before = chat.purpose
        moved_from = []
        if purpose in SENSITIVE_PURPOSES:
            holders = Chat.filter(purpose=purpose).exclude(id=chat_id).using_db(conn)
            moved_from = [int(str(held)) for held in await holders.values_list("id", flat=True)]
            for held in moved_from:
                await Chat.filter(id=held).using_db(conn).update(purpose=None)
                await audit.record(
                    actor_id=actor_id,
                    chat_id=chat_id,
                    action="chat.unset",
                    target=f"chat:{held}",
                    before={"purpose": purpose.value},
                    after={"purpose": None, "moved_to": chat_id},
                    using_db=conn,
                )
        chat.purpose = purpose
        chat.registered_by_id = actor_id
        chat.registered_at = datetime.now(UTC)
        await chat.save(using_db=conn)
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="chat.setup",
            target=f"chat:{chat_id}",
            before={"purpose": before.value if before else None},
            after={"purpose": purpose.value},
            using_db=conn,
        )
    return Registered(ChatPurpose(before) if before else None, moved_from)


async def purpose_of(chat_id: int) -> ChatPurpose | None:
    """What a group is registered for, if anything."""
    found = await Chat.filter(id=chat_id).first().values_list("purpose", flat=True)
    return ChatPurpose(str(found)) if found else None


async def registered() -> list[Chat]:
    """All registered groups, grouped by purpose."""
    return await Chat.filter(purpose__isnull=False).order_by("purpose", "title")


async def of_purpose(purpose: ChatPurpose) -> list[int]:
    """The registered groups of one purpose."""
    return [chat.id for chat in await registered() if chat.purpose == purpose]


async def titles(chat_ids: Iterable[int]) -> dict[int, str]:
    """The titles of some chats (a chat the bot never saw is named by its id)."""
    wanted = list(dict.fromkeys(chat_ids))
    rows = await Chat.filter(id__in=wanted).values_list("id", "title")
    known = {int(str(chat_id)): str(title) for chat_id, title in rows if title}
    return {chat_id: known.get(chat_id, str(chat_id)) for chat_id in wanted}


async def locale_of(chat_id: int, default: str) -> str:
    """The chat's language (in a private chat: the person's), else the deployment default."""
    if chat_id not in _locales:
        model = Person if chat_id > 0 else Chat
        found = await model.filter(id=chat_id).first().values_list("locale", flat=True)
        _locales[chat_id] = str(found) if found else None
    return _locales[chat_id] or default


async def set_locale(*, actor_id: int, chat_id: int, locale: str) -> None:
    """Change the language of a group (or of a person, in private), with an audit entry."""
    if locale not in LOCALES:
        raise UserError(N_("Unknown language “{value}”. Languages: en, zh."), value=locale)
    model = Person if chat_id > 0 else Chat
    async with in_transaction() as conn:
        before = await model.filter(id=chat_id).using_db(conn).first().values_list("locale", flat=True)
        await model.filter(id=chat_id).using_db(conn).update(locale=locale)
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="chat.lang",
            target=f"chat:{chat_id}",
            before={"locale": before},
            after={"locale": locale},
            using_db=conn,
        )
    _locales[chat_id] = locale
    await invalidation.changed("chats")


async def first_delete_hint(chat_id: int, now: datetime) -> bool:
    """Whether this group still has to be told how to let the bot delete messages carrying customer data;
    true once per group (the first caller notes that it was told)."""
    return bool(await Chat.filter(id=chat_id, delete_hint_at__isnull=True).update(delete_hint_at=now))
