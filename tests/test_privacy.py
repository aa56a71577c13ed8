"""Customer data as a service: masking free text, deep links (bounded, expiring, personal), erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.models import DeepLink
from bot.render import deeplink
from bot.services import deeplinks, masking
from bot.services.errors import UserError
from bot.services.records.erasure import Scrubber, personal_values

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_phones_and_email_addresses_inside_free_text_are_masked() -> None:
    said = "rang from 13812345678 and +86 139-1234-5678, pays to Lee.W@163.com; order 123456789012345678"
    assert masking.in_text(said) == (
        "rang from 138****5678 and 139****5678, pays to L***@163.com; order 123456789012345678"
    )
    assert masking.in_text("tracking SF1234567890, 2 parcels") == "tracking SF1234567890, 2 parcels"


def test_the_erasure_marker_is_never_masked() -> None:
    for mask in masking.MASKS.values():
        assert mask(masking.ERASED) == masking.ERASED
    assert masking.MASKS["name"]("王小明") == "王**"


def test_erasure_replaces_personal_keys_and_values_in_free_text_and_keeps_the_rest() -> None:
    snapshot = {
        "status": "new",
        "order": "123456789012345678",
        "amount": "12.50",
        "buyer": "tb_wang",
        "name": "王小明",
        "phone": "13900001111",
        "reason": "王小明 says TB_WANG never got it",
        "photos": ["AgACtb_wangXYZ"],
        "repeat_of": ["R-1"],
    }
    scrub = Scrubber(personal_values(snapshot))
    erased = scrub.payload(snapshot, owned=True)
    assert erased == {
        "status": "new",
        "order": "123456789012345678",
        "amount": "12.50",
        "buyer": "⟨erased⟩",
        "name": "⟨erased⟩",
        "phone": "⟨erased⟩",
        "reason": "⟨erased⟩ says ⟨erased⟩ never got it",
        "photos": ["AgACtb_wangXYZ"],  # a photo's file id is not text about the buyer
        "repeat_of": ["R-1"],
    }
    mention = {"text": "call tb_wang at 10:00", "call": "tb_wang", "urgent": True}
    assert scrub.payload(mention, owned=False) == {
        "text": "call ⟨erased⟩ at 10:00",
        "call": "⟨erased⟩",
        "urgent": True,
    }


def test_a_one_letter_value_is_not_looked_for_inside_text() -> None:
    assert Scrubber({"李"}).text("李雷 and 李四") == "李雷 and 李四"


def test_a_start_payload_names_its_kind_and_carries_only_a_token() -> None:
    assert deeplink.parse("form-AbCdEf123_-xyz0") == deeplink.Payload("form", "AbCdEf123_-xyz0")
    for bad in ("", "form", "form-short", "FORM-AbCdEf123456", "form-AbCdEf12345!", "x" * 70):
        assert deeplink.parse(bad) is None, bad


@pytest.mark.usefixtures("database")
async def test_a_deep_link_opens_for_its_person_once_until_it_expires() -> None:
    token = await deeplinks.create("form", "-1001001", 101, now=NOW)
    assert 12 <= len(token) <= 24
    with pytest.raises(UserError, match="someone else"):
        await deeplinks.take(token, "form", 102, now=NOW)
    with pytest.raises(UserError, match="expired"):
        await deeplinks.take(token, "export", 101, now=NOW)  # a token of another kind is no link of this one
    link = await deeplinks.take(token, "form", 101, now=NOW)
    assert link == deeplinks.Link("form", "-1001001", 101)
    with pytest.raises(UserError, match="already used"):
        await deeplinks.take(token, "form", 101, now=NOW)
    kept = await deeplinks.create("record", "R-1", 101, now=NOW, ttl=timedelta(minutes=5))
    assert (await deeplinks.take(kept, "record", 101, now=NOW, once=False)).ref == "R-1"
    assert (
        await deeplinks.take(kept, "record", 101, now=NOW + timedelta(minutes=4), once=False)
    ).ref == "R-1"
    with pytest.raises(UserError, match="expired"):
        await deeplinks.take(kept, "record", 101, now=NOW + timedelta(minutes=5))


@pytest.mark.usefixtures("database")
async def test_deep_links_are_bounded_per_person_and_expired_ones_are_dropped() -> None:
    tokens = [
        await deeplinks.create("form", str(n), 101, now=NOW + timedelta(seconds=n))
        for n in range(deeplinks.MAX_PER_PERSON + 5)
    ]
    await deeplinks.create("form", "other", 102, now=NOW)
    assert await DeepLink.filter(user_id=101).count() == deeplinks.MAX_PER_PERSON
    with pytest.raises(UserError):
        await deeplinks.take(tokens[0], "form", 101, now=NOW)  # the oldest went first
    assert (await deeplinks.take(tokens[-1], "form", 101, now=NOW, once=False)).ref == str(len(tokens) - 1)
    await deeplinks.create("form", "later", 103, now=NOW + deeplinks.DEFAULT_TTL + timedelta(minutes=1))
    assert await DeepLink.filter(user_id__in=[101, 102]).count() == 0
