"""The fake Bot API server must fool the real python-telegram-bot, errors and limits included."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import time_machine
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, EndPointNotFound, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.chat_order import settled
from bot.fakeapi import ApiCall, FakeBotApi

pytestmark = [
    pytest.mark.asyncio,
    # RetryAfter.retry_after warns about its future timedelta type; _seconds() copes with both
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

TOKEN = "123:ABC"
ANN, BEN = 11, 12
GROUP = -100123


def _menu(*labels: str) -> InlineKeyboardMarkup:
    """One button per label, two per row, callback_data = label."""
    buttons = [InlineKeyboardButton(label.upper(), callback_data=label) for label in labels]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start [args] -> 'welcome args'."""
    assert update.effective_message is not None
    await update.effective_message.reply_text("welcome " + " ".join(context.args or []))


async def _show_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/menu -> a message with three inline buttons."""
    assert update.effective_message is not None
    await update.effective_message.reply_text("pick one", reply_markup=_menu("a", "b", "c"))


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the query and edit the menu message to show the choice."""
    query = update.callback_query
    assert query is not None
    await query.answer("noted")
    await query.edit_message_text(f"chose {query.data}", reply_markup=_menu("back"))


async def _document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the document and describe it."""
    message = update.effective_message
    assert message is not None and message.document is not None
    data = await (await context.bot.get_file(message.document.file_id)).download_as_bytearray()
    await message.reply_text(f"{message.document.file_name} {bytes(data).decode()} {message.caption}")


async def _photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the largest photo size and describe it."""
    message = update.effective_message
    assert message is not None
    data = await (await context.bot.get_file(message.photo[-1].file_id)).download_as_bytearray()
    await message.reply_text(f"photo {len(message.photo)} sizes {len(data)} bytes {message.caption}")


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeat the text."""
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A started fake server with two users and a group."""
    server = FakeBotApi()
    await server.start()
    server.user(ANN, "Ann", "ann")
    server.user(BEN, "Ben", last_name="Li")
    server.group(GROUP, "Team", username="team_chat")
    server.add_member(GROUP, ANN, "creator")
    try:
        yield server
    finally:
        await server.stop()


@pytest_asyncio.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    """A plain PTB Bot talking to the fake server."""
    instance = Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url)
    async with instance:
        yield instance


@pytest_asyncio.fixture
async def app(api: FakeBotApi) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The real PTB Application, long-polling the fake server."""
    application = (
        ApplicationBuilder().token(TOKEN).base_url(api.base_url).base_file_url(api.base_file_url).build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CommandHandler("menu", _show_menu))
    application.add_handler(CallbackQueryHandler(_pressed))
    application.add_handler(MessageHandler(filters.Document.ALL, _document))
    application.add_handler(MessageHandler(filters.PHOTO, _photo))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


def _seconds(value: int | dt.timedelta) -> float:
    """RetryAfter.retry_after is an int today and a timedelta under PTB_TIMEDELTA=1."""
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def _handled(api: FakeBotApi, app: Application, update: dict[str, Any]) -> None:  # type: ignore[type-arg]
    """Wait until the bot fetched the update and finished handling it."""
    await api.processed(update)
    await settled(app)


async def test_echo_round_trip(api: FakeBotApi, app: Application) -> None:  # type: ignore[type-arg]
    first = api.message(ANN, ANN, "hello there")
    second = api.message(GROUP, BEN, "in the group")
    assert (first["update_id"], second["update_id"]) == (1, 2)
    await _handled(api, app, second)

    [private_reply] = api.sent(ANN)
    assert private_reply["text"] == "hello there"
    assert private_reply["from"]["id"] == api.bot_id
    assert private_reply["chat"] == {"id": ANN, "type": "private", "first_name": "Ann", "username": "ann"}
    [group_reply] = api.sent(GROUP)
    assert group_reply["text"] == "in the group"
    assert group_reply["reply_to_message"]["message_id"] == second["message"]["message_id"]
    # per-chat message ids are shared between users and the bot
    assert group_reply["message_id"] == second["message"]["message_id"] + 1
    assert [call.method for call in api.calls[:2]] == ["getMe", "deleteWebhook"]


async def test_commands_get_entities(api: FakeBotApi, app: Application) -> None:  # type: ignore[type-arg]
    plain = api.message(ANN, ANN, "/start now please")
    addressed = api.message(GROUP, ANN, "/start@kefu_test_bot there")
    other_bot = api.message(GROUP, BEN, "/start@other_bot ignored")
    await _handled(api, app, other_bot)

    assert plain["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert addressed["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 20}]
    assert [m["text"] for m in api.sent(ANN)] == ["welcome now please"]
    assert [m["text"] for m in api.sent(GROUP)] == ["welcome there"]


async def test_button_press_edits_stored_markup(api: FakeBotApi, app: Application) -> None:  # type: ignore[type-arg]
    await _handled(api, app, api.message(GROUP, ANN, "/menu"))
    [menu] = api.sent(GROUP)
    assert menu["reply_markup"]["inline_keyboard"][1][0]["callback_data"] == "c"

    before = len(api.calls)
    await _handled(api, app, api.press_button(GROUP, BEN, menu["message_id"], 3))
    answer = await api.wait_for("answerCallbackQuery", after=before)
    assert answer.params["text"] == "noted"
    edit = await api.wait_for("editMessageText", after=before)
    assert edit.result["text"] == "chose c" and "edit_date" in edit.result

    stored = api.get_message(GROUP, menu["message_id"])
    assert stored is not None and stored["text"] == "chose c"
    assert api.sent(GROUP)[0]["reply_markup"] == {
        "inline_keyboard": [[{"text": "BACK", "callback_data": "back"}]]
    }
    update = api.press_button(GROUP, BEN, menu["message_id"], 1)
    assert update["callback_query"]["data"] == "back"
    assert update["callback_query"]["message"]["text"] == "chose c"
    with pytest.raises(IndexError):
        api.press_button(GROUP, BEN, menu["message_id"], 2)


async def test_photo_and_document_download(api: FakeBotApi, app: Application) -> None:  # type: ignore[type-arg]
    api.message(ANN, ANN, document=("notes.txt", b"abc"), caption="mine")
    last = api.message(ANN, ANN, photo=True, caption="look")
    await _handled(api, app, last)
    bot = app.bot
    texts = [m["text"] for m in api.sent(ANN)]
    assert texts[0] == "notes.txt abc mine"
    assert texts[1].startswith("photo 2 sizes ") and texts[1].endswith(" bytes look")

    sent = await bot.send_document(GROUP, document=b"report", filename="r.csv", caption="weekly")
    assert sent.document is not None and sent.caption == "weekly"
    assert sent.document.file_name == "r.csv" and sent.document.mime_type == "text/csv"
    upload = api.calls_to("sendDocument")[-1].params["document"]
    assert (upload["filename"], upload["size"], upload["content"]) == ("r.csv", 6, b"report")
    assert await (await bot.get_file(sent.document.file_id)).download_as_bytearray() == b"report"

    photo = await bot.send_photo(ANN, photo=b"\x89PNG-bytes", caption="pic")
    assert len(photo.photo) == 2
    again = await bot.send_photo(GROUP, photo=photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id
    assert await (await bot.get_file(again.photo[-1])).download_as_bytearray() == b"\x89PNG-bytes"
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nope")


async def test_injected_faults(api: FakeBotApi, bot: Bot) -> None:
    api.fail("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ANN, "one")
    assert _seconds(caught.value.retry_after) == 3
    assert api.calls_to("sendMessage")[-1].result is None
    await bot.send_message(ANN, "two")  # the fault was used up

    api.fail("*", status=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match=r"(?i)Internal Server Error"):
            await bot.get_chat(GROUP)
    await bot.get_chat(GROUP)

    api.fail("sendMessage", status=400, description="Bad Request: custom")
    with pytest.raises(BadRequest, match=r"(?i)custom"):
        await bot.send_message(ANN, "three")
    assert [m["text"] for m in api.sent(ANN)] == ["two"]


async def test_latency(api: FakeBotApi, bot: Bot) -> None:
    api.latency = 0.15
    started = time.monotonic()
    await bot.send_message(ANN, "slow")
    assert time.monotonic() - started >= 0.15


async def test_rate_limits(api: FakeBotApi, bot: Bot) -> None:
    api.enforce_limits()
    for i in range(20):
        await bot.send_message(GROUP, f"m{i}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "one too many")
    assert 1 <= _seconds(caught.value.retry_after) <= 60
    assert api.limit_violations == 1
    await bot.send_message(ANN, "private chats have no per-minute limit")

    api.enforce_limits(per_chat_per_minute=None, overall_per_second=3)
    for i in range(3):
        await bot.send_message(ANN, f"p{i}")
    with pytest.raises(RetryAfter):
        await bot.send_message(ANN, "fourth within a second")
    assert api.limit_violations == 2


async def test_unknown_method_and_raw_http(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("fooBar")
    async with httpx.AsyncClient() as client:
        missing = await client.post(f"{api.base_url}{TOKEN}/fooBar")
        assert missing.status_code == 404
        assert missing.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
        me = await client.get(f"{api.base_url}{TOKEN}/getMe")
        assert me.json()["result"]["username"] == "kefu_test_bot"
        by_json = await client.post(
            f"{api.base_url}{TOKEN}/sendMessage",
            json={"chat_id": "@team_chat", "text": "hi", "reply_markup": {"inline_keyboard": []}},
        )
        assert by_json.json()["result"]["chat"]["id"] == GROUP
        by_form = await client.post(
            f"{api.base_url}{TOKEN}/sendmessage", data={"chat_id": str(ANN), "text": "123"}
        )
        assert by_form.json()["result"]["text"] == "123"
        bad = await client.post(f"{api.base_url}{TOKEN}/sendMessage", content=b"{not json", headers={})
        assert bad.status_code == 400
    form_call, bad_call = api.calls_to("sendMessage")[-2:]
    assert isinstance(form_call, ApiCall) and form_call.params == {"chat_id": ANN, "text": "123"}
    assert form_call.method == "sendmessage" and bad_call.status == 400 and bad_call.result is None
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-999, "nobody home")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ANN, "   ")


async def test_chat_queries_parse_in_ptb(api: FakeBotApi, bot: Bot) -> None:
    chat = await bot.get_chat(GROUP)
    assert isinstance(chat, ChatFullInfo) and chat.title == "Team"
    assert (await bot.get_chat(BEN)).last_name == "Li"
    assert isinstance(await bot.get_chat_member(GROUP, ANN), ChatMemberOwner)
    assert isinstance(await bot.get_chat_member(GROUP, BEN), ChatMemberLeft)
    assert isinstance(await bot.get_chat_member(GROUP, api.bot_id), ChatMemberAdministrator)
    admins = await bot.get_chat_administrators(GROUP)
    assert {admin.user.id for admin in admins} == {ANN, api.bot_id}
    api.add_member(GROUP, BEN)
    assert await bot.get_chat_member_count(GROUP) == 3
    assert await bot.leave_chat(GROUP)
    with pytest.raises(Forbidden):
        await bot.send_message(GROUP, "gone")
    api.block(BEN)
    with pytest.raises(Forbidden, match=r"(?i)blocked"):
        await bot.send_message(BEN, "hi")


async def test_commands_are_recorded(api: FakeBotApi, bot: Bot) -> None:
    commands = [BotCommand("start", "Start"), BotCommand("menu", "Show the menu")]
    assert await bot.set_my_commands(commands)
    assert api.calls_to("setMyCommands")[0].params["commands"] == [
        {"command": "start", "description": "Start"},
        {"command": "menu", "description": "Show the menu"},
    ]
    assert tuple(await bot.get_my_commands()) == tuple(commands)
    assert await bot.get_my_commands(language_code="zh") == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "capitals are not allowed")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_telegram_style_refusals(api: FakeBotApi, bot: Bot) -> None:
    message = await bot.send_message(ANN, "same", reply_markup=_menu("x"))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("same", ANN, message.message_id, reply_markup=_menu("x"))
    edited = await bot.edit_message_text("same", ANN, message.message_id)
    assert not isinstance(edited, bool) and edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ANN, 999)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ANN, "1 < 2 <b>bold", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(ANN, "Done.", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match=r"(?i)Can't find end of the entity"):
        await bot.send_message(ANN, "hi user_name", parse_mode="Markdown")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(ANN, "x", reply_markup=_menu("y" * 65))
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(ANN, "x", reply_to_message_id=999)
    assert await bot.delete_message(ANN, message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ANN, message.message_id)


async def test_waiting_helpers_time_out_helpfully(api: FakeBotApi) -> None:
    update = api.message(GROUP, ANN, "nobody polls")
    with pytest.raises(TimeoutError, match=r"(?i)NEVER called getUpdates"):
        await api.processed(update, timeout=0.05)
    with pytest.raises(TimeoutError, match=r"(?i)no matching sendMessage"):
        await api.wait_for("sendMessage", timeout=0.05)
    reply = api.message(GROUP, BEN, "re", reply_to=update["message"]["message_id"])
    assert reply["message"]["reply_to_message"]["text"] == "nobody polls"
    assert api.raw_update({"my_chat_member": {}})["update_id"] == reply["update_id"] + 1


async def test_reactions_are_recorded_but_not_counted_as_messages(api: FakeBotApi, bot: Bot) -> None:
    order = api.message(GROUP, ANN, "order 42 shipped")["message"]["message_id"]
    api.enforce_limits()
    for i in range(20):
        await bot.send_message(GROUP, f"m{i}")
    assert await bot.set_message_reaction(GROUP, order, "👍", is_big=True)
    assert api.reactions(GROUP, order) == [{"type": "emoji", "emoji": "👍"}]
    call = api.calls_to("setMessageReaction")[-1]
    assert call.params["reaction"] == [{"type": "emoji", "emoji": "👍"}] and call.params["is_big"] is True
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "the 21st message of the minute")

    with pytest.raises(BadRequest, match=r"(?i)message to react not found"):
        await bot.set_message_reaction(GROUP, 999, "👍")
    with pytest.raises(BadRequest, match=r"(?i)REACTION_INVALID"):
        await bot.set_message_reaction(GROUP, order, "✅")  # not among Telegram's reaction emoji
    with pytest.raises(BadRequest, match=r"(?i)REACTIONS_TOO_MANY"):
        await bot.set_message_reaction(GROUP, order, ["👍", "👌"])
    assert api.reactions(GROUP, order) == [{"type": "emoji", "emoji": "👍"}]
    assert await bot.set_message_reaction(GROUP, order, "👌")
    assert api.reactions(GROUP, order) == [{"type": "emoji", "emoji": "👌"}]
    assert await bot.set_message_reaction(GROUP, order)  # no reaction: clears the bot's
    assert api.reactions(GROUP, order) == []

    assert await bot.set_message_reaction(GROUP, order, "🔥")
    assert await bot.delete_message(GROUP, order)
    assert api.reactions(GROUP, order) == []


async def test_privacy_mode_shows_the_bot_only_what_telegram_would(api: FakeBotApi, app: Application) -> None:  # type: ignore[type-arg]
    assert (await app.bot.get_me()).can_read_all_group_messages is True
    api.privacy_mode = True
    me = await app.bot.get_me()
    assert (me.can_read_all_group_messages, me.can_join_groups, me.supports_inline_queries) == (
        False,
        True,
        False,
    )

    await _handled(api, app, api.message(GROUP, BEN, "admins see everything"))
    api.set_bot_rights(GROUP, admin=False)
    withheld = [
        api.message(GROUP, BEN, "just chatting"),
        api.message(GROUP, BEN, "/start@other_bot for another bot"),
        api.message(GROUP, BEN, "not a command: /start"),
    ]
    delivered = [
        api.message(GROUP, BEN, "hey @KEFU_TEST_BOT look"),
        api.message(GROUP, BEN, "/start now"),
        api.message(GROUP, BEN, "/start@kefu_test_bot there"),
    ]
    for update in delivered:
        await _handled(api, app, update)
    bot_message = api.sent(GROUP)[0]["message_id"]
    reply = api.message(GROUP, BEN, "thanks", reply_to=bot_message)
    await _handled(api, app, reply)
    private = api.message(BEN, BEN, "private chats are never filtered")
    await _handled(api, app, private)

    assert all("update_id" not in update for update in withheld)
    assert api.get_message(GROUP, withheld[0]["message"]["message_id"]) is not None  # it exists in the chat
    assert [m["text"] for m in api.sent(GROUP)] == [
        "admins see everything",
        "hey @KEFU_TEST_BOT look",
        "welcome now",
        "welcome there",
        "thanks",
    ]
    assert [m["text"] for m in api.sent(BEN)] == ["private chats are never filtered"]
    assert api.pending_updates() == []


async def test_bot_rights_decide_what_it_may_delete_and_pin(api: FakeBotApi, bot: Bot) -> None:
    admin = await bot.get_chat_member(GROUP, api.bot_id)
    assert isinstance(admin, ChatMemberAdministrator) and admin.can_delete_messages and admin.can_pin_messages
    spam = api.message(GROUP, BEN, "spam")["message"]["message_id"]
    assert await bot.delete_message(GROUP, spam)  # by default the bot moderates groups

    api.set_bot_rights(GROUP, admin=True, can_pin_messages=True)
    limited = await bot.get_chat_member(GROUP, api.bot_id)
    assert isinstance(limited, ChatMemberAdministrator)
    assert (limited.can_delete_messages, limited.can_pin_messages, limited.can_manage_chat) == (
        False,
        True,
        True,
    )
    spam = api.message(GROUP, BEN, "more spam")["message"]["message_id"]
    own = (await bot.send_message(GROUP, "mine")).message_id
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted$"):
        await bot.delete_message(GROUP, spam)
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted$"):
        await bot.delete_messages(GROUP, [own, spam])
    assert api.get_message(GROUP, own) is not None  # a refused batch deletes nothing
    assert await bot.pin_chat_message(GROUP, own)
    assert await bot.delete_message(GROUP, own)  # its own messages it always may

    api.set_bot_rights(GROUP, admin=False)
    assert isinstance(await bot.get_chat_member(GROUP, api.bot_id), ChatMemberMember)
    assert api.bot_id not in {admin.user.id for admin in await bot.get_chat_administrators(GROUP)}
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to manage pinned messages"):
        await bot.pin_chat_message(GROUP, spam)
    with pytest.raises(ValueError, match="can_fly"):
        api.set_bot_rights(GROUP, can_fly=True)


async def test_messages_older_than_48_hours_stay_unless_the_bot_moderates(api: FakeBotApi, bot: Bot) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False) as clock:
        private = [(await bot.send_message(ANN, text)).message_id for text in ("one", "two")]
        group = [(await bot.send_message(GROUP, text)).message_id for text in ("one", "two")]
        clock.shift(dt.timedelta(hours=47, minutes=59))
        assert await bot.delete_message(ANN, private[0])
        clock.shift(dt.timedelta(minutes=1))
        with pytest.raises(BadRequest, match=r"(?i)message can't be deleted for everyone"):
            await bot.delete_message(ANN, private[1])
        assert await bot.delete_message(GROUP, group[0])  # an admin with can_delete_messages: any age
        api.set_bot_rights(GROUP, admin=False)
        with pytest.raises(BadRequest, match=r"(?i)message can't be deleted for everyone"):
            await bot.delete_message(GROUP, group[1])


async def test_edits_count_towards_the_group_flood_limit(api: FakeBotApi, bot: Bot) -> None:
    api.enforce_limits(per_chat_per_minute=20, overall_per_second=None)
    message = await bot.send_message(GROUP, "v0")
    for i in range(1, 20):
        await bot.edit_message_text(f"v{i}", GROUP, message.message_id)
    with pytest.raises(RetryAfter) as caught:
        await bot.edit_message_text("v20", GROUP, message.message_id)
    wait = int(_seconds(caught.value.retry_after))
    assert 1 <= wait <= 60
    assert api.calls_to("editMessageText")[-1].error == {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {wait}",
        "parameters": {"retry_after": wait},
    }
    assert api.get_message(GROUP, message.message_id)["text"] == "v19"  # type: ignore[index]
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "sends share the window with edits")
    assert api.limit_violations == 2
    private = await bot.send_message(ANN, "p0")
    for i in range(1, 25):  # private chats have no per-minute limit, edits included
        await bot.edit_message_text(f"p{i}", ANN, private.message_id)


async def test_commands_are_kept_per_scope_and_language(api: FakeBotApi, bot: Bot) -> None:
    group_menu = [BotCommand("report", "Daily report")]
    member_menu = [BotCommand("approve", "Approve a refund")]
    assert await bot.set_my_commands(group_menu, scope=BotCommandScopeChat(GROUP))
    assert await bot.set_my_commands(member_menu, scope=BotCommandScopeChatMember("@team_chat", ANN))
    assert await bot.set_my_commands(
        [BotCommand("report", "日报")], scope=BotCommandScopeChat(GROUP), language_code="zh"
    )

    assert await bot.get_my_commands(scope=BotCommandScopeChat("@team_chat")) == tuple(group_menu)
    assert await bot.get_my_commands(scope=BotCommandScopeChatMember(GROUP, ANN)) == tuple(member_menu)
    assert await bot.get_my_commands(scope=BotCommandScopeChatMember(GROUP, BEN)) == ()
    assert await bot.get_my_commands() == ()
    zh = await bot.get_my_commands(scope=BotCommandScopeChat(GROUP), language_code="zh")
    assert [c.description for c in zh] == ["日报"]
    assert await bot.delete_my_commands(scope=BotCommandScopeChat(GROUP))
    assert await bot.get_my_commands(scope=BotCommandScopeChat(GROUP)) == ()
    assert len(await bot.get_my_commands(scope=BotCommandScopeChat(GROUP), language_code="zh")) == 1
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands(group_menu, scope=BotCommandScopeChat(-555))


async def test_descriptions_and_names_are_kept_per_language(api: FakeBotApi, bot: Bot) -> None:
    assert await bot.set_my_description("Coordinates the customer-service team")
    assert await bot.set_my_description("协调客服团队", language_code="zh")
    assert await bot.set_my_short_description("Team helper")
    assert await bot.set_my_short_description("团队助手", language_code="zh")
    assert (await bot.get_my_description()).description == "Coordinates the customer-service team"
    assert (await bot.get_my_description(language_code="zh")).description == "协调客服团队"
    assert (await bot.get_my_short_description()).short_description == "Team helper"
    assert (await bot.get_my_short_description(language_code="zh")).short_description == "团队助手"
    assert (await bot.get_my_description(language_code="en")).description == ""
    assert (await bot.get_my_name()).name == "Kefu Bot"
    assert await bot.set_my_description("", language_code="zh")
    assert (await bot.get_my_description(language_code="zh")).description == ""
