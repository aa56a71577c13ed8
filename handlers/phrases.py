"""/phrase: find an approved quick reply and get its full text in private; supervisors keep the book."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.error import Forbidden
from telegram.ext import Application, filters

from bot.i18n import N_, Translator
from bot.models import Phrase
from bot.render.codec import Family
from bot.render.keyboards import keyboard, press
from bot.services.phrases import book, files
from handlers.gate import Call, SlashHandler, Target, button, command, explain, gated
from handlers.uploads import download

PREVIEW = 80
"""How much of a phrase's text a search result shows in the chat; the button sends the rest."""
CAPTION = r"^/phrase(@\w+)?\s+(import|导入)(\s|$)"
SUBCOMMANDS: dict[str, str] = {
    **dict.fromkeys(("add", "添加", "新增"), "add"),
    **dict.fromkeys(("edit", "修改", "编辑"), "edit"),
    **dict.fromkeys(("off", "停用", "下架"), "off"),
    **dict.fromkeys(("export", "导出"), "export"),
    **dict.fromkeys(("import", "导入"), "import"),
}
SEND_FILE = N_("Send the phrase file with /phrase import as its caption, or reply to the file with it.")
PRIVATE_FIRST = N_(
    "I cannot write to you privately yet. Open a chat with @{bot}, press Start, then ask again."
)


def rest_of(call: Call) -> str:
    """What follows the command and its first word, line breaks kept (a phrase may have several lines)."""
    parts = (call.message.text or call.message.caption or "").split(maxsplit=2)
    return parts[2] if len(parts) > 2 else ""


def label(t: Translator, phrase: Phrase) -> str:
    """#3 · shipping urgency · 发货提醒"""
    category = t(book.CATEGORY_LABELS.get(phrase.category, phrase.category))
    return f"#{phrase.id} · {category} · {phrase.title}"


def results(t: Translator, query: str, found: list[Phrase]) -> tuple[str, InlineKeyboardMarkup | None]:
    """The best matches with a short preview each, and a button per match to get the full text privately."""
    if not found:
        return t("No approved reply matches “{query}”.", query=query), None
    lines = [t("🔎 Quick replies for “{query}”:", query=query)]
    for phrase in found:
        preview = phrase.text if len(phrase.text) <= PREVIEW else phrase.text[: PREVIEW - 1] + "…"
        lines += ["", label(t, phrase), preview]
    buttons = [press(t("📋 #{id} to me", id=phrase.id), Family.PHRASE, "send", phrase.id) for phrase in found]
    return "\n".join(lines), keyboard(buttons)


async def phrase(call: Call) -> None:
    """Search, or a supervisor's add / edit / off / export / import."""
    sub = SUBCOMMANDS.get(call.args[0].lower()) if call.args else None
    if sub is None:
        query = " ".join(call.args)
        language = "zh" if call.t.locale.startswith("zh") else "en"
        text, markup = results(call.t, query, await book.search(query, language=language))
        await call.reply(text, reply_markup=markup)
        return
    call.require("phrase.edit")
    if sub == "add":
        added = await book.add(book.parse_new(rest_of(call)), actor_id=call.user_id, chat_id=call.chat_id)
        await call.reply(call.t("✅ Phrase added: {phrase}", phrase=label(call.t, added)))
    elif sub == "edit":
        target = await book.get(call.args[1] if len(call.args) > 1 else "")
        words = rest_of(call).split(maxsplit=1)
        edited = await book.edit(
            target, words[1] if len(words) > 1 else "", actor_id=call.user_id, chat_id=call.chat_id
        )
        await call.reply(call.t("✅ Phrase changed: {phrase}", phrase=label(call.t, edited)))
    elif sub == "off":
        target = await book.get(call.args[1] if len(call.args) > 1 else "")
        await book.switch_off(target, actor_id=call.user_id, chat_id=call.chat_id)
        await call.reply(call.t("Phrase #{id} is off: search no longer shows it.", id=target.id))
    elif sub == "export":
        data, count = await files.export(call.t)
        await call.message.reply_document(
            document=data,
            filename="phrases.xlsx",
            caption=call.t("{file}: {n} rows.", file="phrases.xlsx", n=count),
            do_quote=not call.is_private,
        )
    else:
        await import_file(call)


async def import_file(call: Call) -> None:
    """A phrase file: every row checked first, then all written or nothing."""
    data, name = await download(call, SEND_FILE)
    rows, problems = await files.plan(data, name)
    if not problems:
        added, changed = await files.apply(rows, actor_id=call.user_id, chat_id=call.chat_id)
        await call.reply(
            call.t("✅ Phrases imported: {added} new, {changed} changed.", added=added, changed=changed)
        )
        return
    lines = [call.t("Nothing was changed. Fix these rows and send the file again:")]
    for number, error in problems[: files.MAX_PROBLEMS]:
        lines.append(call.t("• row {row}: {problem}", row=number, problem=explain(call.t, error)))
    await call.reply("\n".join(lines))


async def load(call: Call) -> Target[Phrase] | None:
    """The active phrase a 📋 button names."""
    assert call.button is not None
    found = await Phrase.get_or_none(id=call.button.id, active=True)
    return None if found is None else Target(found, "phrase.send")


async def send_privately(call: Call, found: Phrase) -> None:
    """The full text, alone in a private message, ready to copy."""
    try:
        await call.context.bot.send_message(call.user_id, found.text)
    except Forbidden:
        await call.answer(call.t(PRIVATE_FIRST, bot=call.context.bot.username), alert=True)
        return
    await call.answer(call.t("📋 Sent to you privately: #{id}.", id=found.id))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /phrase, its buttons and phrase files captioned /phrase import."""
    captioned = filters.Document.ALL & filters.CaptionRegex(CAPTION)
    app.add_handler(SlashHandler(captioned, gated("phrase.edit", import_file)))
    app.add_handler(command("phrase", phrase))
    app.add_handler(button(Family.PHRASE, load, send_privately))
