"""/role, /team, /setup, /chats and /audit end to end: who may do what, and what is recorded."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from bot.chat_order import settled
from bot.models import Chat, Person
from bot.services.team import chats, people
from tests.harness import ALICE, BOB, CAROL, DAVE, SUPERVISORS, TEAM, Harness
from tests.shop_clock import register


async def test_manager_grants_and_revokes_by_username(bot: Harness) -> None:
    await bot.introduce(BOB)
    assert "@bob is now after-sales" in await bot.say(ALICE, "/role @bob aftersale")
    assert "Roles: after-sales" in await bot.say(BOB, "/whoami")
    assert "@bob already has the role after-sales" in await bot.say(ALICE, "/role @bob aftersale")
    assert "@bob is no longer after-sales" in await bot.say(ALICE, "/role @bob -aftersale")
    assert "no role yet" in await bot.say(BOB, "/whoami")


async def test_role_by_reply_and_in_chinese(bot: Harness) -> None:
    [bob_message] = [bot.api.message(TEAM, BOB, "我是新来的")]
    await bot.api.processed(bob_message)
    await settled(bot.app)
    reply = await bot.say(ALICE, "/role 售后 差评", reply_to=bob_message["message"]["message_id"])
    assert "@bob is now after-sales" in reply and "@bob is now review team" in reply


async def test_role_for_a_user_without_username_by_reply(bot: Harness) -> None:
    update = bot.api.message(TEAM, DAVE, "hello")
    await bot.api.processed(update)
    await settled(bot.app)
    reply = await bot.say(ALICE, "/role presale", reply_to=update["message"]["message_id"])
    assert "Dave is now pre-sales" in reply


async def test_unknown_username_gets_a_hint(bot: Harness) -> None:
    reply = await bot.say(ALICE, "/role @nobody aftersale")
    assert "I haven't seen @nobody yet" in reply and "reply to one of their messages" in reply


async def test_bad_role_input_names_the_problem_and_changes_nothing(bot: Harness) -> None:
    await bot.introduce(BOB)
    reply = await bot.say(ALICE, "/role @bob aftersale wizard")
    assert "Unknown role “wizard”" in reply and "Usage: /role @alice aftersale" in reply
    assert "no role yet" in await bot.say(BOB, "/whoami")
    assert "Whose role?" in await bot.say(ALICE, "/role")
    assert "Which role?" in await bot.say(ALICE, "/role @bob")


async def test_supervisor_grants_agent_roles_only(bot: Harness) -> None:
    await bot.introduce(BOB, CAROL)
    await bot.say(ALICE, "/role @bob supervisor")
    assert "@carol is now pre-sales" in await bot.say(BOB, "/role @carol presale")
    reply = await bot.say(BOB, "/role @carol manager")
    assert "Only a manager can grant or revoke the role manager" in reply
    reply = await bot.say(BOB, "/role @carol insale finance")
    assert "Only a manager" in reply
    assert "insale" not in (await bot.say(CAROL, "/whoami")) and "in-sales" not in await bot.say(
        CAROL, "/whoami"
    )


async def test_agents_cannot_use_role_setup_or_audit(bot: Harness) -> None:
    await bot.introduce(BOB)
    await bot.say(ALICE, "/role @bob aftersale")
    for command in ("/role @alice -manager", "/setup team", "/chats"):
        assert "this needs the role: supervisor, manager" in await bot.say(BOB, command)
    assert "this needs the role: manager" in await bot.say(BOB, "/audit")


async def test_every_privileged_command_is_refused_below_its_roles(bot: Harness) -> None:
    from bot.enums import Role
    from bot.services.permissions import PERMISSIONS
    from bot.services.team.catalog import COMMANDS

    await bot.introduce(BOB)
    for role in Role:
        if role == Role.MANAGER:
            continue
        await bot.say(ALICE, f"/role @bob {role.value}", chat=ALICE)
        for command in (info.name for info in COMMANDS):
            allowed = PERMISSIONS[command].roles
            if allowed is None or role in allowed:
                continue
            reply = await bot.say(BOB, f"/{command}", chat=BOB)  # private: no per-group rate limit
            assert "this needs the role" in reply, (role, command)
        await bot.say(ALICE, f"/role @bob -{role.value}", chat=ALICE)


async def test_team_lists_members_by_role(bot: Harness) -> None:
    await bot.introduce(BOB, CAROL)
    await bot.say(ALICE, "/role @bob aftersale")
    await bot.say(ALICE, "/role @carol aftersale supervisor")
    reply = await bot.say(BOB, "/team")
    assert (
        "after-sales: @bob, @carol" in reply and "supervisor: @carol" in reply and "manager: @alice" in reply
    )


async def test_setup_registers_groups_and_chats_lists_them(bot: Harness) -> None:
    assert "this group is now the team chat" in await bot.say(ALICE, "/setup team")
    assert "supervisors' chat" in await bot.say(ALICE, "/setup 主管", chat=SUPERVISORS)
    reply = await register(bot, "finance", TEAM)
    assert "was the team chat, now it is the finance chat" in reply
    listed = await bot.say(ALICE, "/chats")
    assert "finance chat: Kefu team" in listed and "supervisors' chat: Supervisors" in listed


async def test_setup_refuses_private_chats_and_bad_purposes(bot: Harness) -> None:
    assert "add me to the group" in await bot.say(ALICE, "/setup team", chat=ALICE)
    reply = await bot.say(ALICE, "/setup disco")
    assert "Unknown purpose “disco”" in reply and "team, supervisors, finance, warehouse, review" in reply
    assert "Which purpose?" in await bot.say(ALICE, "/setup")
    assert "No group is registered yet" in await bot.say(ALICE, "/chats")


async def test_setup_in_chinese_group(bot: Harness) -> None:
    await bot.say(ALICE, "/lang zh")
    assert "已登记：本群现在是客服群" in await bot.say(ALICE, "/setup 客服")
    assert "未知用途“舞会”" in await bot.say(ALICE, "/setup 舞会")


async def test_audit_shows_who_changed_what(bot: Harness) -> None:
    await bot.introduce(BOB)
    await bot.say(ALICE, "/role @bob aftersale")
    await bot.say(ALICE, "/setup team")
    reply = await bot.say(ALICE, "/audit 3")
    lines = reply.splitlines()
    assert lines[0] == "Latest changes (newest first):" and len(lines) == 4
    assert "@alice: schedule created" in lines[1] and "ledger" in lines[1]  # the team chat's monthly ledger
    assert "@alice: group registered" in lines[2] and "— → team" in lines[2]
    assert "@alice: roles changed @bob: — → aftersale" in lines[3]
    assert "is not a number" in await bot.say(ALICE, "/audit -3")


async def test_a_known_unchanged_person_is_read_not_rewritten_after_a_restart(
    database: str, clock: time_machine.Coordinates
) -> None:
    seen = people.SeenUser(BOB, "Bob", None, "Bob")
    await people.observe(seen)
    written = (await Person.get(id=BOB)).last_seen_at
    clock.shift(timedelta(hours=1))
    people.forget_cache()  # what a restart does
    await people.observe(seen)
    assert (await Person.get(id=BOB)).last_seen_at == written
    people.forget_cache()
    await people.observe(people.SeenUser(BOB, "Bobby", None, "bob_new"))
    person = await Person.get(id=BOB)
    assert (person.first_name, person.username, person.last_seen_at > written) == ("Bobby", "bob_new", True)


async def test_a_chat_renamed_while_the_bot_was_down_is_learned_after_a_restart(database: str) -> None:
    await chats.observe(chats.SeenChat(TEAM, "supergroup", "Kefu team"))
    chats.forget_cache()
    await chats.observe(chats.SeenChat(TEAM, "supergroup", "Kefu team"))
    assert await Chat.filter(id=TEAM).values_list("title", flat=True) == ["Kefu team"]
    chats.forget_cache()
    await chats.observe(chats.SeenChat(TEAM, "supergroup", "Kefu team 2"))
    assert await Chat.filter(id=TEAM).values_list("title", flat=True) == ["Kefu team 2"]
