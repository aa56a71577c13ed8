"""Parsing record fields typed in chat, and masking personal data: no database, so these run in milliseconds.

The property tests feed the parsers any text and any mix of field keys, aliases, `=` and values: the answer is
always a draft whose every value passes the field checks, or a UserError a person can read, never a crash.
"""

from __future__ import annotations

import re
import string
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.enums import RECORD_PREFIX, RecordKind
from bot.services import masking
from bot.services.errors import UserError
from bot.services.records import book as records
from bot.services.records import fields as rf
from bot.services.team.rules import Rules

RULES = Rules()
ORDER = "123456789012345678"
PROPERTY = settings(max_examples=300, deadline=None)


def refused(parse: object, value: str, rules: Rules = RULES) -> str:
    """The (untranslated) message of the UserError a parser raises for `value`; fails if it accepts it."""
    assert callable(parse)
    with pytest.raises(UserError) as caught:
        parse(value, rules)
    return caught.value.message.format(**caught.value.params)


# ---------------------------------------------------------------------------------------------- order numbers


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (ORDER, ORDER),
        ("123456789012345", "123456789012345"),  # 15: the shortest allowed
        ("12345678901234567890", "12345678901234567890"),  # 20: the longest allowed
        ("1234 5678 9012 3456 78", ORDER),  # pasted with spaces
        ("1234-5678-9012-3456-78", ORDER),  # pasted with dashes
        (" 123456789012345678 ", ORDER),
    ],
)
def test_order_number_accepts_digits_and_drops_spaces_and_dashes(typed: str, stored: str) -> None:
    assert rf.order_number(typed, RULES) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "12345678901234",  # 14 digits
        "123456789012345678901",  # 21 digits
        "",
        "12345678901234567a",
        "１２３４５６７８９０１２３４５６７８",  # full-width digits
        "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦",  # Arabic-Indic digits
        "²³⁴⁵⁶⁷⁸⁹²³⁴⁵⁶⁷⁸",  # superscripts: str.isdigit() says yes
        "12345678901234567.8",
    ],
)
def test_order_number_refuses_wrong_length_and_non_ascii_digits(typed: str) -> None:
    assert "should be 15–20 digits" in refused(rf.order_number, typed)


def test_order_number_bounds_come_from_the_rules() -> None:
    short = Rules(order_min_digits=10, order_max_digits=12)
    assert rf.order_number("123456789012", short) == "123456789012"
    assert "should be 10–12 digits" in refused(rf.order_number, "123456789012345", short)


# ---------------------------------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("12.5", "12.50"),
        ("¥12.5", "12.50"),
        ("￥12", "12.00"),
        ("12元", "12.00"),
        ("12.5CNY", "12.50"),
        (" 3 ", "3.00"),
        ("0.01", "0.01"),
        ("5000", "5000.00"),  # exactly the default maximum
    ],
)
def test_amount_strips_currency_and_keeps_two_decimals(typed: str, stored: str) -> None:
    value = rf.amount(typed, RULES)
    assert isinstance(value, Decimal) and str(value) == stored


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("0", "must be more than 0"),
        ("-1", "must be more than 0"),
        ("¥-3", "must be more than 0"),
        ("12.345", "more than 2 decimals"),
        ("0.001", "more than 2 decimals"),
        ("5000.01", "above the team's maximum of 5000"),
        ("1e3", "is not a number"),  # nobody types money in scientific notation: a slip, not ¥1000
        ("1_000", "is not a number"),
        ("１２", "is not a number"),
        ("abc", "is not a number"),
        ("12,5", "is not a number"),
        ("", "is not a number"),
    ],
)
def test_amount_refusals_say_what_is_wrong(typed: str, problem: str) -> None:
    assert problem in refused(rf.amount, typed)


@pytest.mark.parametrize("typed", ["NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf"])
def test_amount_refuses_nan_and_infinity(typed: str) -> None:
    assert "is not a number" in refused(rf.amount, typed)


def test_amount_maximum_comes_from_the_rules() -> None:
    assert "maximum of 800" in refused(rf.amount, "800.01", Rules(max_amount=Decimal(800)))


# ----------------------------------------------------------------------------------------- carriers, tracking


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("SF", "SF"),
        ("sf", "SF"),
        ("顺丰", "SF"),
        ("申通", "STO"),
        ("中通", "ZTO"),
        ("圆通", "YTO"),
        ("韵达", "YUNDA"),
        ("yd", "YUNDA"),
        ("极兔", "JT"),
        ("J&T", "JT"),
        ("邮政", "EMS"),
        ("中国邮政", "EMS"),
        ("京东", "JD"),
        (" jd ", "JD"),
    ],
)
def test_carrier_by_code_or_chinese_name(typed: str, code: str) -> None:
    assert rf.carrier(typed, RULES) == code


def test_unknown_carrier_is_named() -> None:
    assert refused(rf.carrier, "UPS").startswith("Unknown carrier “UPS”. Carriers: STO 申通, ZTO 中通")


def test_refusals_list_every_choice() -> None:
    assert refused(rf.carrier, "UPS").endswith("EMS 邮政, JD 京东.")
    with pytest.raises(UserError) as caught:
        records.parse(RecordKind.PROBLEM, [ORDER, "lost"], RULES)
    assert caught.value.params["choices"].endswith("presale-overdue 预售超期")
    with pytest.raises(UserError) as caught:
        rf.key_values(["colour=red"], RULES)
    assert caught.value.params["choices"].endswith("origin, last, offer, text")


@pytest.mark.parametrize(
    ("tracking", "code"),
    [
        ("SF1234567890", "SF"),
        ("JD0012345678901", "JD"),
        ("JDVA12345678901", "JD"),
        ("YT1234567890123", "YTO"),
        ("JT0001234567890", "JT"),
        ("EA123456789CN", "EMS"),
        ("773123456789012", None),  # digits only: STO, ZTO, Yunda and others all look like this
        ("1234567890", None),
        ("EA123456789US", None),  # not a Chinese EMS number
    ],
)
def test_carrier_from_number_only_when_unambiguous(tracking: str, code: str | None) -> None:
    assert rf.carrier_from_number(tracking) == code


def test_tracking_number_is_upper_cased_and_checked() -> None:
    assert rf.tracking_number(" sf1234567890 ", RULES) == "SF1234567890"
    for bad in ("SF123", "SF-1234-5678", "A" * 31, "顺丰1234567890"):
        assert "should be 8–30 letters and digits" in refused(rf.tracking_number, bad)


# --------------------------------------------------------------------------------------------- phone, Alipay


@pytest.mark.parametrize(
    "typed", ["13812345678", "138 1234 5678", "138-1234-5678", "+8613812345678", "8613812345678"]
)
def test_phone_accepts_the_ways_people_write_a_mobile(typed: str) -> None:
    assert rf.phone(typed, RULES) == "13812345678"


@pytest.mark.parametrize(
    "typed", ["1381234567", "138123456789", "12812345678", "02112345678", "１３８１２３４５６７８", "phone"]
)
def test_phone_refuses_what_is_not_a_mainland_mobile(typed: str) -> None:
    assert "should be an 11-digit mobile number" in refused(rf.phone, typed)


def test_phone_refuses_non_ascii_digits_mixed_in() -> None:
    refused(rf.phone, "138١٢٣٤٥٦٧٨")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Lee@163.COM", "lee@163.com"),
        (" lee.wang@qq.com ", "lee.wang@qq.com"),
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
    ],
)
def test_alipay_is_an_email_lower_cased_or_a_mobile(typed: str, stored: str) -> None:
    assert rf.alipay(typed, RULES) == stored


@pytest.mark.parametrize("typed", ["lee", "lee@163", "@163.com", "1381234567", "lee @163.com"])
def test_alipay_refuses_anything_else(typed: str) -> None:
    assert "should be an e-mail address or a mobile number" in refused(rf.alipay, typed)


# ----------------------------------------------------------------------------- postage, insurance, weight


@pytest.mark.parametrize(
    ("typed", "payer"),
    [
        ("buyer", "buyer"),
        ("买家", "buyer"),
        ("Shop", "shop"),
        ("卖家", "shop"),
        ("商家", "shop"),
        ("店铺", "shop"),
        ("split", "split"),
        ("各半", "split"),
        ("平摊", "split"),
        ("50:50", "split"),
    ],
)
def test_postage_payer_aliases(typed: str, payer: str) -> None:
    assert rf.postage(typed, RULES) == payer


def test_unknown_postage_payer_lists_the_choices() -> None:
    assert "buyer 买家, shop 卖家, split 各半" in refused(rf.postage, "courier")


@pytest.mark.parametrize(
    ("typed", "insured"),
    [("yes", True), ("Y", True), ("有", True), ("是", True), ("no", False), ("无", False), ("没有", False)],
)
def test_insurance_aliases(typed: str, insured: bool) -> None:
    assert rf.insured(typed, RULES) is insured


def test_insurance_refuses_maybe() -> None:
    assert "should be yes or no (有/无)" in refused(rf.insured, "maybe")


@pytest.mark.parametrize(
    ("typed", "kg"),
    [
        ("1.0", "1.000"),
        ("1.2", "1.200"),
        ("900g", "0.900"),
        ("900 g", "0.900"),
        ("500克", "0.500"),
        ("2斤", "1.000"),
        ("1.5公斤", "1.500"),
        ("1KG", "1.000"),
    ],
)
def test_weight_in_kg_g_and_jin(typed: str, kg: str) -> None:
    value = rf.weight(typed, RULES)
    assert isinstance(value, Decimal) and str(value) == kg


@pytest.mark.parametrize("typed", ["0", "0g", "-1", "abc", "1.2 lb", "1e3", ""])
def test_weight_refusals(typed: str) -> None:
    assert "should be a number of kg" in refused(rf.weight, typed)


def test_weight_too_small_to_store_is_refused() -> None:
    refused(rf.weight, "0.0001g")


def test_absurd_weight_is_refused_not_a_crash() -> None:
    refused(rf.weight, "9" * 26)


# --------------------------------------------------------------------------------------------------- offers


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("gift", "gift"),
        ("小礼物", "gift"),
        ("礼物", "gift"),
        ("包邮", "free-postage"),
        ("free-postage", "free-postage"),
        ("退货", "return"),
        ("refund:5", "refund:5.00"),
        ("REFUND:5", "refund:5.00"),
        ("退款:5.5", "refund:5.50"),
        ("退款：5.5", "refund:5.50"),  # full-width colon
        ("refund:¥3", "refund:3.00"),
    ],
)
def test_offers(typed: str, stored: str) -> None:
    assert rf.offer(typed, RULES) == stored


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("coupon", "Offer “coupon” is unknown"),
        ("refund:", "Offer “refund:” is unknown"),
        ("refund:abc", "is not a number"),
        ("refund:0", "must be more than 0"),
        ("退款:5.555", "more than 2 decimals"),
        ("refund:9999", "above the team's maximum"),
    ],
)
def test_bad_offers(typed: str, problem: str) -> None:
    assert problem in refused(rf.offer, typed)


# ------------------------------------------------------------------------------------------ words, key=value


def test_split_words_honours_quotes_and_full_width_equals() -> None:
    assert rf.split_words('R-1 name="张 三" 金额＝12') == ["R-1", "name=张 三", "金额=12"]
    assert rf.split_words("原因=“杯子 碎了” x") == ["原因=杯子 碎了", "x"]
    assert rf.split_words("  a   b ") == ["a", "b"]
    assert rf.split_words("") == []


@pytest.mark.parametrize("typed", ['name="张 三', "reason=“碎了", 'a "b c'])
def test_unclosed_quote_is_a_user_error(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        rf.split_words(typed)
    assert caught.value.message == "A quote is not closed."


def test_an_apostrophe_is_just_a_letter() -> None:
    assert rf.split_words("buyer's cup broke") == ["buyer's", "cup", "broke"]


def test_key_values_with_english_and_chinese_keys() -> None:
    words = rf.split_words('金额＝12.5 实名="张 三" 旺旺=tb_lee Phone=138-1234-5678 运费=卖家 just words')
    plain, values = rf.key_values(words, RULES)
    assert plain == ["just", "words"]
    assert values == {
        "amount": Decimal("12.50"),
        "name": "张 三",
        "buyer": "tb_lee",
        "phone": "13812345678",
        "postage": "shop",
    }


def test_key_values_refuses_unknown_and_empty_fields() -> None:
    with pytest.raises(UserError) as caught:
        rf.key_values(["colour=red"], RULES)
    assert (
        caught.value.params["value"] == "colour" and "order, amount, buyer" in caught.value.params["choices"]
    )
    with pytest.raises(UserError) as caught:
        rf.key_values(["金额=  "], RULES)
    assert caught.value.params == {"field": "amount"}
    with pytest.raises(UserError):
        rf.key_values(["amount=abc"], RULES)


# ---------------------------------------------------------------------------------------- whole commands


def test_refund_words_become_a_draft() -> None:
    words = rf.split_words(f"{ORDER} ¥12.5 杯子 破损 buyer=tb_lee 支付宝=Lee@163.com 运费=各半")
    draft = records.parse(RecordKind.REFUND, words, RULES)
    assert draft.values == {
        "order": ORDER,
        "amount": Decimal("12.50"),
        "reason": "杯子 破损",
        "buyer": "tb_lee",
        "alipay": "lee@163.com",
        "postage": "split",
    }
    assert draft.subkind is None and draft.photo is None


def test_courier_detects_the_carrier_or_asks_for_it() -> None:
    draft = records.parse(RecordKind.COURIER, ["sf1234567890", "超时"], RULES)
    assert draft.values == {"tracking": "SF1234567890", "carrier": "SF"} and draft.subkind == "overdue"
    with pytest.raises(UserError) as caught:
        records.parse(RecordKind.COURIER, ["773123456789012", "overdue"], RULES)
    assert "Which carrier?" in caught.value.message
    draft = records.parse(RecordKind.COURIER, ["773123456789012", "overdue", "快递=中通"], RULES)
    assert draft.values["carrier"] == "ZTO"


def test_courier_kinds_that_need_more_fields() -> None:
    with pytest.raises(UserError) as caught:
        records.parse(RecordKind.COURIER, ["SF1234567890", "改地址", "原地址=上海"], RULES)
    assert caught.value.params == {"field": "to= (新地址=)"}
    with pytest.raises(UserError) as caught:
        records.parse(RecordKind.COURIER, ["SF1234567890", "称重", "始发=1.0"], RULES)
    assert caught.value.params == {"field": "last= (末站=)"}
    draft = records.parse(RecordKind.COURIER, ["SF1234567890", "weigh", "origin=1.0", "末站=900g"], RULES)
    assert draft.values["origin"] == Decimal("1.000") and draft.values["last"] == Decimal("0.900")


@pytest.mark.parametrize(
    ("kind", "words", "missing"),
    [
        (RecordKind.REFUND, [ORDER], "amount= (金额=)"),
        (RecordKind.COMPLAINT, [ORDER, "破损"], "text= (说明=)"),
        (RecordKind.REVIEW, [ORDER], "buyer= (旺旺=)"),
    ],
)
def test_missing_required_field_is_named_with_its_chinese_key(
    kind: RecordKind, words: list[str], missing: str
) -> None:
    with pytest.raises(UserError) as caught:
        records.parse(kind, words, RULES)
    assert caught.value.message == "Missing field: {field}." and caught.value.params == {"field": missing}


@pytest.mark.parametrize(
    ("kind", "words"), [(RecordKind.PROBLEM, [ORDER]), (RecordKind.REVIEW, [ORDER, "tb_lee"])]
)
def test_missing_kind_lists_the_kinds(kind: RecordKind, words: list[str]) -> None:
    with pytest.raises(UserError) as caught:
        records.parse(kind, words, RULES)
    assert caught.value.message == "Which kind? Kinds: {choices}."
    assert caught.value.params["choices"] == rf.subkind_list(kind)


def test_unknown_kind_lists_the_kinds_of_that_command() -> None:
    with pytest.raises(UserError) as caught:
        records.parse(RecordKind.COMPLAINT, [ORDER, "broken", "cup"], RULES)
    assert (
        "damaged 破损" in caught.value.params["choices"] and "late 发货慢" in caught.value.params["choices"]
    )


def test_complaint_and_review_in_chinese() -> None:
    draft = records.parse(RecordKind.COMPLAINT, [ORDER, "漏发", "少了", "一个", "补偿=退款:5"], RULES)
    assert draft.subkind == "missing" and draft.values["text"] == "少了 一个"
    assert draft.values["offer"] == "refund:5.00"
    draft = records.parse(RecordKind.REVIEW, [ORDER, "tb_lee", "中评"], RULES)
    assert draft.subkind == "medium" and draft.values["buyer"] == "tb_lee"


def test_a_field_given_by_key_does_not_swallow_the_next_plain_word() -> None:
    draft = records.parse(RecordKind.REFUND, [f"order={ORDER}", "12.5", "破损"], RULES)
    assert draft.values == {"order": ORDER, "amount": Decimal("12.50"), "reason": "破损"}


@pytest.mark.parametrize(
    ("typed", "kind", "number"),
    [("R-12", RecordKind.REFUND, 12), ("r12", RecordKind.REFUND, 12), (" K-3 ", RecordKind.COURIER, 3)],
)
def test_short_ids(typed: str, kind: RecordKind, number: int) -> None:
    assert records.parse_short_id(typed) == (kind, number)


@pytest.mark.parametrize("typed", ["X-1", "R-", "R--1", "12", "R-1234567890", "RR-1", ""])
def test_bad_short_ids(typed: str) -> None:
    with pytest.raises(UserError):
        records.parse_short_id(typed)


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("refund", RecordKind.REFUND),
        ("退款", RecordKind.REFUND),
        ("K", RecordKind.COURIER),
        ("查件", RecordKind.COURIER),
        ("投诉单", RecordKind.COMPLAINT),
        ("问题", RecordKind.PROBLEM),
        ("差评", RecordKind.REVIEW),
    ],
)
def test_record_kinds_by_name(typed: str, kind: RecordKind) -> None:
    assert records.parse_kind(typed) == kind


def test_unknown_record_kind_lists_the_kinds() -> None:
    with pytest.raises(UserError) as caught:
        records.parse_kind("sales")
    assert caught.value.params["choices"] == "refund, courier, complaint, problem, review"


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("refunds", RecordKind.REFUND),
        ("退款单", RecordKind.REFUND),
        ("courier queries", RecordKind.COURIER),
        ("parcels", RecordKind.COURIER),
        ("投诉记录", RecordKind.COMPLAINT),
        ("issues", RecordKind.PROBLEM),
        ("Negative Reviews", RecordKind.REVIEW),
    ],
)
def test_kinds_are_read_in_plural_and_by_their_other_names(typed: str, kind: RecordKind) -> None:
    assert records.parse_kind(typed) == kind


# ---------------------------------------------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("value", "masked"), [("张三", "张*"), ("张", "张*"), ("欧阳娜娜", "欧***"), ("Lee", "L**")]
)
def test_mask_name_keeps_the_family_name(value: str, masked: str) -> None:
    assert masking.name(value) == masked


def test_mask_phone_keeps_first_three_and_last_four() -> None:
    assert masking.phone("13812345678") == "138****5678"
    assert masking.phone("021-5555-1234") == "*********1234"
    assert masking.phone("123") == "****"


def test_mask_account() -> None:
    assert masking.account("abc@163.com") == "a***@163.com"
    assert masking.account("lee.wang@qq.com") == "l***@qq.com"
    assert masking.account("13812345678") == "138****5678"


def test_mask_address_keeps_the_region_only() -> None:
    assert masking.address("浙江省杭州市西湖区文三路100号") == "浙江省杭州市****"
    assert masking.address("北京市") == "北京****"
    street = "上海市浦东新区世纪大道1号"
    assert masking.MASKS["from"](street) == masking.MASKS["to"](street) == masking.address(street)


# --------------------------------------------------------------------------------------- property tests

SUBKIND_WORDS = sorted({alias for table in rf.SUBKINDS.values() for alias in table})
WEIGHT_KEYS = {alias for alias, spec in rf.FIELD_BY_ALIAS.items() if spec.key in {"origin", "last"}}
PHONE_KEYS = {alias for alias, spec in rf.FIELD_BY_ALIAS.items() if spec.key in {"phone", "alipay"}}
ASCII_PHONE = re.compile(r"1[3-9][0-9]{9}")
ASCII_TRACKING = re.compile(r"[A-Z0-9]{8,30}")
ASCII_ORDER = re.compile(r"[0-9]+")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
CARRIER_CODES = set(rf.CARRIERS.values())
DIGITS = "0123456789０１２３４５６７８９٠١٢٣٤٥٦٧٨٩²"
WEIGHT_FACTORS = {"": Decimal(1), "kg": Decimal(1), "公斤": Decimal(1), "千克": Decimal(1)}
WEIGHT_FACTORS |= {"g": Decimal("0.001"), "克": Decimal("0.001"), "斤": Decimal("0.5")}
WEIGHT_TEXT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(kg|g|公斤|千克|克|斤)?\s*", re.IGNORECASE)


def digit_strings(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Digits, mostly ASCII, now and then full-width or Arabic-Indic as some keyboards type them."""
    return st.lists(st.sampled_from("0123456789" * 4 + "５٣²"), min_size=min_size, max_size=max_size).map(
        "".join
    )


numbers = st.builds(
    lambda whole, fraction, unit: f"{whole}{fraction}{unit}",
    st.one_of(digit_strings(1, 4), digit_strings(1, 30)),
    st.one_of(st.just(""), digit_strings(0, 5).map(lambda digits: f".{digits}")),
    st.sampled_from(["", "g", "kg", "斤", "克", "元", "CNY"]),
)
mobiles = st.builds(
    lambda prefix, second, rest: f"{prefix}1{second}{rest}",
    st.sampled_from(["", "+86", "86"]),
    st.sampled_from("3456789"),
    digit_strings(9, 9),
)
values = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=DIGITS + " -.+e¥元g斤kg", max_size=32),
    numbers,
    mobiles,
    st.sampled_from(
        [
            ORDER,
            "12.5",
            "¥3",
            "1e3",
            "1E-2",
            "0",
            "-1",
            "NaN",
            "Infinity",
            "12.345",
            "5000.01",
            "SF1234567890",
            "773123456789012",
            "EA123456789CN",
            "13812345678",
            "+86 138 1234 5678",
            "Lee@163.COM",
            "900g",
            "2斤",
            "1.0",
            "refund:5",
            "退款:abc",
            "gift",
            "包邮",
            "有",
            "无",
            "卖家",
            "各半",
            "顺丰",
            "x" * 501,
            *SUBKIND_WORDS,
        ]
    ),
)
FIELD_VALUES: dict[str, st.SearchStrategy[str]] = {
    "order": st.text(alphabet=DIGITS + " -", min_size=12, max_size=24),
    "amount": numbers,
    "phone": mobiles,
    "alipay": st.one_of(mobiles, st.emails()),
    "origin": numbers,
    "last": numbers,
    "offer": st.builds(
        lambda word, amount: f"{word}{amount}", st.sampled_from(["refund:", "退款：", "退款:"]), numbers
    ),
    "tracking": st.text(alphabet=string.ascii_letters + string.digits + "ßﬀ", min_size=6, max_size=32),
}


def field_value(key: str) -> st.SearchStrategy[str]:
    """Values typed for one field: shaped like that field's values, or anything at all."""
    return st.one_of(FIELD_VALUES.get(key, values), values)


keyed = st.sampled_from(rf.FIELDS).flatmap(
    lambda spec: st.builds(
        lambda alias, value: f"{alias}={value}",
        st.sampled_from((spec.key, *spec.aliases)),
        field_value(spec.key),
    )
)
odd_keys = st.one_of(st.text(max_size=6), st.sampled_from(["", " ", "ORDER", "金额 ", "=", "Phone"]))
oddly_keyed = st.builds(
    lambda key, sep, value: f"{key}{sep}{value}", odd_keys, st.sampled_from(["=", "＝", "=="]), values
)
words = st.lists(st.one_of(keyed, values, oddly_keyed), max_size=8)
fields_after_start = st.lists(st.one_of(keyed, keyed, values), max_size=4)


def check_amount(value: object, rules: Rules) -> None:
    """What finance needs: a positive Decimal in CNY, at most 2 decimals, under the team's maximum."""
    assert isinstance(value, Decimal) and value.is_finite()
    assert 0 < value <= rules.max_amount
    assert value.as_tuple().exponent == -2  # always stored with exactly 2 decimals


def check_draft(kind: RecordKind, draft: records.Draft, rules: Rules) -> None:
    """Every value in a draft is one the field's checks allow, and the command's required fields are there."""
    assert draft.kind == kind and draft.photo is None
    values = draft.values
    assert set(values) <= set(rf.FIELD_BY_KEY)
    for name in records.REQUIRED[kind]:
        assert draft.subkind is not None if name == "subkind" else name in values
    if kind in rf.SUBKINDS:
        assert draft.subkind in set(rf.SUBKINDS[kind].values())
        for name in records.SUBKIND_REQUIRES.get(draft.subkind or "", ()):
            assert name in values
    else:
        assert draft.subkind is None
    for key, value in values.items():
        check_value(key, value, rules)


def check_value(key: str, value: object, rules: Rules) -> None:
    """One stored value is what its field allows."""
    if key == "order":
        assert isinstance(value, str) and ASCII_ORDER.fullmatch(value)
        assert rules.order_min_digits <= len(value) <= rules.order_max_digits
    elif key == "amount":
        check_amount(value, rules)
    elif key == "tracking":
        assert isinstance(value, str) and ASCII_TRACKING.fullmatch(value)
    elif key == "carrier":
        assert value in CARRIER_CODES
    elif key == "phone":
        assert isinstance(value, str) and ASCII_PHONE.fullmatch(value)
    elif key == "alipay":
        assert isinstance(value, str)
        assert ASCII_PHONE.fullmatch(value) or (EMAIL.fullmatch(value) and value == value.lower())
    elif key == "postage":
        assert value in {"buyer", "shop", "split"}
    elif key == "insured":
        assert isinstance(value, bool)
    elif key in {"origin", "last"}:
        assert isinstance(value, Decimal) and value.is_finite() and value > 0
        assert value.as_tuple().exponent == -3
    elif key == "offer":
        assert isinstance(value, str)
        if value.startswith("refund:"):
            check_amount(Decimal(value.removeprefix("refund:")), rules)
        else:
            assert value in {"gift", "free-postage", "return"}
    else:  # free text: buyer, name, address, reason, from, to, text
        assert isinstance(value, str) and 1 <= len(value) <= 500
        assert value == " ".join(value.split())


def parse_or_refuse(kind: RecordKind, typed: list[str]) -> None:
    """The property: a valid draft or a UserError, nothing else."""
    try:
        draft = records.parse(kind, typed, RULES)
    except UserError as error:
        assert isinstance(error.message, str) and error.message
        error.message.format(**error.params)  # the message and its parameters fit together
        return
    check_draft(kind, draft, RULES)


@PROPERTY
@given(data=st.data())
def test_every_checked_field_gives_a_valid_value_or_a_user_error(data: st.DataObject) -> None:
    """Each field with a shape of its own, fed values of roughly that shape (and anything else)."""
    for key in FIELD_VALUES:
        raw = data.draw(field_value(key), label=key)
        try:
            value = rf.FIELD_BY_KEY[key].parse(raw, RULES)
        except UserError as error:
            error.message.format(**error.params)
            continue
        check_value(key, value, RULES)


@PROPERTY
@given(typed=words)
def test_any_words_give_a_valid_draft_or_a_user_error(typed: list[str]) -> None:
    for kind in RecordKind:
        parse_or_refuse(kind, typed)


@PROPERTY
@given(text=st.text(max_size=80))
def test_any_typed_text_gives_a_valid_draft_or_a_user_error(text: str) -> None:
    try:
        typed = rf.split_words(text)
    except UserError:
        return
    for kind in RecordKind:
        parse_or_refuse(kind, typed)


def plausible_start(kind: RecordKind, sub: str) -> list[str]:
    """The first words of a command of this kind, with a kind word drawn from all kinds."""
    return {
        RecordKind.REFUND: [ORDER, "12.5"],
        RecordKind.COURIER: ["SF1234567890", sub],
        RecordKind.COMPLAINT: [ORDER, sub, "broken"],
        RecordKind.PROBLEM: [ORDER, sub],
        RecordKind.REVIEW: [ORDER, "tb_lee", sub],
    }[kind]


@PROPERTY
@given(sub=st.sampled_from(SUBKIND_WORDS), rest=fields_after_start)
def test_plausible_commands_give_a_valid_draft_or_a_user_error(sub: str, rest: list[str]) -> None:
    """Commands that get past the first words, so the later fields are really exercised."""
    for kind in RecordKind:
        typed = [*plausible_start(kind, sub), *rest]
        parse_or_refuse(kind, typed)


@PROPERTY
@given(text=st.text())
def test_split_words_returns_words_or_a_user_error(text: str) -> None:
    try:
        typed = rf.split_words(text)
    except UserError as error:
        assert error.message == "A quote is not closed."
        return
    assert isinstance(typed, list) and all(isinstance(word, str) for word in typed)
    assert not any(mark in word for word in typed for mark in "＝“”")


@PROPERTY
@given(
    typed=st.lists(
        st.text(
            alphabet=st.characters(blacklist_characters="\"'“”\\", blacklist_categories=("Z", "C")),
            min_size=1,
        ),
        max_size=6,
    )
)
def test_split_words_gives_back_plain_words_unchanged(typed: list[str]) -> None:
    assert rf.split_words(" ".join(typed)) == [word.replace("＝", "=") for word in typed]


@PROPERTY
@given(
    text=st.one_of(
        st.text(),
        st.builds(
            lambda prefix, dash, number: f"{prefix}{dash}{number}",
            st.sampled_from([*RECORD_PREFIX.values(), "r", "k", "X", "Ｒ"]),
            st.sampled_from(["", "-", "--", " "]),
            st.text(alphabet=DIGITS, max_size=11),
        ),
    )
)
def test_parse_short_id_returns_a_kind_and_number_or_a_user_error(text: str) -> None:
    try:
        kind, number = records.parse_short_id(text)
    except UserError as error:
        echoed = error.params["value"]  # long input is echoed shortened, with a trailing …
        assert echoed == text or (echoed.endswith("…") and text.startswith(echoed[:-1]))
        return
    assert isinstance(kind, RecordKind) and isinstance(number, int) and 0 <= number < 10**9
    assert text.strip()[:1].upper() == RECORD_PREFIX[kind]


def test_the_property_checks_accept_good_drafts() -> None:
    """The checks above are not so strict that only refusals could pass the properties."""
    samples = {
        RecordKind.REFUND: [ORDER, "12.5", "phone=13812345678", "alipay=Lee@163.com", "offer=退款:5"],
        RecordKind.COURIER: ["SF1234567890", "weigh", "origin=1.0", "last=900g", "insured=有"],
        RecordKind.COMPLAINT: [ORDER, "damaged", "broken", "postage=各半"],
        RecordKind.PROBLEM: [ORDER, "缺货"],
        RecordKind.REVIEW: [ORDER, "tb_lee", "差评"],
    }
    for kind, typed in samples.items():
        check_draft(kind, records.parse(kind, typed, RULES), RULES)
