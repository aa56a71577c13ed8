"""Tortoise ORM models: the team's people, their chats and the audit trail."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model as OrmModel
from tortoise.models import ModelMeta

from bot.enums import RECORD_PREFIX, ChatPurpose, RecordKind, Role


class NoFieldComments(ModelMeta):
    """Tortoise reads each model's source for `#:` comments to describe its fields: 0.4 s of every start,
    spent parsing this file once per model. We write none."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> ModelMeta:
        attrs.setdefault("_no_comments", True)
        return super().__new__(mcs, name, bases, attrs)


class Model(OrmModel, metaclass=NoFieldComments):
    """The base of kefu-bot's tables."""

    class Meta:
        abstract = True


class Person(Model):
    """A Telegram user the bot has seen, keyed by the Telegram id, which never changes."""

    id = fields.BigIntField(primary_key=True, generated=False)
    username = fields.CharField(max_length=64, null=True, db_index=True)
    first_name = fields.CharField(max_length=128, default="")
    last_name = fields.CharField(max_length=128, null=True)
    locale = fields.CharField(max_length=8, null=True)
    first_seen_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField(auto_now=True)

    roles: fields.ReverseRelation[RoleGrant]

    class Meta:
        table = "person"

    @property
    def display_name(self) -> str:
        """How people are named in replies: @username when known, else the first name."""
        return f"@{self.username}" if self.username else (self.first_name or str(self.id))


class RoleGrant(Model):
    """One role held by one person, with who granted it."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="roles", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(Role, max_length=16)
    granted_by_id = fields.BigIntField(null=True)
    granted_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "role_grant"
        unique_together = (("person", "role"),)


class Chat(Model):
    """A chat the bot serves, with the purpose a group was registered for."""

    id = fields.BigIntField(primary_key=True, generated=False)
    type = fields.CharField(max_length=16)
    title = fields.CharField(max_length=255, default="")
    purpose = fields.CharEnumField(ChatPurpose, max_length=16, null=True)
    locale = fields.CharField(max_length=8, null=True)
    timezone = fields.CharField(max_length=64, null=True)
    registered_by_id = fields.BigIntField(null=True)
    registered_at = fields.DatetimeField(null=True)
    delete_hint_at = fields.DatetimeField(null=True)
    """When the group was told how to let the bot delete messages that carry personal data (told once)."""

    class Meta:
        table = "chat"


class AuditEntry(Model):
    """An attributable change of state: who, when, where, what, before and after."""

    id = fields.IntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)
    actor_id = fields.BigIntField(null=True, db_index=True)
    chat_id = fields.BigIntField(null=True)
    action = fields.CharField(max_length=64)
    target = fields.CharField(max_length=128, default="")
    before: fields.Field[object] = fields.JSONField(null=True)
    after: fields.Field[object] = fields.JSONField(null=True)

    class Meta:
        table = "audit_entry"
        ordering = ("-id",)


class TeamSetting(Model):
    """A team rule that differs from the default (order number length, amount limit, thresholds)."""

    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.CharField(max_length=255)

    class Meta:
        table = "team_setting"


class Record(Model):
    """One row of a team spreadsheet: refund, courier query, complaint slip, problem order or review case."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(RecordKind, max_length=16)
    number = fields.IntField()
    status = fields.CharField(max_length=16)
    subkind = fields.CharField(max_length=32, null=True)
    order_no = fields.CharField(max_length=32, null=True, db_index=True)
    tracking_no = fields.CharField(max_length=32, null=True, db_index=True)
    buyer = fields.CharField(max_length=64, null=True, db_index=True)
    phone = fields.CharField(max_length=16, null=True, db_index=True)
    address = fields.CharField(max_length=255, null=True, db_index=True)
    amount = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    data: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    deadline_at = fields.DatetimeField(null=True, db_index=True)
    review_group = fields.SmallIntField(null=True)
    author_id = fields.BigIntField()
    chat_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    erased_at = fields.DatetimeField(null=True)
    """When its personal data was erased (/forget or the retention period): amounts, ids and statuses stay."""

    events: fields.ReverseRelation[RecordEvent]

    class Meta:
        table = "record"
        unique_together = (("kind", "number"),)
        indexes = (("kind", "created_at"),)  # a period's records of one kind (reports, charts, digests)

    @property
    def short_id(self) -> str:
        """R-12, K-31, C-7, P-4, N-9: what people type and see."""
        return f"{RECORD_PREFIX[RecordKind(self.kind)]}-{self.number}"


class RecordEvent(Model):
    """The history of a record: created, status changed, edited, note, attachment, voided."""

    id = fields.IntField(primary_key=True)
    record: fields.ForeignKeyRelation[Record] = fields.ForeignKeyField(
        "models.Record", related_name="events", on_delete=fields.CASCADE
    )
    at = fields.DatetimeField(auto_now_add=True)
    actor_id = fields.BigIntField()
    action = fields.CharField(max_length=16)
    before: fields.Field[object] = fields.JSONField(null=True)
    after: fields.Field[object] = fields.JSONField(null=True)

    class Meta:
        table = "record_event"
        ordering = ("id",)
        indexes = (("record_id", "action", "at"),)  # a record's history, and when it was resolved (reports)


class RecordCard(Model):
    """A bot message showing a record, so a reply to it can add a note or a photo to that record."""

    id = fields.IntField(primary_key=True)
    chat_id = fields.BigIntField()
    message_id = fields.BigIntField()
    record: fields.ForeignKeyRelation[Record] = fields.ForeignKeyField(
        "models.Record", related_name="cards", on_delete=fields.CASCADE
    )

    class Meta:
        table = "record_card"
        unique_together = (("chat_id", "message_id"),)


class Schedule(Model):
    """An alarm or deadline watch: its rule in the chat's zone, and the next thing it will post (in UTC)."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=16)
    chat_id = fields.BigIntField(db_index=True)
    owner_id = fields.BigIntField()
    rule: fields.Field[dict[str, object]] = fields.JSONField()
    timezone = fields.CharField(max_length=64)
    text = fields.CharField(max_length=300)
    lead_minutes = fields.IntField(null=True)
    escalate_minutes = fields.IntField(null=True)
    ref = fields.CharField(max_length=64, null=True, db_index=True)
    state = fields.CharField(max_length=12, default="active")
    next_due_at = fields.DatetimeField(null=True, db_index=True)
    next_kind = fields.CharField(max_length=12, null=True)
    ends_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    number = fields.IntField(null=True, unique=True)
    """The alarm number people see and type (#1, #2 …), counted among alarms and watches only, so digests and
    other schedules take none; None for those."""

    class Meta:
        table = "schedule"


class Occurrence(Model):
    """One posting of a schedule, keyed by (schedule, due time, kind) so it is claimed and posted once."""

    id = fields.IntField(primary_key=True)
    schedule: fields.ForeignKeyRelation[Schedule] = fields.ForeignKeyField(
        "models.Schedule", related_name="occurrences", on_delete=fields.CASCADE
    )
    due_at = fields.DatetimeField()
    kind = fields.CharField(max_length=12)
    state = fields.CharField(max_length=12, default="sending")
    chat_id = fields.BigIntField()
    message_id = fields.BigIntField(null=True)
    sent_at = fields.DatetimeField(null=True)
    acked_by = fields.BigIntField(null=True)
    acked_at = fields.DatetimeField(null=True)
    outcome = fields.CharField(max_length=8, null=True)
    """How an alarm was answered: done, or snoozed (a snooze is not counted as done)."""

    deliveries: fields.ReverseRelation[Delivery]

    class Meta:
        table = "occurrence"
        unique_together = (("schedule", "due_at", "kind"),)


class Delivery(Model):
    """One message of a posting to one recipient on one channel, claimed before it is sent so it goes once."""

    id = fields.IntField(primary_key=True)
    occurrence: fields.ForeignKeyRelation[Occurrence] = fields.ForeignKeyField(
        "models.Occurrence", related_name="deliveries", on_delete=fields.CASCADE
    )
    channel = fields.CharField(max_length=16, default="telegram")
    """How it goes out: Telegram, or (later) a WeCom or DingTalk group robot."""
    recipient = fields.BigIntField()
    """The chat or person it goes to (on a robot channel, the robot's id)."""
    part = fields.CharField(max_length=16)
    """Which message of the posting: copy, summary, handover, dfile, dt0 and so on."""
    state = fields.CharField(max_length=12, default="pending")
    message_id = fields.BigIntField(null=True)
    error = fields.CharField(max_length=255, null=True)
    extra: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    """What a posting keeps about its message: a chat's title, why a pin failed."""
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "delivery"
        unique_together = (("occurrence", "channel", "recipient", "part"),)
        indexes = (("recipient", "part"),)  # the latest message of a part in a chat (the finance list)
        ordering = ("id",)


class Broadcast(Model):
    """An announcement to the registered chats of one purpose, previewed and sent only once confirmed."""

    id = fields.IntField(primary_key=True)
    author_id = fields.BigIntField()
    chat_id = fields.BigIntField()
    preview_message_id = fields.BigIntField(null=True)
    target = fields.CharField(max_length=16)
    body = fields.TextField()
    photo = fields.CharField(max_length=255, null=True)
    pin = fields.BooleanField(default=False)
    silent = fields.BooleanField(default=False)
    send_at = fields.DatetimeField(null=True)
    timezone = fields.CharField(max_length=64)
    state = fields.CharField(max_length=12, default="draft", db_index=True)
    decided_by = fields.BigIntField(null=True)
    decided_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    target_chats: fields.Field[list[dict[str, object]]] = fields.JSONField(default=list, db_default="[]")
    """The chats the preview named, as {"id", "title"}, in order: where it goes and where Got it counts."""

    acks: fields.ReverseRelation[BroadcastAck]

    class Meta:
        table = "broadcast"


class BroadcastAck(Model):
    """Someone pressed Got it under a broadcast: once per person, whichever chat they read it in."""

    id = fields.IntField(primary_key=True)
    broadcast: fields.ForeignKeyRelation[Broadcast] = fields.ForeignKeyField(
        "models.Broadcast", related_name="acks", on_delete=fields.CASCADE
    )
    person_id = fields.BigIntField()
    chat_id = fields.BigIntField()
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "broadcast_ack"
        unique_together = (("broadcast", "person_id"),)
        ordering = ("id",)


class ShiftType(Model):
    """A kind of shift (day, night): winter hours and optional summer hours, as minutes of the local day."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=16, unique=True)
    start = fields.IntField()
    end = fields.IntField()
    summer_start = fields.IntField(null=True)
    summer_end = fields.IntField(null=True)
    summer_from = fields.CharField(max_length=5, default="05-01")
    summer_to = fields.CharField(max_length=5, default="09-30")
    remind_minutes = fields.IntField(default=30)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "shift_type"


class RosterShift(Model):
    """One person working one shift type on one local date of the monthly roster."""

    id = fields.IntField(primary_key=True)
    person_id = fields.BigIntField(db_index=True)
    day = fields.DateField(db_index=True)
    shift_type: fields.ForeignKeyRelation[ShiftType] = fields.ForeignKeyField(
        "models.ShiftType", related_name="roster", on_delete=fields.CASCADE
    )
    created_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "roster_shift"
        unique_together = (("person_id", "day", "shift_type"),)


class HandoverItem(Model):
    """An entry of the handover book (交接记录) for the next shift, open until somebody ticks it off."""

    id = fields.IntField(primary_key=True)
    text = fields.CharField(max_length=500)
    urgent = fields.BooleanField(default=False)
    warehouse = fields.BooleanField(default=False)
    call_buyer = fields.CharField(max_length=64, null=True)
    author_id = fields.BigIntField()
    chat_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    first_posted_at = fields.DatetimeField(null=True)
    done_by = fields.BigIntField(null=True)
    done_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "handover_item"


class SwapRequest(Model):
    """A proposed exchange of shifts, waiting for the other person and then a supervisor."""

    id = fields.IntField(primary_key=True)
    requester_id = fields.BigIntField()
    other_id = fields.BigIntField()
    day = fields.DateField()
    their_day = fields.DateField(null=True)
    state = fields.CharField(max_length=12, default="asked", db_index=True)
    chat_id = fields.BigIntField()
    decided_by = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "swap_request"


class Rotation(Model):
    """A rota by name (the review groups): members, groups, period, handoff time, overrides, skipped dates."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True)
    rule: fields.Field[dict[str, object]] = fields.JSONField()
    updated_by = fields.BigIntField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "rotation"


class ShopDay(Model):
    """A day the shop closes (off) or opens (work) against China's calendar, for working-day schedules."""

    id = fields.IntField(primary_key=True)
    day = fields.DateField(unique=True)
    kind = fields.CharField(max_length=4)
    note = fields.CharField(max_length=100, default="")
    created_by = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "shop_day"


class DeepLink(Model):
    """A `t.me/<bot>?start=…` link: a random token standing for what it opens, for one person, expiring."""

    token = fields.CharField(max_length=24, primary_key=True)
    kind = fields.CharField(max_length=16)
    ref = fields.CharField(max_length=64)
    user_id = fields.BigIntField(db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "deep_link"


class LedgerEntry(Model):
    """A fine or a reward for one person: the team fund's book (奖惩), published monthly, never deleted."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=8)
    person_id = fields.BigIntField(db_index=True)
    amount = fields.DecimalField(max_digits=12, decimal_places=2)
    reason = fields.CharField(max_length=200)
    rule = fields.CharField(max_length=32, null=True)
    actor_id = fields.BigIntField()
    chat_id = fields.BigIntField(null=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)
    appeal = fields.CharField(max_length=300, null=True)
    appealed_at = fields.DatetimeField(null=True)
    outcome = fields.CharField(max_length=12, null=True)
    """What a manager decided on the appeal: kept or cancelled."""
    cancelled_at = fields.DatetimeField(null=True)
    cancelled_by_id = fields.BigIntField(null=True)
    cancel_reason = fields.CharField(max_length=300, null=True)

    class Meta:
        table = "ledger_entry"


class LedgerRule(Model):
    """A named offence or deed with its fixed amounts, escalating by how often it happened in the month."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True)
    kind = fields.CharField(max_length=8)
    amounts = fields.CharField(max_length=120)
    """Comma-separated: the amount for the 1st, 2nd … use in a month, the last one repeats."""
    description = fields.CharField(max_length=200, default="")
    active = fields.BooleanField(default=True)
    set_by_id = fields.BigIntField()
    set_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "ledger_rule"


class Phrase(Model):
    """An approved quick reply (快捷语): what agents paste to buyers, found by /phrase, never deleted."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=64)
    text = fields.TextField()
    category = fields.CharField(max_length=16)
    language = fields.CharField(max_length=8)
    active = fields.BooleanField(default=True)
    created_by = fields.BigIntField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "phrase"


class KpiDay(Model):
    """One agent's figures for one shop day from the platform's export: one row per (day, person)."""

    id = fields.IntField(primary_key=True)
    day = fields.DateField(db_index=True)
    person_id = fields.BigIntField()
    inquiries = fields.IntField()
    paying = fields.IntField()
    sales = fields.DecimalField(max_digits=14, decimal_places=2)
    response_seconds = fields.FloatField(null=True)
    imported_by = fields.BigIntField()
    imported_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "kpi_day"
        unique_together = (("day", "person_id"),)


class KpiAlias(Model):
    """The name an agent has in the platform's export (a sub-account such as 店铺:小王), mapped once."""

    name = fields.CharField(max_length=64, primary_key=True)
    person_id = fields.BigIntField()
    created_by = fields.BigIntField()

    class Meta:
        table = "kpi_alias"


class StarRound(Model):
    """A month's star-agent shortlist for the supervisors: candidates, each supervisor's pick, the star."""

    id = fields.IntField(primary_key=True)
    month = fields.DateField()
    chat_id = fields.BigIntField()
    message_id = fields.BigIntField(null=True)
    candidates: fields.Field[list[int]] = fields.JSONField(default=list)
    votes: fields.Field[dict[str, int]] = fields.JSONField(default=dict)
    """Supervisor's Telegram id (as text) → the candidate they confirmed."""
    star_id = fields.BigIntField(null=True)
    reward = fields.DecimalField(max_digits=12, decimal_places=2)
    created_by = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "star_round"


class FollowUp(Model):
    """A buyer to follow up after the deal (回访): whose customer, whose follow-up, until done or overdue."""

    id = fields.IntField(primary_key=True)
    order_no = fields.CharField(max_length=32, db_index=True)
    buyer = fields.CharField(max_length=64, null=True)
    phone = fields.CharField(max_length=16, null=True)
    note = fields.CharField(max_length=255, default="")
    silent = fields.BooleanField(default=False)
    """A silent customer (paid without any chat), given out by the weekly follow-up rota."""
    owner_id = fields.BigIntField(db_index=True)
    author_id = fields.BigIntField()
    chat_id = fields.BigIntField()
    state = fields.CharField(max_length=8, default="open", db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    due_at = fields.DatetimeField(db_index=True)
    attempts = fields.IntField(default=0)
    last_try_at = fields.DatetimeField(null=True)
    called_at = fields.DatetimeField(null=True)
    done_at = fields.DatetimeField(null=True)
    flagged_at = fields.DatetimeField(null=True)
    """When the supervisors were told it passed its deadline (told once)."""

    class Meta:
        table = "follow_up"


class LeaveRequest(Model):
    """Days off asked of the supervisors (请假): approved leave takes those days off the roster."""

    id = fields.IntField(primary_key=True)
    person_id = fields.BigIntField(db_index=True)
    first_day = fields.DateField()
    last_day = fields.DateField()
    reason = fields.CharField(max_length=255)
    short_notice = fields.BooleanField(default=False)
    """More than two days asked less than a week ahead: the rulebook wants a week's notice."""
    state = fields.CharField(max_length=12, default="asked", db_index=True)
    chat_id = fields.BigIntField()
    decided_by = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "leave_request"


class RobotLink(Model):
    """A group robot of WeCom or DingTalk that mirrors what the bot posts on its own in one chat."""

    id = fields.IntField(primary_key=True)
    chat_id = fields.BigIntField(db_index=True)
    vendor = fields.CharField(max_length=16)
    """wecom or dingtalk."""
    token = fields.TextField()
    """The webhook key or access token, encrypted with CHANNEL_SECRET_KEY, never kept or logged in clear."""
    secret = fields.TextField(null=True)
    """DingTalk's signing secret, encrypted like the token (None when the robot does not sign)."""
    hint = fields.CharField(max_length=16)
    """The token's last characters, the only part ever shown."""
    linked_by_id = fields.BigIntField()
    linked_at = fields.DatetimeField(auto_now_add=True)
    failures = fields.IntField(default=0)
    """Failed attempts in a row; reset by the next post the robot accepts."""
    reported_at = fields.DatetimeField(null=True)
    """When the supervisors were told the robot keeps failing (told once until it works again)."""

    class Meta:
        table = "robot_link"
        unique_together = (("chat_id", "vendor"),)


class RobotPerson(Model):
    """Who a team member is in WeCom or DingTalk, so mentions there reach them."""

    id = fields.IntField(primary_key=True)
    person_id = fields.BigIntField()
    vendor = fields.CharField(max_length=16)
    user_id = fields.CharField(max_length=64, null=True)
    """Their WeCom or DingTalk user id."""
    mobile = fields.TextField(null=True)
    """Their mobile number, encrypted (personal data: shown masked, removed with `who @name off`)."""

    class Meta:
        table = "robot_person"
        unique_together = (("person_id", "vendor"),)


class HandledUpdate(Model):
    """A Telegram update id taken by one instance in webhook mode, so a redelivered update is handled once."""

    update_id = fields.BigIntField(primary_key=True, generated=False)
    handled_at = fields.DatetimeField(db_index=True)
    """When this delivery (or the one that took it over) began handling it."""
    done_at = fields.DatetimeField(null=True)
    """When it was handled; None while it is being handled, or when the instance died doing so."""

    class Meta:
        table = "handled_update"
