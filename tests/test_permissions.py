"""The permission map: every privileged command is refused to every role that is not allowed."""

from __future__ import annotations

import pytest

from bot.enums import AGENT_ROLES, Role
from bot.services.permissions import PERMISSIONS, is_allowed, may_grant
from bot.services.team.catalog import COMMANDS


def test_every_catalogued_command_is_in_the_map() -> None:
    assert {info.name for info in COMMANDS} <= set(PERMISSIONS)


@pytest.mark.parametrize("action", [a for a, roles in PERMISSIONS.items() if roles is not None])
def test_privileged_actions_refuse_every_other_role(action: str) -> None:
    allowed = PERMISSIONS[action]
    assert allowed is not None
    for role in Role:
        assert is_allowed(action, {role}) == (role in allowed)
    assert not is_allowed(action, set())


def test_unknown_action_is_closed() -> None:
    assert not is_allowed("format-the-disk", set(Role))


def test_supervisors_grant_agent_roles_only() -> None:
    for role in Role:
        assert may_grant({Role.SUPERVISOR}, role) == (role in AGENT_ROLES)
        assert may_grant({Role.MANAGER}, role)
        assert not may_grant({Role.AFTERSALE}, role)
