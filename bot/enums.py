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


class ScheduleKind(StrEnum):
    """What a schedule posts; jobs/kinds.py maps each to its poster, and nothing else is ever posted."""

    SHELF = "shelf"
    SNOOZE = "snooze"
    REFUND_WATCH = "refund_watch"
    PRESALE = "presale"
    DIGEST = "digest"
    BROADCAST = "broadcast"
    SHIFT = "shift"
    SWAP = "swap"
    ROTATION = "rotation"
    RETENTION = "retention"
    LEDGER = "ledger"


ALARM_KINDS = frozenset(
    {ScheduleKind.SHELF, ScheduleKind.SNOOZE, ScheduleKind.REFUND_WATCH, ScheduleKind.PRESALE}
)
"""What /alarms lists and /alarm acts on: alarms, their snoozed copies and deadline watches."""


class RecordKind(StrEnum):
    """The spreadsheets the team keeps today, one kind of record each."""

    REFUND = "refund"
    COURIER = "courier"
    COMPLAINT = "complaint"
    PROBLEM = "problem"
    REVIEW = "review"


RECORD_PREFIX: dict[RecordKind, str] = {
    RecordKind.REFUND: "R",
    RecordKind.COURIER: "K",
    RecordKind.COMPLAINT: "C",
    RecordKind.PROBLEM: "P",
    RecordKind.REVIEW: "N",
}

VOID = "void"
"""The status of a record withdrawn with /void; nothing is ever deleted."""
DRAFT = "draft"
"""A refund that lacks a field finance needs: open, but never sent to finance until /edit completes it."""
REVERSED = "reversed"
"""A paid refund finance took back, with a reason (a paid refund is never voided)."""

STATUS_FLOW: dict[RecordKind, dict[str, tuple[str, ...]]] = {
    RecordKind.REFUND: {DRAFT: (), "new": ("sent",), "sent": ("paid", "rejected"), "rejected": ("sent",)},
    RecordKind.COURIER: {"open": ("waiting", "resolved"), "waiting": ("resolved", "open")},
    RecordKind.COMPLAINT: {"new": ("supervisor",), "supervisor": ("warehouse",), "warehouse": ("closed",)},
    RecordKind.PROBLEM: {"open": ("fixed",)},
    RecordKind.REVIEW: {"open": ("revised", "failed")},
}
"""Status → the statuses it may move to by button; a status with no entry is final."""

INITIAL_STATUS: dict[RecordKind, str] = {
    kind: next(status for status in flow if status != DRAFT) for kind, flow in STATUS_FLOW.items()
}
"""The status a complete record starts in (an incomplete refund starts as a draft)."""
