"""Chats the bot serves: their purpose (team, supervisors, finance, ...) and their language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from bot.enums import ChatPurpose
from bot.i18n import LOCALES, N_, normalise_locale
from bot.models import Chat, Person
from bot.services import audit
from bot.services.clean import clean
from bot.services.errors import UserError

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
    """Drop cached chats and languages (a new database was opened)."""
    _seen.clear()
    _locales.clear()


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
    await Chat.update_or_create(id=chat.id, defaults={"type": chat.type, "title": clean(chat.title)})
    _seen[chat.id] = chat


async def register(*, actor_id: int, chat_id: int, purpose: ChatPurpose) -> ChatPurpose | None:
    """Give a group its purpose; returns the purpose it had before."""
    async with in_transaction() as conn:
        chat = await Chat.get(id=chat_id, using_db=conn)
        before = chat.purpose
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
    return ChatPurpose(before) if before else None


async def registered() -> list[Chat]:
    """All registered groups, grouped by purpose."""
    return await Chat.filter(purpose__isnull=False).order_by("purpose", "title")


async def of_purpose(purpose: ChatPurpose) -> list[int]:
    """The registered groups of one purpose."""
    return [chat.id for chat in await registered() if chat.purpose == purpose]


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
