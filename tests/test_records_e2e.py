"""Records end to end: logging with every command in English and Chinese, cards and masking, status buttons,
duplicates and repeat claimants, notes and photos by reply, bad input, permissions, finding and paging.

Each test keeps well under 15 bot messages per group (Telegram's flood limit is about 20 a minute)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.enums import RecordKind
from bot.fakeapi.driver import handled, outgoing
from bot.services.records import book as records
from bot.services.records import fields as rf
from bot.services.team.rules import Rules
from tests.harness import ALICE, BOB, CAROL, DAVE, SUPERVISORS, TEAM, Harness
from tests.shop_clock import buttons, last_answer

ORDER = "123456789012345678"
OTHER_ORDER = "223456789012345678"
THIRD_ORDER = "323456789012345678"
PERSONAL = 'name=张三 phone=13812345678 alipay=Lee@163.com address="浙江省杭州市西湖区文三路100号"'
PAYEE = "damaged buyer=tb_lee name=张三 alipay=lee@163.com postage=shop"
"""What finance needs beyond order and amount: a refund logged with it is complete, without it a draft."""
NOTHING = "Nothing found."
NO_ROLE = "Sorry, this needs a role in the team: ask a supervisor to give you one with /role."


# ------------------------------------------------------------------------------------------------- helpers


async def card(bot: Harness, user: int, text: str | None, chat: int = TEAM, **kwargs: Any) -> dict[str, Any]:
    """Send a command that answers with exactly one message (a card) and return that message."""
    sent = await bot.send(user, text, chat, **kwargs)
    assert len(sent) == 1, [m.get("text") for m in sent]
    return sent[0]


def lines(message: dict[str, Any]) -> list[str]:
    """A message's text, line by line."""
    return str(message.get("text", "")).splitlines()


async def post(bot: Harness, user: int, chat: int = TEAM, text: str | None = None, **kwargs: Any) -> int:
    """Post a message (e.g. a buyer's photo forwarded by a colleague) and return its message_id."""
    update = bot.api.message(chat, user, text, **kwargs)
    await handled(bot.api, bot.app, update)
    return int(update["message"]["message_id"])


async def grant(bot: Harness, user: int, *roles: str) -> None:
    """Alice grants roles from her private chat, so no group's message budget is spent."""
    names = {BOB: "@bob", CAROL: "@carol"}
    await bot.introduce(user)
    reply = await bot.say(ALICE, f"/role {names[user]} {' '.join(roles)}", chat=ALICE)
    assert "is now" in reply, reply


async def seed(kind: RecordKind, text: str, author: int = ALICE, *, force: bool = False) -> records.Record:
    """Store a record directly through the service (the bot's database is open), bypassing the group."""
    draft = records.parse(kind, rf.split_words(text), Rules())
    created = await records.create(
        draft, author_id=author, chat_id=TEAM, rules=Rules(), now=datetime.now(UTC), force=force
    )
    assert created.record is not None
    return created.record


# ---------------------------------------------------------------------------------- cards and personal data


async def test_refund_card_masks_personal_data_in_the_group_and_shows_it_in_private(bot: Harness) -> None:
    message = await card(bot, ALICE, f"/refund {ORDER} 12.5 破损 buyer=tb_lee {PERSONAL} postage=shop")
    assert lines(message)[:10] == [
        "R-1 · Refund · new",
        f"order: {ORDER}",
        "amount: ¥12.50",
        "buyer: tb_lee",
        "name: 张*",
        "Alipay: l***@163.com",
        "phone: 138****5678",
        "address: 浙江省杭州市****",
        "reason: 破损",
        "postage: shop pays",
    ]
    assert lines(message)[-2].startswith("logged by @alice, ") and lines(message)[-1] == "✅ Saved."
    for secret in ("张三", "13812345678", "lee@163.com", "西湖区"):
        assert secret not in message["text"]
    assert buttons(message) == ["→ sent to finance", "→ withdrawn by buyer"]
    assert message["reply_to_message"]["from"]["id"] == ALICE  # answered as a reply in the group

    private = await bot.say(ALICE, "/show R-1", chat=ALICE)
    for full in (
        "name: 张三",
        "phone: 13812345678",
        "Alipay: lee@163.com",
        "address: 浙江省杭州市西湖区文三路100号",
    ):
        assert full in private
    assert "History:" in private and "@alice: logged" in private
    again = await bot.say(ALICE, "/show R-1")
    assert "name: 张*" in again and "13812345678" not in again and "张三" not in again


async def test_only_roles_allowed_personal_data_see_it_even_in_private(bot: Harness) -> None:
    await grant(bot, BOB, "presale")
    await grant(bot, CAROL, "aftersale")
    await bot.say(ALICE, f"/refund {ORDER} 12.5 {PERSONAL}", chat=ALICE)
    presale = await bot.say(BOB, "/show R-1", chat=BOB)
    assert "name: 张*" in presale and "phone: 138****5678" in presale and "Alipay: l***@163.com" in presale
    assert "张三" not in presale and "13812345678" not in presale and "西湖区" not in presale
    aftersale = await bot.say(CAROL, "/show R-1", chat=CAROL)
    assert "name: 张三" in aftersale and "phone: 13812345678" in aftersale and "西湖区" in aftersale


async def test_personal_data_never_shows_unmasked_in_a_group_not_even_in_the_audit(bot: Harness) -> None:
    await bot.say(ALICE, f"/refund {ORDER} 12.5 {PERSONAL}")
    await bot.say(ALICE, "/edit R-1 phone=13912345678")
    audit = await bot.say(ALICE, "/audit 5")
    assert "record logged R-1" in audit
    for secret in ("张三", "13812345678", "13912345678", "lee@163.com", "西湖区"):
        assert secret not in audit


async def test_every_other_record_command_in_english(bot: Harness) -> None:
    courier = await card(bot, ALICE, "/courier sf1234567890 overdue")
    assert lines(courier)[:4] == [
        "K-1 · Courier query · open",
        "kind: delivery overdue",
        "tracking: SF1234567890",
        "carrier: SF",
    ]
    assert buttons(courier) == ["→ waiting for courier", "→ resolved"]
    moved = await bot.say(
        ALICE,
        '/courier 773123456789012 change-address carrier=中通 from="上海市浦东新区世纪大道1号" '
        'to="北京市朝阳区建国路2号"',
    )
    assert (
        "K-2 · Courier query · open" in moved and "kind: change address" in moved and "carrier: ZTO" in moved
    )
    assert "original address: 上海市浦东新****" in moved and "new address: 北京市朝阳区****" in moved
    assert "世纪大道" not in moved and "建国路" not in moved
    weighed = await bot.say(ALICE, "/courier JT0001234567890 weigh origin=1.0 last=900g")
    assert "carrier: JT" in weighed and "origin weight: 1.000 kg" in weighed
    assert "last-station weight: 0.900 kg" in weighed and "⚠️ weight lost in transit: 0.100 kg" in weighed

    complaint = await card(bot, ALICE, f"/complaint {ORDER} damaged cup arrived broken offer=gift")
    assert lines(complaint)[:5] == [
        "C-1 · Complaint slip · new",
        "kind: damaged",
        f"order: {ORDER}",
        "offer: small gift next order",
        "text: cup arrived broken",
    ]
    assert buttons(complaint) == ["→ with supervisor"]
    problem = await card(bot, ALICE, f"/problem {ORDER} out-of-stock")
    assert lines(problem)[:3] == ["P-1 · Problem order · open", "kind: out of stock", f"order: {ORDER}"]
    assert buttons(problem) == ["→ fixed"]
    review = await card(bot, ALICE, f"/review {ORDER} tb_lee negative")
    assert lines(review)[:4] == [
        "N-1 · Review case · open",
        "kind: negative review",
        f"order: {ORDER}",
        "buyer: tb_lee",
    ]
    assert buttons(review) == ["→ revised", "→ failed", "Escalate ⤴"]


async def test_insured_refund_with_tracking_shows_the_countdown(bot: Harness) -> None:
    zone = ZoneInfo("Asia/Shanghai")
    before = (datetime.now(UTC) + timedelta(days=9)).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    insured = await bot.say(ALICE, f"/refund {ORDER} 12 insured=有 tracking=SF1234567890")
    after = (datetime.now(UTC) + timedelta(days=9)).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    countdown = [line for line in insured.splitlines() if line.startswith("⏰")]
    assert countdown in (
        [f"⏰ insurance countdown ends {before}"],
        [f"⏰ insurance countdown ends {after}"],
    )
    assert "insurance: yes" in insured
    uninsured = await bot.say(ALICE, f"/refund {OTHER_ORDER} 12 insured=有")  # no return tracking yet
    assert "R-2 · Refund · draft" in uninsured and "⏰" not in uninsured


async def test_record_commands_in_chinese(bot: Harness) -> None:
    assert "本聊天现在使用中文" in await bot.say(ALICE, "/lang zh")
    refund = await card(
        bot,
        ALICE,
        f"/refund {ORDER} 12.5 破损 旺旺=tb_lee 实名=张三 手机=13812345678 支付宝=lee@163.com 运费=卖家",
    )
    assert lines(refund)[:8] == [
        "R-1 · 退款 · 新建",
        f"订单号: {ORDER}",
        "金额: ¥12.50",
        "旺旺: tb_lee",
        "实名: 张*",
        "支付宝: l***@163.com",
        "电话: 138****5678",
        "原因: 破损",
    ]
    assert "运费: 卖家承担" in lines(refund) and lines(refund)[-1] == "✅ 已保存。"
    assert lines(refund)[-2].startswith("登记人 @alice，")
    assert buttons(refund) == ["→ 已交财务", "→ 买家已撤销"]
    courier = await bot.say(ALICE, "/courier SF1234567890 超时")
    assert "K-1 · 查件 · 处理中" in courier and "超时" in courier
    complaint = await bot.say(ALICE, f"/complaint {ORDER} 破损 杯子碎了 补偿=包邮")
    assert "C-1 · 投诉单 · 新建" in complaint and "补偿: 下次包邮" in complaint and "杯子碎了" in complaint
    assert "P-1 · 问题订单 · 处理中" in await bot.say(ALICE, f"/problem {ORDER} 缺货")
    assert "N-1 · 中差评 · 处理中" in await bot.say(ALICE, f"/review {ORDER} tb_lee 差评")
    found = await bot.say(ALICE, "/find tb_lee")
    assert found.splitlines()[0] == "“tb_lee”共找到 2 条："
    assert found.splitlines()[1].startswith("N-1 · 处理中 · 差评")
    mine = await bot.say(ALICE, "/mine")
    assert mine.splitlines()[0] == "我的记录（5）："
    bad = await bot.say(ALICE, "/refund 12345 abc")
    assert "订单号“12345”应为 15–20 位数字。" in bad and "用法：/refund" in bad
    pressed = await bot.press(ALICE, TEAM, refund["message_id"], 1)
    assert (
        lines(pressed[0])[0] == "R-1 · 退款 · 已交财务" and lines(pressed[0])[-1] == "@alice 标记为已交财务"
    )


async def test_chinese_cards_have_no_english_labels(bot: Harness) -> None:
    await bot.say(ALICE, "/lang zh")
    problem = await bot.say(ALICE, f"/problem {ORDER} 缺货")
    assert "P-1 · 问题订单 · 处理中" in problem and "kind" not in problem


# ------------------------------------------------------------------------------------------- status buttons


async def test_status_buttons_move_the_record_and_redraw_the_card(bot: Harness) -> None:
    await grant(bot, BOB, "aftersale")
    refund = await card(bot, ALICE, f"/refund {ORDER} 12.5 phone=13812345678 {PAYEE}")
    [edited] = await bot.press(ALICE, TEAM, refund["message_id"], 1)
    assert edited["message_id"] == refund["message_id"]
    assert lines(edited)[0] == "R-1 · Refund · sent to finance"
    assert lines(edited)[-1] == "sent to finance by @alice" and "phone: 138****5678" in lines(edited)
    assert buttons(edited) == ["→ paid", "→ rejected"]
    answer = last_answer(bot)
    assert answer["text"] == "R-1: sent to finance" and not answer.get("show_alert")

    assert await bot.press(BOB, TEAM, refund["message_id"], 2) == []  # after-sales may not answer for finance
    answer = last_answer(bot)
    assert answer["show_alert"] is True and answer["text"] == "Sorry, this needs the role: manager, finance."
    [edited] = await bot.press(ALICE, TEAM, refund["message_id"], 2)
    assert lines(edited)[0] == "R-1 · Refund · rejected" and lines(edited)[-1] == "rejected by @alice"
    assert buttons(edited) == ["→ sent to finance"]
    await bot.press(BOB, TEAM, refund["message_id"], 1)
    [edited] = await bot.press(ALICE, TEAM, refund["message_id"], 1)
    assert lines(edited)[0] == "R-1 · Refund · paid" and buttons(edited) == []  # final: no more buttons

    history = await bot.say(ALICE, "/show R-1")
    assert "R-1 · Refund · paid" in history
    steps = [line.split(" ", 3)[-1] for line in history.splitlines() if line.startswith("• ")]
    assert steps == [
        "@alice: logged",
        "@alice: status sent to finance",
        "@alice: status rejected",
        "@bob: status sent to finance",
        "@alice: status paid",
    ]


async def test_status_buttons_refuse_people_without_a_role_and_stale_presses(bot: Harness) -> None:
    refund = await card(bot, ALICE, f"/refund {ORDER} 12.5 {PAYEE}")
    stale = refund["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert await bot.press(DAVE, TEAM, refund["message_id"], 1) == []
    answer = last_answer(bot)
    assert answer["show_alert"] is True and answer["text"] == NO_ROLE
    current = bot.api.get_message(TEAM, refund["message_id"])
    assert current is not None and lines(current)[0] == "R-1 · Refund · new"

    await bot.press(ALICE, TEAM, refund["message_id"], 1)
    # Carol's client still showed the old card and she pressed "→ sent to finance" a moment later
    await grant(bot, CAROL, "aftersale")
    late = bot.api.press(TEAM, CAROL, refund["message_id"], stale)
    assert outgoing(await handled(bot.api, bot.app, late)) == []
    answer = last_answer(bot)
    assert answer["show_alert"] is True and "R-1" in answer["text"] and "cannot move" in answer["text"]
    history = await bot.say(ALICE, "/show R-1", chat=ALICE)
    assert history.count("status sent to finance") == 1 and "@carol" not in history


# ------------------------------------------------------------------------------ duplicates, repeat claimants


async def test_duplicate_warning_and_log_anyway(bot: Harness) -> None:
    await bot.say(ALICE, f"/refund {ORDER} 12.5 {PAYEE}")
    warning = await card(bot, ALICE, f"/refund {ORDER} 3 运费")
    assert warning["text"].startswith("R-1 for this order is still open (new). Nothing was saved.")
    assert buttons(warning) == ["Log anyway"]
    token = warning["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert (await bot.say(ALICE, "/mine")).splitlines()[0] == "Your records (1):"

    assert await bot.press(DAVE, TEAM, warning["message_id"], 1) == []
    assert last_answer(bot)["show_alert"] is True and last_answer(bot)["text"] == NO_ROLE

    [saved] = await bot.press(ALICE, TEAM, warning["message_id"], 1)
    assert lines(saved)[0] == "R-2 · Refund · draft" and "amount: ¥3.00" in lines(saved)
    assert "reason: 运费" in lines(saved) and lines(saved)[-1] == "✅ Saved."
    assert (
        "⚠️ missing for finance: buyer, name, Alipay, postage. It goes to finance once /edit R-2 completes it."
        in lines(saved)
    )
    assert buttons(saved) == []  # a draft is never sent to finance
    mine = (await bot.say(ALICE, "/mine")).splitlines()
    assert mine[0] == "Your records (2):" and mine[1] == f"R-2 · draft · {ORDER} · ¥3.00"

    replay = bot.api.press(TEAM, ALICE, warning["message_id"], token)  # the same button pressed again
    assert outgoing(await handled(bot.api, bot.app, replay)) == []
    assert last_answer(bot)["show_alert"] is True and "out of date" in last_answer(bot)["text"]
    assert "📝 Note added to R-2." in await bot.say(ALICE, "wrong postage", reply_to=saved["message_id"])
    assert (await bot.say(ALICE, "/mine")).splitlines()[0] == "Your records (2):"


async def test_repeat_claimant_warning_on_the_third_claim(bot: Harness) -> None:
    first = await bot.say(ALICE, f"/refund {ORDER} 3 buyer=tb_lee")
    second = await bot.say(ALICE, f"/complaint {OTHER_ORDER} damaged broken buyer=tb_lee")
    assert "✅ Saved." in first and "✅ Saved." in second
    assert "Repeat claimant" not in first + second
    third = await bot.say(ALICE, f"/refund {THIRD_ORDER} 4 buyer=TB_Lee")
    assert third.endswith(
        "⚠️ Repeat claimant: 3 refunds/complaints in the last 30 days (R-1, C-1). Check before you pay."
    )


# --------------------------------------------------------------------------------------- notes and photos


async def test_replies_to_a_card_add_notes_and_photos(bot: Harness) -> None:
    await grant(bot, BOB, "aftersale")
    complaint = await card(bot, ALICE, f"/complaint {ORDER} damaged cup broken")
    mid = complaint["message_id"]
    assert await bot.say(BOB, "buyer sent a video too", reply_to=mid) == "📝 Note added to C-1."
    [added] = await bot.send(BOB, None, reply_to=mid, photo=True)
    assert added["text"] == "📎 Photo added to C-1."
    assert await bot.say(DAVE, "lol", reply_to=mid) == NO_ROLE
    chatter = await post(bot, BOB, text="lunch?")
    assert await bot.send(CAROL, "yes", reply_to=chatter) == []  # a reply to anything else is just chat

    shown = await bot.say(ALICE, "/show C-1")
    assert "photos: 1" in shown
    steps = [line.split(" ", 3)[-1] for line in shown.splitlines() if line.startswith("• ")]
    assert steps == ["@alice: logged", "@bob: note buyer sent a video too", "@bob: photo added"]
    reshown = await bot.say(ALICE, "more notes here", reply_to=mid)  # the original card still works
    assert reshown == "📝 Note added to C-1."


async def test_complaint_keeps_the_photo_it_is_sent_with_or_replies_to(bot: Harness) -> None:
    captioned = await card(bot, ALICE, None, photo=True, caption=f"/complaint {ORDER} damaged cup broken")
    assert lines(captioned)[0] == "C-1 · Complaint slip · new" and "photos: 1" in lines(captioned)

    buyer_photo = await post(bot, BOB, photo=True)  # a colleague forwards the buyer's photo: no answer
    assert bot.api.sent(TEAM)[-1]["message_id"] == captioned["message_id"]
    replied = await card(bot, ALICE, f"/complaint {OTHER_ORDER} wrong colour", reply_to=buyer_photo)
    assert lines(replied)[0] == "C-2 · Complaint slip · new" and "photos: 1" in lines(replied)
    original = bot.api.get_message(TEAM, buyer_photo)
    assert original is not None
    assert (await records.get("C-2")).data["photos"] == [original["photo"][-1]["file_id"]]

    plain = await bot.say(ALICE, f"/complaint {THIRD_ORDER} late slow shipping")
    assert "C-3 · Complaint slip · new" in plain and "photos" not in plain


# ------------------------------------------------------------------------------------ bad input, permission


async def test_bad_refunds_name_the_problem_show_usage_and_store_nothing(bot: Harness) -> None:
    cases = [
        (
            "/refund 12345 abc",
            "Order number “12345” should be 15–20 digits.",
            "Usage: /refund 123456789012345678 12.5 damaged buyer=tb_lee postage=shop",
        ),
        (f"/refund {ORDER} 12.345", "Amount “12.345” has more than 2 decimals.", "Usage: /refund"),
        (f"/refund {ORDER} 0", "Amount “0” must be more than 0.", "Usage: /refund"),
        (f"/refund {ORDER} 9000", "Amount 9000 is above the team's maximum of 5000.", "Usage: /refund"),
        (
            f"/refund {ORDER} 12 phone=123",
            "Phone “123” should be an 11-digit mobile number.",
            "Usage: /refund",
        ),
        (f"/refund {ORDER} 12 colour=red", "Unknown field “colour”.", "Usage: /refund"),
        (f'/refund {ORDER} 12 name="张 三', "A quote is not closed.", "Usage: /refund"),
        (f"/refund {ORDER} 12 postage=courier", "Postage payer “courier” is unknown.", "Usage: /refund"),
    ]
    for command, problem, usage in cases:
        reply = await bot.say(ALICE, command)
        assert problem in reply and usage in reply, command
    assert await bot.say(ALICE, "/mine") == NOTHING


async def test_bad_input_for_the_other_commands_stores_nothing(bot: Harness) -> None:
    cases = [
        ("/courier", "Nothing to log yet.", "Usage: /courier SF1234567890 overdue"),
        ("/courier 773123456789012 overdue", "Which carrier? The number does not say.", "Usage: /courier"),
        (
            "/courier SF12 overdue",
            "Tracking number “SF12” should be 8–30 letters and digits.",
            "Usage: /courier",
        ),
        (
            "/courier SF1234567890 change-address from=上海",
            "Missing field: to= (新地址=).",
            "Usage: /courier",
        ),
        (f"/complaint {ORDER} broken cup", "Unknown kind “broken”. Kinds: damaged 破损", "Usage: /complaint"),
        (f"/complaint {ORDER} damaged", "Missing field: text= (说明=).", "Usage: /complaint"),
        (f"/problem {ORDER[:10]} out-of-stock", "should be 15–20 digits", "Usage: /problem"),
        (
            f"/review {ORDER}",
            "Missing field: buyer= (旺旺=).",
            "Usage: /review 123456789012345678 tb_lee negative",
        ),
        (f"/review {ORDER} tb_lee angry", "Unknown kind “angry”", "Usage: /review"),
    ]
    for command, problem, usage in cases:
        reply = await bot.say(ALICE, command)
        assert problem in reply and usage in reply, command
    assert await bot.say(ALICE, "/mine") == NOTHING


async def test_a_missing_kind_lists_the_kinds(bot: Harness) -> None:
    reply = await bot.say(ALICE, f"/problem {ORDER}")
    assert "subkind" not in reply and "out-of-stock 缺货" in reply


async def test_people_without_a_role_cannot_log_or_read_records(bot: Harness) -> None:
    await seed(RecordKind.REFUND, f"{ORDER} 12 buyer=tb_lee")
    for command in (
        f"/refund {OTHER_ORDER} 12",
        "/show R-1",
        "/find tb_lee",
        "/mine",
        "/open",
        "/buyer tb_lee",
    ):
        reply = await bot.say(DAVE, command)
        assert reply.startswith("Sorry, this needs a role in the team"), command
        assert "R-1" not in reply and "tb_lee" not in reply
    for command in ("/edit R-1 amount=1", "/void R-1 oops"):
        assert "needs a role in the team" in await bot.say(DAVE, command, chat=DAVE)
    photo = await bot.send(DAVE, None, photo=True, caption=f"/complaint {OTHER_ORDER} damaged broken")
    assert "needs a role in the team" in photo[0]["text"]
    listed = (await bot.say(ALICE, "/mine", chat=ALICE)).splitlines()
    assert listed == ["Your records (1):", f"R-1 · draft · {ORDER} · tb_lee · ¥12.00"]


async def test_edit_by_the_author_or_a_lead_with_history(bot: Harness) -> None:
    await grant(bot, BOB, "aftersale")
    await grant(bot, CAROL, "aftersale")
    await bot.say(BOB, f"/refund {ORDER} 12.5 phone=13812345678")
    refused = await bot.say(CAROL, "/edit R-1 amount=15")
    assert "Sorry, only its author or someone with the role supervisor, manager can do this." in refused
    edited = await bot.say(BOB, "/edit R-1 amount=15 手机=13912345678")
    assert "amount: ¥15.00" in edited and "phone: 139****5678" in edited and edited.endswith("✏️ Edited.")
    bad = await bot.say(BOB, "/edit R-1 amount=abc")
    assert "Amount “abc” is not a number." in bad and "Usage: /edit R-12 amount=15" in bad
    assert "Write changes as key=value" in await bot.say(BOB, "/edit R-1 20")
    assert "Nothing to change" in await bot.say(BOB, "/edit R-1")
    await grant(bot, CAROL, "supervisor")
    by_lead = await bot.say(CAROL, "/edit R-1 postage=shop")
    assert "postage: shop pays" in by_lead and "amount: ¥15.00" in by_lead
    shown = await bot.say(ALICE, "/show R-1")
    steps = [line.split(" ", 3)[-1] for line in shown.splitlines() if line.startswith("• ")]
    assert steps[0] == "@bob: logged" and steps[2] == "@carol: edited postage=shop pays" and len(steps) == 3
    assert steps[1].startswith("@bob: edited ")
    assert sorted(steps[1].removeprefix("@bob: edited ").split(", ")) == [
        "amount=¥15.00",
        "phone=139****5678",
    ]


async def test_void_keeps_the_record_with_its_history(bot: Harness) -> None:
    await grant(bot, BOB, "aftersale")
    await bot.say(ALICE, f"/refund {ORDER} 12.5 buyer=tb_lee")
    assert "only its author or someone with the role supervisor, manager" in await bot.say(
        BOB, "/void R-1 oops"
    )
    no_reason = await bot.say(ALICE, "/void R-1")
    assert "Give the record id and a reason" in no_reason and "Usage: /void R-12 typed twice" in no_reason
    assert await bot.say(ALICE, "/void R-1 typed twice") == "R-1 is void: typed twice. Its history is kept."
    assert "R-1 is already void." in await bot.say(ALICE, "/void R-1 again")
    assert "R-1 is void and cannot be edited." in await bot.say(ALICE, "/edit R-1 amount=3")
    shown = await card(bot, ALICE, "/show R-1")
    assert lines(shown)[0] == "R-1 · Refund · void" and buttons(shown) == [
        "Full card in private 🔒"
    ]  # no status left to set
    assert lines(shown)[-1].endswith("@alice: voided typed twice")
    assert await bot.say(ALICE, "/open") == NOTHING
    assert (await bot.say(ALICE, "/find tb_lee")).splitlines()[1] == f"R-1 · void · {ORDER} · tb_lee · ¥12.50"
    assert "R-2 · Refund · draft" in await bot.say(ALICE, f"/refund {ORDER} 3")  # a void one is no duplicate


# -------------------------------------------------------------------------------------- finding, listings


async def test_find_mine_open_and_buyer(bot: Harness) -> None:
    await grant(bot, BOB, "aftersale")
    await seed(RecordKind.REFUND, f"{ORDER} 12 buyer=tb_lee phone=13812345678 tracking=SF1234567890")
    await seed(RecordKind.COURIER, "SF1234567890 lost", author=BOB)
    await seed(
        RecordKind.COMPLAINT, f"{OTHER_ORDER} wrong colour buyer=tb_wang phone=13812345678", author=BOB
    )
    found = (await bot.say(BOB, "/find sf1234567890")).splitlines()
    assert found == [
        "Found 2 for “sf1234567890”:",
        "K-1 · open · lost parcel · SF1234567890",
        f"R-1 · draft · {ORDER} · SF1234567890 · tb_lee · ¥12.00",
    ]
    assert (await bot.say(BOB, "/find TB_LEE")).splitlines()[1:] == [found[2]]
    by_phone = await bot.say(BOB, "/find 138-1234-5678", chat=BOB)
    assert by_phone.splitlines()[0] == "Found 2 for “138-1234-5678”:"
    assert "in a private chat with me" in await bot.say(BOB, "/find 138-1234-5678")  # not in the group
    assert (await bot.say(BOB, "/find c1")).splitlines()[1].startswith("C-1 · new · wrong item")
    assert await bot.say(BOB, "/find tb_nobody") == NOTHING
    assert "Find what?" in await bot.say(BOB, "/find")
    assert (await bot.say(BOB, "/mine")).splitlines()[1:] == [
        f"C-1 · new · wrong item · {OTHER_ORDER} · tb_wang",
        "K-1 · open · lost parcel · SF1234567890",
    ]
    assert (await bot.say(BOB, "/open 退款")).splitlines() == ["Open records (1):", found[2]]
    assert "Unknown record kind “sales”" in await bot.say(BOB, "/open sales")
    buyer = (await bot.say(BOB, "/buyer 13812345678", chat=BOB)).splitlines()
    assert buyer[0] == "History of buyer 13812345678 (2):" and buyer[1].startswith("C-1")
    assert "There is no record R-9." in await bot.say(BOB, "/show R-9")


async def test_find_by_order_number(bot: Harness) -> None:
    await seed(RecordKind.REFUND, f"{ORDER} 12")
    found = await bot.say(ALICE, f"/find {ORDER}")
    assert found.splitlines() == [f"Found 1 for “{ORDER}”:", f"R-1 · draft · {ORDER} · ¥12.00"]


async def test_open_pages_with_buttons(bot: Harness) -> None:
    for n in range(1, 13):
        await seed(RecordKind.REFUND, f"{ORDER} {n}", force=True)
    closed = await seed(RecordKind.PROBLEM, f"{ORDER} out-of-stock")
    await records.change_status(closed, "fixed", actor_id=ALICE, chat_id=TEAM)
    first = await card(bot, ALICE, "/open", chat=ALICE)
    assert lines(first)[0] == "Open records (12):" and lines(first)[-1] == "Page 1 of 2"
    assert [line.split(" · ")[0] for line in lines(first)[1:-1]] == [f"R-{n}" for n in range(12, 2, -1)]
    assert buttons(first) == ["Next ▶"]
    [second] = await bot.press(ALICE, ALICE, first["message_id"], 1)
    assert second["message_id"] == first["message_id"]
    assert lines(second) == [
        "Open records (12):",
        f"R-2 · draft · {ORDER} · ¥2.00",
        f"R-1 · draft · {ORDER} · ¥1.00",
        "Page 2 of 2",
    ]
    assert buttons(second) == ["◀ Previous"]
    [back] = await bot.press(ALICE, ALICE, first["message_id"], 1)
    assert lines(back) == lines(first) and buttons(back) == ["Next ▶"]
    problems = await card(bot, ALICE, "/open problem", chat=ALICE)
    assert problems["text"] == NOTHING and buttons(problems) == []


async def test_records_logged_in_one_group_are_found_from_another(bot: Harness) -> None:
    await bot.say(ALICE, f"/refund {ORDER} 12.5 buyer=tb_lee {PERSONAL}")
    shown = await bot.say(ALICE, "/show R-1", chat=SUPERVISORS)
    assert "R-1 · Refund · draft" in shown and "phone: 138****5678" in shown and "张三" not in shown
    assert "📝 Note added to R-1." in await bot.say(
        ALICE, "checked with finance", chat=SUPERVISORS, reply_to=bot.api.sent(SUPERVISORS)[-1]["message_id"]
    )
