"""The permission map: every action is refused to every role that is not allowed, owner rules hold."""

from __future__ import annotations

import pytest

from bot.enums import AGENT_ROLES, ChatPurpose, Role
from bot.services.permissions import PERMISSIONS, Facts, Rule, check, is_allowed, may_grant
from bot.services.team.catalog import COMMANDS


def test_every_catalogued_command_is_in_the_map() -> None:
    assert {info.name for info in COMMANDS} <= set(PERMISSIONS)


@pytest.mark.parametrize("action", [a for a, p in PERMISSIONS.items() if p.roles is not None and not p.also])
def test_privileged_actions_refuse_every_other_role(action: str) -> None:
    allowed = PERMISSIONS[action].roles
    assert allowed is not None
    facts = Facts(actor_id=1, asked_id=1)
    for role in Role:
        assert check(action, {role}, facts).allowed == (role in allowed), role
    assert not check(action, set(), facts).allowed


def test_unknown_action_is_closed() -> None:
    assert not is_allowed("format-the-disk", set(Role))


def test_the_author_may_what_their_role_may_not() -> None:
    mine, theirs = Facts(actor_id=7, author_id=7), Facts(actor_id=7, author_id=8)
    assert check("record.edit", {Role.PRESALE}, mine).allowed
    refused = check("record.edit", {Role.PRESALE}, theirs)
    assert not refused.allowed and refused.rule is Rule.AUTHOR
    assert check("record.edit", {Role.SUPERVISOR}, theirs).allowed


def test_nobody_approves_their_own_swap_whatever_their_role() -> None:
    own = Facts(actor_id=5, parties=frozenset({5, 6}))
    refused = check("swap.approve", set(Role), own)
    assert not refused.allowed and refused.rule is Rule.NOT_PARTY
    assert check("swap.approve", {Role.SUPERVISOR}, Facts(actor_id=9, parties=frozenset({5, 6}))).allowed
    assert not check("swap.approve", {Role.SUPERVISOR}).allowed  # no facts, no decision


def test_only_the_person_asked_answers_a_swap() -> None:
    assert check("swap.accept", set(), Facts(actor_id=6, asked_id=6)).allowed
    assert check("swap.accept", set(Role), Facts(actor_id=5, asked_id=6)).rule is Rule.ASKED


def test_money_and_bonus_buttons_belong_to_their_owners() -> None:
    for role in Role:
        assert check("refund.paid", {role}).allowed == (role in {Role.FINANCE, Role.MANAGER})
        assert check("review.revised", {role}).allowed == (
            role in {Role.REVIEW, Role.SUPERVISOR, Role.MANAGER}
        )


def test_only_managers_register_chats_that_receive_unmasked_data() -> None:
    for purpose in ChatPurpose:
        sensitive = purpose in {ChatPurpose.FINANCE, ChatPurpose.WAREHOUSE}
        assert is_allowed(f"chat.setup.{purpose}", {Role.SUPERVISOR}) == (not sensitive)
        assert is_allowed(f"chat.setup.{purpose}", {Role.MANAGER})


def test_supervisors_grant_agent_roles_only() -> None:
    for role in Role:
        assert may_grant({Role.SUPERVISOR}, role) == (role in AGENT_ROLES)
        assert may_grant({Role.MANAGER}, role)
        assert not may_grant({Role.AFTERSALE}, role)


def test_a_follow_up_is_answered_by_its_owner_or_a_lead() -> None:
    mine, theirs = Facts(actor_id=7, owner_id=7), Facts(actor_id=7, owner_id=8)
    assert check("followup.called", {Role.PRESALE}, mine).allowed
    refused = check("followup.called", {Role.PRESALE}, theirs)
    assert not refused.allowed and refused.rule is Rule.OWNER
    assert check("followup.called", {Role.SUPERVISOR}, theirs).allowed
