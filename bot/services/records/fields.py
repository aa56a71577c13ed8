"""Parsing and checking record fields typed in chat, in English or Chinese: nothing malformed is stored."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from bot.enums import RecordKind
from bot.i18n import N_
from bot.services.clean import clean
from bot.services.errors import UserError
from bot.services.team.rules import Rules

Value = str | Decimal | bool


def _choices(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Invert `canonical → aliases` into `alias → canonical` (lower-cased)."""
    return {alias.lower(): key for key, aliases in table.items() for alias in (key, *aliases)}


CARRIERS = _choices(
    {
        "STO": ("申通",),
        "ZTO": ("中通",),
        "YTO": ("圆通",),
        "YUNDA": ("韵达", "yd"),
        "SF": ("顺丰", "sf-express"),
        "JT": ("极兔", "j&t", "jt-express"),
        "EMS": ("邮政", "中国邮政"),
        "JD": ("京东", "京东物流"),
    }
)
POSTAGE = _choices({"buyer": ("买家",), "shop": ("卖家", "商家", "店铺"), "split": ("各半", "平摊", "50:50")})
YES_NO = {
    **dict.fromkeys(["yes", "y", "true", "1", "有", "是"], "yes"),
    **dict.fromkeys(["no", "n", "false", "0", "无", "否", "没有"], "no"),
}
SUBKINDS: dict[RecordKind, dict[str, str]] = {
    RecordKind.COURIER: _choices(
        {
            "where": ("查件", "物流查询"),
            "overdue": ("超时",),
            "out-of-area": ("区外",),
            "change-address": ("改地址",),
            "lost": ("丢件",),
            "weigh": ("称重",),
            "intercept": ("拦截", "追回"),
        }
    ),
    RecordKind.COMPLAINT: _choices(
        {
            "damaged": ("破损",),
            "missing": ("少件", "漏发"),
            "wrong": ("错发",),
            "quality": ("质量",),
            "late": ("发货慢",),
        }
    ),
    RecordKind.PROBLEM: _choices(
        {
            "multi-address": ("多地址",),
            "unclear-address": ("地址不清",),
            "out-of-range": ("超区", "不在配送范围"),
            "out-of-stock": ("缺货",),
            "free-shipping": ("包邮不符",),
            "note": ("备注",),
            "size-missing": ("未选尺码",),
            "presale-overdue": ("预售超期",),
        }
    ),
    RecordKind.REVIEW: _choices({"medium": ("中评",), "negative": ("差评",)}),
}
REASON_KINDS = frozenset(SUBKINDS[RecordKind.COMPLAINT].values())
"""The canonical kinds a refund's free-text reason is counted under when it starts with one (破损)."""


def reason_kind(reason: str) -> str:
    """The canonical kind a reason names in its first word, in either language (破损 and damaged are one),
    else the reason as typed, folded; reports count by this so one reason is not split across languages."""
    folded = " ".join(reason.lower().split())
    first = folded.split(" ", 1)[0] if folded else ""
    return SUBKINDS[RecordKind.COMPLAINT].get(first) or SUBKINDS[RecordKind.COMPLAINT].get(folded) or folded


OFFERS = _choices({"gift": ("小礼物", "礼物"), "free-postage": ("包邮",), "return": ("退货",)})
REFUND_OFFER = re.compile(r"^(?:refund|退款)[:：](.+)$", re.IGNORECASE)
PHONE = re.compile(r"^(?:\+?86)?(1[3-9][0-9]{9})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TRACKING = re.compile(r"^[A-Z0-9]{8,30}$")
CARRIER_PREFIXES = (("SF", "SF"), ("JDV", "JD"), ("JDX", "JD"), ("JD", "JD"), ("YT", "YTO"), ("JT", "JT"))
EMS_NUMBER = re.compile(r"^[A-Z]{2}\d{9}CN$")
WEIGHT = re.compile(r"^([0-9]{1,6}(?:\.[0-9]{1,6})?)\s*(kg|g|公斤|千克|克|斤)?$", re.IGNORECASE)
MAX_WEIGHT_KG = Decimal(1000)
PLAIN_NUMBER = re.compile(r"^-?[0-9]{1,12}(?:\.[0-9]+)?$")
WEIGHT_FACTORS = {
    "": Decimal(1),
    "kg": Decimal(1),
    "公斤": Decimal(1),
    "千克": Decimal(1),
    "g": Decimal("0.001"),
    "克": Decimal("0.001"),
    "斤": Decimal("0.5"),
}


def order_number(value: str, rules: Rules) -> str:
    """An order number of the team's length (digits only; spaces and dashes people paste are dropped)."""
    digits = re.sub(r"[\s-]", "", value)
    if (
        not digits.isascii()
        or not digits.isdigit()
        or not rules.order_min_digits <= len(digits) <= rules.order_max_digits
    ):
        raise UserError(
            N_("Order number “{value}” should be {low}–{high} digits."),
            value=value,
            low=rules.order_min_digits,
            high=rules.order_max_digits,
        )
    return digits


def amount(value: str, rules: Rules) -> Decimal:
    """A positive amount in CNY with at most 2 decimals, under the team's maximum."""
    cleaned = value.strip().lstrip("¥￥").removesuffix("元").removesuffix("CNY").strip()
    if not PLAIN_NUMBER.match(cleaned):
        raise UserError(N_("Amount “{value}” is not a number."), value=value)
    number = Decimal(cleaned)
    if number <= 0:
        raise UserError(N_("Amount “{value}” must be more than 0."), value=value)
    if -number.as_tuple().exponent > 2:  # type: ignore[operator]
        raise UserError(N_("Amount “{value}” has more than 2 decimals."), value=value)
    if number > rules.max_amount:
        raise UserError(
            N_("Amount {value} is above the team's maximum of {max}."), value=value, max=rules.max_amount
        )
    return number.quantize(Decimal("0.01"))


def carrier(value: str, rules: Rules) -> str:
    """A courier company by code or Chinese name."""
    found = CARRIERS.get(value.strip().lower())
    if found is None:
        raise UserError(
            N_("Unknown carrier “{value}”. Carriers: {choices}."), value=value, choices=carrier_list()
        )
    return found


def carrier_list() -> str:
    """The carriers people may name, with their Chinese names."""
    return "STO 申通, ZTO 中通, YTO 圆通, YUNDA 韵达, SF 顺丰, JT 极兔, EMS 邮政, JD 京东"


def carrier_from_number(tracking: str) -> str | None:
    """The carrier when the tracking number says it unambiguously (SF…, JD…, YT…, JT…, EMS XX…CN)."""
    if EMS_NUMBER.match(tracking):
        return "EMS"
    return next((code for prefix, code in CARRIER_PREFIXES if tracking.startswith(prefix)), None)


def tracking_number(value: str, rules: Rules) -> str:
    """A tracking number: 8–30 letters and digits."""
    cleaned = value.strip().upper()
    if not value.isascii() or not TRACKING.match(cleaned):
        raise UserError(N_("Tracking number “{value}” should be 8–30 letters and digits."), value=value)
    return cleaned


def phone(value: str, rules: Rules) -> str:
    """A mainland mobile number, 11 digits."""
    match = PHONE.match(re.sub(r"[\s-]", "", value))
    if not match:
        raise UserError(N_("Phone “{value}” should be an 11-digit mobile number."), value=value)
    return match.group(1)


def alipay(value: str, rules: Rules) -> str:
    """An Alipay account: an e-mail address or a mobile number."""
    cleaned = value.strip()
    if EMAIL.match(cleaned):
        return cleaned.lower()
    match = PHONE.match(re.sub(r"[\s-]", "", cleaned))
    if not match:
        raise UserError(
            N_("Alipay account “{value}” should be an e-mail address or a mobile number."), value=value
        )
    return match.group(1)


def postage(value: str, rules: Rules) -> str:
    """Who pays the return postage: buyer, shop or split."""
    return _choice(
        value,
        POSTAGE,
        N_("Postage payer “{value}” is unknown. Choose: {choices}."),
        "buyer 买家, shop 卖家, split 各半",
    )


def insured(value: str, rules: Rules) -> bool:
    """Whether the buyer has return-shipping insurance (运费险)."""
    return _choice(value, YES_NO, N_("Insurance “{value}” should be yes or no (有/无)."), "") == "yes"


def weight(value: str, rules: Rules) -> Decimal:
    """A weight in kg (also g, 克, 斤), more than 0 and at most 1000 kg."""
    match = WEIGHT.match(value.strip())
    kg = Decimal(0)
    if match:
        kg = (Decimal(match.group(1)) * WEIGHT_FACTORS[(match.group(2) or "").lower()]).quantize(
            Decimal("0.001")
        )
    if not 0 < kg <= MAX_WEIGHT_KG:
        raise UserError(N_("Weight “{value}” should be a number of kg, e.g. 1.2 or 900g."), value=value)
    return kg


def offer(value: str, rules: Rules) -> str:
    """The remedy offered: gift, free-postage, return or refund:<amount>."""
    refund = REFUND_OFFER.match(value.strip())
    if refund:
        return f"refund:{amount(refund.group(1), rules)}"
    return _choice(
        value,
        OFFERS,
        N_("Offer “{value}” is unknown. Choose: {choices}."),
        "gift 小礼物, free-postage 包邮, refund:5 退款:5, return 退货",
    )


def text_up_to(limit: int) -> Callable[[str, Rules], str]:
    """A free-text parser that trims spaces and refuses text longer than `limit` characters."""

    def text(value: str, rules: Rules) -> str:
        """Free text, trimmed, bounded so it fits its column and a card stays readable."""
        cleaned = " ".join(clean(value).split())
        if not cleaned or len(cleaned) > limit:
            raise UserError(N_("Text “{value}” should be 1–{limit} characters."), value=value, limit=limit)
        return cleaned

    return text


text = text_up_to(500)
short_text = text_up_to(64)
address_text = text_up_to(255)


def _choice(value: str, table: dict[str, str], message: str, choices: str) -> str:
    """Look a value up in an alias table or list the choices."""
    found = table.get(value.strip().lower())
    if found is None:
        raise UserError(message, value=value, choices=choices)
    return found


@dataclass(frozen=True, slots=True)
class Field:
    """One field: its canonical key, the keys people type for it, its parser and its label."""

    key: str
    aliases: tuple[str, ...]
    parse: Callable[[str, Rules], Value]
    label: str


FIELDS: tuple[Field, ...] = (
    Field("order", ("订单", "订单号"), order_number, N_("order")),
    Field("amount", ("金额", "退款金额"), amount, N_("amount")),
    Field("buyer", ("旺旺", "淘宝id", "买家", "旺旺名"), short_text, N_("buyer")),
    Field("name", ("实名", "姓名"), short_text, N_("name")),
    Field("alipay", ("支付宝",), alipay, N_("Alipay")),
    Field("phone", ("电话", "手机"), phone, N_("phone")),
    Field("address", ("地址",), address_text, N_("address")),
    Field("reason", ("原因", "退款原因"), text, N_("reason")),
    Field("postage", ("运费",), postage, N_("postage")),
    Field("tracking", ("单号", "退货单号", "物流单号", "退货物流单号"), tracking_number, N_("tracking")),
    Field("carrier", ("快递", "物流"), carrier, N_("carrier")),
    Field("insured", ("运费险",), insured, N_("insurance")),
    Field("from", ("原地址",), address_text, N_("original address")),
    Field("to", ("新地址",), address_text, N_("new address")),
    Field("origin", ("始发", "始发重量"), weight, N_("origin weight")),
    Field("last", ("末站", "末站重量"), weight, N_("last-station weight")),
    Field("offer", ("补偿", "方案"), offer, N_("offer")),
    Field("text", ("说明", "内容", "备注", "note"), text, N_("text")),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
FIELD_BY_ALIAS = {alias.lower(): f for f in FIELDS for alias in (f.key, *f.aliases)}
FINANCE_FIELDS = ("order", "amount", "buyer", "name", "alipay", "reason", "postage")
"""What finance needs to pay a refund: without any of them a refund stays a draft and is never sent."""


def missing_for_finance(values: Mapping[str, object]) -> list[str]:
    """The finance fields a refund's values lack, in the order finance reads them."""
    return [key for key in FINANCE_FIELDS if values.get(key) in (None, "")]


def subkind(kind: RecordKind, value: str) -> str:
    """The kind of a courier query, complaint, problem order or review, in English or Chinese."""
    table = SUBKINDS[kind]
    found = table.get(value.strip().lower())
    if found is None:
        raise UserError(
            N_("Unknown kind “{value}”. Kinds: {choices}."), value=value, choices=subkind_list(kind)
        )
    return found


def subkind_list(kind: RecordKind) -> str:
    """`damaged 破损, missing 少件, …` for one record kind."""
    canonical: dict[str, str] = {}
    for alias, key in SUBKINDS[kind].items():
        if alias != key and key not in canonical:
            canonical[key] = alias
    return ", ".join(f"{key} {alias}" for key, alias in canonical.items())


def split_words(args: str) -> list[str]:
    """Split command arguments; double quotes group words (`name="张 三"`), an apostrophe is just a letter."""
    lexer = shlex.shlex(args.replace("＝", "=").replace("“", '"').replace("”", '"'), posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.escape = ""
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:
        raise UserError(N_("A quote is not closed.")) from None


WORDY = frozenset({"name", "address", "reason", "from", "to", "text"})
"""Fields whose values may hold spaces (欧阳 娜娜): unquoted, such a value may run on into the next word."""


def run_ons(words: list[str]) -> dict[int, tuple[str, str]]:
    """For each plain word (by its place among the plain words) typed straight after an unquoted wordy
    `key=value` (or after such a word), that field and the value it would have with the words joined."""
    found: dict[int, tuple[str, str]] = {}
    current: tuple[str, str] | None = None
    plain = 0
    for word in words:
        key, sep, raw = word.partition("=")
        if sep:
            field = FIELD_BY_ALIAS.get(key.strip().lower())
            quoted = " " in raw  # unquoted, a value never holds a space
            current = (key, raw) if field is not None and field.key in WORDY and not quoted else None
            continue
        if current is not None:
            current = (current[0], f"{current[1]} {word}")
            found[plain] = current
        plain += 1
    return found


def run_on_error(word: str, field: str, whole: str) -> UserError:
    """The question for a word that may belong to the field before it rather than start the free text."""
    return UserError(
        N_(
            "“{value}” follows {field}= and is not a field. If it belongs to {field}, put the whole value in "
            'quotes: {field}="{whole}"; otherwise move it before {field}=.'
        ),
        value=word,
        field=field,
        whole=whole,
    )


def key_values(words: list[str], rules: Rules) -> tuple[list[str], dict[str, Value]]:
    """Separate `key=value` words (checked) from the plain words, keeping the plain words' order."""
    plain: list[str] = []
    values: dict[str, Value] = {}
    for word in words:
        key, sep, raw = word.partition("=")
        if not sep:
            plain.append(word)
            continue
        field = FIELD_BY_ALIAS.get(key.strip().lower())
        if field is None:
            raise UserError(
                N_("Unknown field “{value}”. Fields: {choices}."), value=key, choices=", ".join(FIELD_BY_KEY)
            )
        if not raw.strip():
            raise UserError(N_("Field {field} is empty."), field=field.key)
        values[field.key] = field.parse(raw, rules)
    return plain, values
