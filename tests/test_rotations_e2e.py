"""Review-group rotation end to end, clock controlled: setting it up, handoff postings to the review chat and
in private (once, across failures and restarts), stand-ins, bad input, permissions, escalating a case through
the groups, the monthly counts, and the same in Chinese.

Each test keeps well under 15 bot messages per group (Telegram's flood limit is about 20 a minute)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from bot.models import Delivery, Occurrence
from tests.harness import ALICE, BOB, CAROL, REVIEW, TEAM, Harness
from tests.shop_clock import START, advance_to, buttons, last_answer, posted, texts

FIRST_HANDOFF = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 2026-12-01 09:00 in Asia/Shanghai
ERIN, FRANK, NINA = 105, 106, 107
ORDER = "123456789012345678"
MEMBERS = "@bob @carol @erin @frank"


def alert(bot: Harness) -> str:
    """The text of the bot's latest answer to a button press."""
    return str(last_answer(bot).get("text"))


async def team_up(bot: Harness) -> None:
    """Register the review chat, meet everybody there, give the four members the review role (in private)."""
    bot.api.user(ERIN, "Erin", "erin")
    bot.api.user(FRANK, "Frank", "frank")
    bot.api.user(NINA, "Nina", "nina")  # in the review chat, but without a role
    await bot.say(ALICE, "/setup review", chat=REVIEW)
    await bot.introduce(BOB, CAROL, ERIN, FRANK, chat=REVIEW)
    for name in MEMBERS.split():
        assert "is now" in await bot.say(ALICE, f"/role {name} review", chat=ALICE)


async def set_up(bot: Harness, chat: int = ALICE) -> None:
    """Members in order, monthly handoffs from 2026-12-01 09:00 (typed in Alice's private chat)."""
    await team_up(bot)
    assert "Members set: 4" in await bot.say(ALICE, f"/rotation members {MEMBERS}", chat=chat)
    assert "Rotation period set" in await bot.say(
        ALICE, "/rotation period 1m start=2026-12-01 at=09:00", chat=chat
    )


# ------------------------------------------------------------------------------------------ set-up and show


async def test_members_and_period_then_show_and_next(bot: Harness, clock: Any) -> None:
    await team_up(bot)
    members = await bot.say(ALICE, f"/rotation members {MEMBERS}", chat=REVIEW)
    assert members.splitlines()[:6] == [
        "✅ Members set: 4.",
        "🔄 Review groups on Mon 23 Nov 10:00:",
        "• group 1: @bob",
        "• group 2: @carol",
        "• group 3: @erin",
        "• group 4: @frank",
    ]
    assert "Next handoff: Wed 23 Dec 09:00 (every month)." in members  # set up today: next month
    period = await bot.say(ALICE, "/rotation period 6w start=2026-12-01 at=9:30", chat=REVIEW)
    assert "🔄 Review groups from the first handoff, Tue 1 Dec 09:30:" in period
    assert "Next handoff: Tue 1 Dec 09:30 (every 6 weeks)." in period
    shown = await bot.say(BOB, "/rotation show 2027-01-12", chat=REVIEW)  # 6 weeks on: everyone moved on
    assert shown.splitlines()[:5] == [
        "🔄 Review groups on Tue 12 Jan 09:30:",
        "• group 1: @frank",
        "• group 2: @bob",
        "• group 3: @carol",
        "• group 4: @erin",
    ]
    upcoming = await bot.say(BOB, "/rotation next", chat=REVIEW)
    assert upcoming.splitlines()[:2] == ["🔄 Next handoff Tue 1 Dec 09:30:", "• group 1: @bob"]


async def test_review_members_view_but_only_leads_change(bot: Harness, clock: Any) -> None:
    await set_up(bot)
    assert "• group 1: @bob" in await bot.say(BOB, "/rotation", chat=REVIEW)
    refused = await bot.say(BOB, "/rotation members @bob", chat=REVIEW)
    assert refused == "Sorry, this needs the role: supervisor, manager."
    assert "needs the role" in await bot.say(
        CAROL, "/rotation override @carol @bob 12-10..12-12", chat=REVIEW
    )
    nobody = await bot.say(NINA, "/rotation", chat=REVIEW)
    assert nobody == "Sorry, this needs the role: review team, supervisor, manager."
    assert "• group 4: @frank" in await bot.say(ALICE, "/rotation show 2026-12-01", chat=ALICE)


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("/rotation members", "Name the members"),
        ("/rotation members @bob @zed", "I haven't seen @zed yet"),
        ("/rotation members @bob bob", "“bob” is not a @username"),
        ("/rotation members @bob @carol @bob", "@bob is listed twice"),
        ("/rotation override @zed @bob 12-10..12-20", "I haven't seen @zed yet"),
        ("/rotation override @carol @bob 12-20..12-10", "The range “12-20..12-10” runs backwards"),
        ("/rotation override @bob @bob 12-10..12-20", "@bob cannot stand in for themselves"),
        ("/rotation override @bob @alice 12-10..12-20", "@alice is not in the rotation"),
        ("/rotation override @carol @bob", "Say who stands in for whom and when"),
        ("/rotation override @carol @bob 2026-11-01..2026-11-05", "That range ended on 2026-11-05"),
        ("/rotation period", "Give the period"),
        ("/rotation period 3y", "“3y” is not a period"),
        ("/rotation period 1m start=tomorow", "“tomorow” is not a date"),
        ("/rotation period 1m at=25:00", "“25:00” is not a time of day"),
        ("/rotation period 1m every=2", "Unknown setting “every=2”"),
        ("/rotation dance", "Unknown action “dance”"),
        ("/rotation show someday", "“someday” is not a date"),
    ],
)
async def test_bad_input_is_explained_and_nothing_changes(
    bot: Harness, clock: Any, command: str, problem: str
) -> None:
    await set_up(bot)
    before = await bot.say(ALICE, "/rotation show", chat=ALICE)
    audit_before = await bot.say(ALICE, "/audit 1", chat=ALICE)
    reply = await bot.say(ALICE, command, chat=ALICE)
    assert problem in reply and "Usage: /rotation" in reply, reply
    assert await bot.say(ALICE, "/rotation show", chat=ALICE) == before
    assert await bot.say(ALICE, "/audit 1", chat=ALICE) == audit_before


async def test_show_before_any_set_up_says_how(bot: Harness, clock: Any) -> None:
    reply = await bot.say(ALICE, "/rotation", chat=REVIEW)
    assert "Set the members first, e.g. /rotation members @bob @carol @dave." in reply


# ------------------------------------------------------------------------------------------ handoff postings


async def test_each_handoff_is_posted_once_to_the_review_chat_and_each_member(
    bot: Harness, clock: Any
) -> None:
    await set_up(bot)
    await advance_to(bot, clock, FIRST_HANDOFF - timedelta(minutes=1))
    assert texts(bot, REVIEW, "🔄 Review groups from") == []
    await advance_to(bot, clock, FIRST_HANDOFF)
    post = await posted(bot, REVIEW, "🔄 Review groups from Tue 1 Dec 09:00:")
    assert post.params["text"].splitlines()[1:] == [
        "• group 1: @bob",
        "• group 2: @carol",
        "• group 3: @erin",
        "• group 4: @frank",
    ]
    await posted(bot, FRANK, "🔄 From Tue 1 Dec 09:00 you are in review group 4.")
    await advance_to(bot, clock, datetime(2027, 1, 1, 1, 0, tzinfo=UTC))
    second = await posted(bot, REVIEW, "🔄 Review groups from Fri 1 Jan 09:00:")
    assert "• group 1: @frank" in second.params["text"] and "• group 4: @erin" in second.params["text"]
    await posted(bot, BOB, "🔄 From Fri 1 Jan 09:00 you are in review group 2.")
    await posted(bot, FRANK, "🔄 From Fri 1 Jan 09:00 you are in review group 1.")  # the last one
    await bot.say(ALICE, "/rotation", chat=ALICE)  # a round trip: anything else due would have gone out
    assert len(texts(bot, REVIEW, "🔄 Review groups from")) == 2
    for member in (BOB, CAROL, ERIN, FRANK):
        assert len(texts(bot, member, "🔄 From")) == 2


async def test_a_network_failure_is_retried_and_a_blocked_member_skipped(bot: Harness, clock: Any) -> None:
    await set_up(bot)
    bot.api.block(ERIN)  # Erin blocked the bot: her note is given up, the others still go out
    bot.api.fail("sendMessage", status=502, times=1)  # the review chat's posting meets a network hiccup
    await advance_to(bot, clock, FIRST_HANDOFF)
    await bot.api.wait_for("sendMessage", lambda call: call.status == 502)
    await bot.say(ALICE, "/whoami", chat=ALICE)  # a round trip: the failure has been taken in
    assert texts(bot, REVIEW, "🔄") == [] and texts(bot, BOB, "🔄") == []
    await advance_to(bot, clock, FIRST_HANDOFF + timedelta(seconds=31))
    await posted(bot, FRANK, "🔄 From")
    assert len(texts(bot, REVIEW, "🔄 Review groups from")) == 1
    assert len(texts(bot, BOB, "🔄 From")) == 1 and texts(bot, ERIN, "🔄 From") == []


async def test_handoffs_survive_restarts_and_a_missed_one_does_not_end_the_chain(db_url: str) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        async with Harness.running(db_url) as first:
            await set_up(first)
        traveller.move_to(FIRST_HANDOFF + timedelta(minutes=5))  # down over the handoff, back 5 min later
        async with Harness.running(db_url) as second:
            late = await posted(second, REVIEW, "🔄 Review groups from Tue 1 Dec 09:00:")
            assert "(late by 5 min: I was offline)" in late.params["text"]
            await posted(second, CAROL, "you are in review group 2")
            # a crash right after Telegram took Carol's note, before it was recorded
            await Delivery.filter(recipient=CAROL).update(state="sending")
            await Occurrence.filter(schedule__kind="rotation").update(state="sending")
        async with Harness.running(db_url) as again:
            await posted(again, CAROL, "you are in review group 2")  # the one message a crash may repeat
            assert texts(again, REVIEW, "🔄") == [] and texts(again, BOB, "🔄") == []
        traveller.move_to(datetime(2027, 1, 1, 2, 0, tzinfo=UTC))  # down over the next one for an hour
        async with Harness.running(db_url) as third:
            missed = await posted(third, REVIEW, "While I was offline, 1 alarm was missed")
            assert "Fri 1 Jan 09:00" in missed.params["text"] and "🔄 /rotation" in missed.params["text"]
            assert texts(third, REVIEW, "🔄 Review groups from") == []
            assert "Next handoff: Mon 1 Feb 09:00" in await third.say(ALICE, "/rotation", chat=ALICE)
            await advance_to(third, traveller, datetime(2027, 2, 1, 1, 0, tzinfo=UTC))
            await posted(third, REVIEW, "🔄 Review groups from Mon 1 Feb 09:00:")
        async with Harness.running(db_url) as fourth:
            await fourth.say(ALICE, "/rotation", chat=ALICE)
            assert texts(fourth, REVIEW, "🔄") == []  # nothing posted twice after a clean restart


async def test_a_change_rearms_the_next_handoff(bot: Harness, clock: Any) -> None:
    await set_up(bot)
    await bot.say(ALICE, "/rotation period start=2026-11-25 at=08:00", chat=ALICE)
    await advance_to(bot, clock, datetime(2026, 11, 25, 0, 0, tzinfo=UTC))  # 08:00 local
    await posted(bot, REVIEW, "🔄 Review groups from Wed 25 Nov 08:00:")
    await advance_to(bot, clock, FIRST_HANDOFF)
    await bot.say(ALICE, "/rotation", chat=ALICE)
    assert texts(bot, REVIEW, "Tue 1 Dec") == []  # the old 12-01 handoff was dropped


async def test_a_skipped_day_moves_the_handoff_to_the_next_day(bot: Harness, clock: Any) -> None:
    await set_up(bot)
    skipped = await bot.say(ALICE, "/rotation skip 12-01", chat=ALICE)
    assert "✅ No handoff on Tue 1 Dec." in skipped and "Next handoff: Wed 2 Dec 09:00" in skipped
    assert "2026-12-01 is already skipped." in await bot.say(ALICE, "/rotation 跳过 2026-12-01", chat=ALICE)
    await advance_to(bot, clock, FIRST_HANDOFF)
    await bot.say(ALICE, "/whoami", chat=ALICE)  # a round trip: a posting due now would have gone out
    assert texts(bot, REVIEW, "🔄") == []
    await advance_to(bot, clock, FIRST_HANDOFF + timedelta(days=1))
    await posted(bot, REVIEW, "🔄 Review groups from Wed 2 Dec 09:00:")


# ------------------------------------------------------------------------------------------------ stand-ins


async def test_a_stand_in_takes_the_seat_for_the_days_given(bot: Harness, clock: Any) -> None:
    await set_up(bot)
    done = await bot.say(ALICE, "/rotation override @erin @bob 12-10..12-20", chat=ALICE)
    assert "✅ @erin stands in for @bob, Thu 10 Dec..Sun 20 Dec." in done
    assert "↔ @erin stands in for @bob, Thu 10 Dec..Sun 20 Dec" in done
    during = await bot.say(ALICE, "/rotation show 2026-12-15", chat=ALICE)
    assert "• group 1: @erin" in during and "• group 3: —" in during and "@bob" not in during.split("↔")[0]
    after = await bot.say(ALICE, "/rotation show 2026-12-21", chat=ALICE)
    assert "• group 1: @bob" in after and "• group 3: @erin" in after
    audit = await bot.say(ALICE, "/audit 5", chat=ALICE)
    assert "@alice: rotation stand-in added rotation:review:" in audit


# ------------------------------------------------------------------------------------------------ escalation


async def test_a_case_climbs_the_groups_by_who_serves_there_and_is_counted(bot: Harness, clock: Any) -> None:
    await set_up(bot)
    await advance_to(bot, clock, FIRST_HANDOFF)
    await posted(bot, FRANK, "🔄 From")  # the handoff's last message: the groups are in force
    sent = await bot.send(BOB, f"/review {ORDER} tb_lee negative", chat=REVIEW)
    card = sent[-1]
    assert "review group: 1" in card["text"]
    assert buttons(card) == ["→ revised", "→ failed", "Escalate ⤴"]
    await bot.press(CAROL, REVIEW, card["message_id"], 3)  # Carol serves in group 2, not 1
    assert (
        alert(bot)
        == "Sorry, only the case's current group or someone with the role supervisor, manager can do this."
    )
    edited = await bot.press(BOB, REVIEW, card["message_id"], 3)
    assert "review group: 2" in edited[-1]["text"] and "⤴ Escalated to group 2 by @bob" in edited[-1]["text"]
    await bot.press(BOB, REVIEW, card["message_id"], 3)  # group 2 now: Bob is not in it any more
    assert alert(bot).startswith("Sorry, only the case's current group")
    await bot.press(CAROL, REVIEW, card["message_id"], 3)
    edited = await bot.press(ALICE, REVIEW, card["message_id"], 3)  # a manager may pass it on, for Erin
    assert "review group: 4" in edited[-1]["text"]
    assert buttons(edited[-1]) == ["→ revised", "→ failed"]  # group 4 is the last
    await bot.press(FRANK, REVIEW, card["message_id"], 1)  # revised by group 4
    history = await bot.say(ALICE, "/show N-1", chat=ALICE)
    assert "@bob: escalated to group 2" in history and "@carol: escalated to group 3" in history
    assert (await bot.say(ALICE, "/review stats", chat=ALICE)).startswith("Review cases in December 2026,")
    stats = await bot.say(ALICE, "/review stats 2026-12", chat=ALICE)
    assert stats.splitlines() == [  # the manager's press is credited to group 3's member, not to her
        "Review cases in December 2026, per member:",
        "• @bob: revised 0 · failed 0 · escalated 1",
        "• @carol: revised 0 · failed 0 · escalated 1",
        "• @erin: revised 0 · failed 0 · escalated 1",
        "• @frank: revised 1 · failed 0 · escalated 0",
        "Per group:",
        "• group 1: revised 0 · failed 0 · escalated 1",
        "• group 2: revised 0 · failed 0 · escalated 1",
        "• group 3: revised 0 · failed 0 · escalated 1",
        "• group 4: revised 1 · failed 0 · escalated 0",
    ]
    assert "No review cases were closed or escalated in November 2026." in await bot.say(
        ERIN, "/review stats 2026-11", chat=REVIEW
    )
    assert "needs the role" in await bot.say(NINA, "/review stats", chat=REVIEW)
    assert "“13” is not a month" in await bot.say(ALICE, "/review stats 13", chat=ALICE)


async def test_credit_goes_to_the_cases_group_not_to_whoever_pressed(bot: Harness, clock: Any) -> None:
    await team_up(bot)
    await bot.introduce(NINA, chat=REVIEW)
    assert "Members set: 5" in await bot.say(ALICE, f"/rotation members {MEMBERS} @nina", chat=ALICE)
    await bot.say(ALICE, "/rotation period 1m start=2026-12-01 at=09:00", chat=ALICE)
    await advance_to(bot, clock, FIRST_HANDOFF)
    await posted(bot, NINA, "🔄 From")  # group 1: @bob and @nina; group 2: @carol
    first = (await bot.send(ALICE, f"/review {ORDER} tb_lee negative", chat=REVIEW))[-1]
    await bot.press(ALICE, REVIEW, first["message_id"], 1)  # the manager revises a case of group 1
    second = (await bot.send(BOB, f"/review {ORDER[:-1]}9 tb_wang negative", chat=REVIEW))[-1]
    await bot.press(BOB, REVIEW, second["message_id"], 3)  # Bob passes it on to group 2
    await bot.press(ALICE, REVIEW, second["message_id"], 2)  # the manager fails it there: Carol's case
    stats = await bot.say(ALICE, "/review stats 2026-12", chat=ALICE)
    assert stats.splitlines() == [
        "Review cases in December 2026, per member:",
        "• @bob: revised 0 · failed 0 · escalated 1",
        "• @carol: revised 0 · failed 1 · escalated 0",
        "• not credited (done outside the case's group): revised 1 · failed 0 · escalated 0",
        "Per group:",
        "• group 1: revised 1 · failed 0 · escalated 1",
        "• group 2: revised 0 · failed 1 · escalated 0",
    ]


async def test_a_stale_card_cannot_escalate_twice(bot: Harness, clock: Any) -> None:
    sent = await bot.send(ALICE, f"/review {ORDER} tb_lee negative", chat=TEAM)
    again = await bot.send(ALICE, "/show N-1", chat=TEAM)
    await bot.press(ALICE, TEAM, sent[-1]["message_id"], 3)
    await bot.press(ALICE, TEAM, again[-1]["message_id"], 3)  # that card still offers group 1 → 2
    assert alert(bot) == "N-1 was changed by someone else just now: look again."
    assert "review group: 2" in await bot.say(ALICE, "/show N-1", chat=TEAM)


# ------------------------------------------------------------------------------------------------ in Chinese


async def test_the_rotation_in_chinese(bot: Harness, clock: Any) -> None:
    await team_up(bot)
    await bot.say(ALICE, "/lang zh", chat=REVIEW)
    members = await bot.say(ALICE, f"/rotation 成员 {MEMBERS}", chat=REVIEW)
    assert "✅ 已设置成员：4 人。" in members and "• 第 1 组：@bob" in members
    period = await bot.say(ALICE, "/rotation 周期 1个月 开始=2026-12-01 时间=9点", chat=REVIEW)
    assert "下次交接：12月1日 周二 09:00（每月）。" in period
    override = await bot.say(ALICE, "/rotation 代班 @erin @bob 12月10日到12月20日", chat=REVIEW)
    assert "✅ @erin 代 @bob 值班，12月10日 周四..12月20日 周日。" in override
    backwards = await bot.say(ALICE, "/rotation 代班 @erin @bob 12月20日到12月10日", chat=REVIEW)
    assert "日期范围“12月20日到12月10日”倒着写了" in backwards and "用法：/rotation" in backwards
    assert "• 第 1 组：@erin" in await bot.say(BOB, "/rotation 显示 12月15日", chat=REVIEW)
    assert "🔄 下次交接 12月1日 周二 09:00：" in await bot.say(BOB, "/rotation 下次", chat=REVIEW)
    await advance_to(bot, clock, FIRST_HANDOFF)
    await posted(bot, REVIEW, "🔄 差评组自 12月1日 周二 09:00 起：")
    await posted(bot, FRANK, "🔄")
    sent = await bot.send(BOB, f"/review {ORDER} tb_lee 差评", chat=REVIEW)
    assert buttons(sent[-1])[-1] == "升级 ⤴"
    await bot.press(BOB, REVIEW, sent[-1]["message_id"], 3)
    assert "2026年12月 差评处理统计（按人）：" in await bot.say(ALICE, "/review 统计 2026-12", chat=REVIEW)
