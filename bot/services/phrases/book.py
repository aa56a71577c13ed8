"""Approved quick replies: add, edit, switch off and find them; every change audited and the index dropped."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from bot.i18n import N_
from bot.models import Phrase
from bot.services import audit
from bot.services.clean import clean
from bot.services.errors import UserError
from bot.services.ids import parse_id
from bot.services.phrases.index import HAN_RUN, Entry, Index

CATEGORY_LABELS: dict[str, str] = {
    "shipping": N_("shipping urgency"),
    "address": N_("address change"),
    "refund": N_("refund"),
    "damaged": N_("damaged"),
    "stock": N_("out of stock"),
    "soothing": N_("soothing"),
    "review": N_("review request"),
}
CATEGORY_WORDS: dict[str, str] = {
    **dict.fromkeys(("shipping", "ship", "urge", "催发货", "催单", "发货"), "shipping"),
    **dict.fromkeys(("address", "改地址", "地址", "修改地址"), "address"),
    **dict.fromkeys(("refund", "退款", "退货"), "refund"),
    **dict.fromkeys(("damaged", "damage", "broken", "破损", "损坏"), "damaged"),
    **dict.fromkeys(("stock", "out-of-stock", "oos", "缺货", "断货"), "stock"),
    **dict.fromkeys(("soothing", "soothe", "calm", "安抚", "安抚语"), "soothing"),
    **dict.fromkeys(("review", "review-request", "邀评", "好评", "求好评"), "review"),
}
CATEGORY_CHOICES = (
    "shipping 催发货, address 改地址, refund 退款, damaged 破损, stock 缺货, soothing 安抚, review 邀评"
)
INDEX_WORDS: dict[str, str] = {
    category: " ".join(word for word, key in CATEGORY_WORDS.items() if key == category)
    for category in CATEGORY_LABELS
}
"""A phrase is found by its category's words in either language too (催发货 finds every shipping phrase)."""
MAX_TITLE = 64
MAX_TEXT = 2000
SEPARATOR = re.compile(r"\s*[|｜]\s*")
LANGUAGES = ("zh", "en")


@dataclass(frozen=True, slots=True)
class Draft:
    """A phrase as typed or read from a file, checked."""

    category: str
    title: str
    text: str
    language: str


def parse_category(word: str) -> str:
    """The category a word names, in English or Chinese."""
    found = CATEGORY_WORDS.get(word.strip().lower())
    if found is None:
        raise UserError(
            N_("Unknown category “{value}”. Categories: {choices}."), value=word, choices=CATEGORY_CHOICES
        )
    return found


def language_of(text: str) -> str:
    """zh when the text has Chinese characters, else en."""
    return "zh" if HAN_RUN.search(text) else "en"


def checked(category: str, title: str, text: str, language: str | None = None) -> Draft:
    """A draft with clean, bounded title and text."""
    title, text = clean(title).strip(), clean(text, multiline=True).strip()
    if not title or not text:
        raise UserError(
            N_("Give a title and the text, separated by |: 催发货 发货提醒 | 亲，已为您催促仓库。")
        )
    if len(title) > MAX_TITLE:
        raise UserError(N_("The title is longer than {limit} characters."), limit=MAX_TITLE)
    if len(text) > MAX_TEXT:
        raise UserError(N_("The text is longer than {limit} characters."), limit=MAX_TEXT)
    lang = (language or "").strip().lower()[:2] or language_of(title + text)
    if lang not in LANGUAGES:
        raise UserError(N_("Unknown language “{value}”: zh or en."), value=language)
    return Draft(category, title, text, lang)


def parse_new(words: str) -> Draft:
    """`<category> <title> | <text>` as typed after /phrase add."""
    head, *rest = SEPARATOR.split(words.strip(), maxsplit=1)
    category, _, title = head.partition(" ")
    if not category or not rest:
        raise UserError(
            N_("Give a category, a title and the text: /phrase add 催发货 发货提醒 | 亲，已为您催促仓库。")
        )
    return checked(parse_category(category), title, rest[0])


_index: Index | None = None
_generation = 0


def invalidate() -> None:
    """Drop the index: the next search rebuilds it from the database (after an import of many rows)."""
    global _index, _generation
    _index = None
    _generation += 1


def changed(phrase: Phrase) -> None:
    """Keep a built index in step with one changed phrase; a build under way is dropped."""
    global _generation
    _generation += 1
    if _index is None:
        return
    if phrase.active:
        _index.put(entry_of(phrase))
    else:
        _index.drop(phrase.id)


def entry_of(phrase: Phrase) -> Entry:
    """What the index keeps of a phrase, its category's words in both languages included."""
    return Entry(phrase.id, phrase.title, phrase.text, INDEX_WORDS.get(phrase.category, ""), phrase.language)


async def index() -> Index:
    """The index of active phrases, built once per change."""
    global _index
    if _index is not None:
        return _index
    started = _generation
    phrases = await Phrase.filter(active=True).order_by("id")
    # in a worker thread: 5,000 phrases take a few hundred ms, and every other chat is answered meanwhile
    built = await asyncio.to_thread(Index.build, [entry_of(phrase) for phrase in phrases])
    if started == _generation:  # a change while the index was read: leave it to the next search
        _index = built
    return built


async def search(query: str, *, language: str) -> list[Phrase]:
    """The best three active phrases for the words, in order."""
    if not query.strip():
        raise UserError(N_("What are you looking for? e.g. /phrase 催发货"))
    ids = (await index()).search(query, language=language)
    found = {p.id: p for p in await Phrase.filter(id__in=ids, active=True)}
    return [found[i] for i in ids if i in found]


async def get(word: str) -> Phrase:
    """A phrase by its number (#3 or 3)."""
    phrase = await Phrase.get_or_none(id=parse_id(word))
    if phrase is None:
        raise UserError(N_("There is no phrase #{id}."), id=word.strip().removeprefix("#"))
    return phrase


def snapshot(phrase: Phrase) -> dict[str, object]:
    """What the audit keeps of a phrase."""
    return {
        "category": phrase.category,
        "title": phrase.title,
        "text": phrase.text,
        "language": phrase.language,
        "active": phrase.active,
    }


async def save(
    phrase: Phrase,
    *,
    actor_id: int,
    chat_id: int | None,
    action: str,
    before: dict[str, object] | None,
    conn: BaseDBAsyncClient,
) -> None:
    """Store a phrase and its audit entry on one connection."""
    await phrase.save(using_db=conn)
    await audit.record(
        actor_id=actor_id,
        chat_id=chat_id,
        action=action,
        target=f"phrase#{phrase.id}",
        before=before,
        after=snapshot(phrase),
        using_db=conn,
    )


async def add(draft: Draft, *, actor_id: int, chat_id: int | None) -> Phrase:
    """A new approved phrase."""
    phrase = Phrase(
        category=draft.category,
        title=draft.title,
        text=draft.text,
        language=draft.language,
        created_by=actor_id,
    )
    async with in_transaction() as conn:
        await save(phrase, actor_id=actor_id, chat_id=chat_id, action="phrase.add", before=None, conn=conn)
    changed(phrase)
    return phrase


async def edit(phrase: Phrase, words: str, *, actor_id: int, chat_id: int | None) -> Phrase:
    """New title and text (`[<category>] <title> | <text>`); an edited phrase is active again."""
    head, *rest = SEPARATOR.split(words.strip(), maxsplit=1)
    first, _, title = head.partition(" ")
    category = CATEGORY_WORDS.get(first.lower())
    if category is None:
        category, title = phrase.category, head
    if not rest:
        raise UserError(N_("Give the new title and text: /phrase edit 3 发货提醒 | 亲，已为您催促仓库。"))
    draft = checked(category, title, rest[0])
    before = snapshot(phrase)
    phrase.category, phrase.title, phrase.text = draft.category, draft.title, draft.text
    phrase.language, phrase.active = draft.language, True
    async with in_transaction() as conn:
        await save(phrase, actor_id=actor_id, chat_id=chat_id, action="phrase.edit", before=before, conn=conn)
    changed(phrase)
    return phrase


async def switch_off(phrase: Phrase, *, actor_id: int, chat_id: int | None) -> Phrase:
    """Withdraw a phrase from search (kept, so it can be edited or imported back)."""
    if not phrase.active:
        raise UserError(N_("Phrase #{id} is already off."), id=phrase.id)
    before = snapshot(phrase)
    phrase.active = False
    async with in_transaction() as conn:
        await save(phrase, actor_id=actor_id, chat_id=chat_id, action="phrase.off", before=before, conn=conn)
    changed(phrase)
    return phrase
