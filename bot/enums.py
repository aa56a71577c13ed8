"""Closed vocabularies shared by models, services and handlers."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a person does in the team; a person may hold several."""

    PRESALE = "presale"
    INSALE = "insale"
    AFTERSALE = "aftersale"
    REVIEW = "review"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    FINANCE = "finance"
    WAREHOUSE = "warehouse"


AGENT_ROLES = frozenset({Role.PRESALE, Role.INSALE, Role.AFTERSALE, Role.REVIEW})


class ChatPurpose(StrEnum):
    """Why a group chat is registered, so digests and broadcasts know where to go."""

    TEAM = "team"
    SUPERVISORS = "supervisors"
    FINANCE = "finance"
    WAREHOUSE = "warehouse"
    REVIEW = "review"
