"""Stored text carries no bidirectional overrides or control characters, whichever command typed it, so a
buyer id cannot be made to read differently on a card, a list or an export (display spoofing)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.models import Record
from bot.services.broadcasts import announcements as broadcasts
from bot.services.clean import clean
from bot.services.digests import finance_answers
from bot.services.records import fields as rf
from bot.services.scheduling import watches
from bot.services.shifts import handover
from bot.services.team.rules import Rules
from bot.services.when import read_schedule
from tests.harness import ALICE, Harness

RLO, PDF, LRI, PDI, RLM, ALM = "\u202e", "\u202c", "\u2066", "\u2069", "\u200f", "\u061c"
ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (f"tb_{RLO}eel{PDF}", "tb_eel"),
        (f"{LRI}tb_lee{PDI}{RLM}{ALM}\u200e\u202a\u202b\u202d", "tb_lee"),
        ("tb\x00_\x07lee\x1b[31m\x7f\x85\x9f", "tb_lee[31m"),
        ("张三\tis\nhere\r\n", "张三 is here  "),
        ("👩\u200d👩\u200d👧 家庭 ｜ ok", "👩\u200d👩\u200d👧 家庭 ｜ ok"),  # emoji joiners and Chinese stay
    ],
)
def test_controls_go_and_everything_else_stays(typed: str, stored: str) -> None:
    assert clean(typed) == stored


def test_multi_line_text_keeps_its_line_breaks() -> None:
    assert clean(f"line 1\r\nline{RLO} 2\rline 3\n\x07end", multiline=True) == "line 1\nline 2\nline 3\nend"


def test_every_stored_text_is_cleaned() -> None:
    _, values = rf.key_values([f"buyer=tb_{RLO}eel", f"reason=bad{LRI} cup", "name=张\x1b三"], Rules())
    assert values == {"buyer": "tb_eel", "reason": "bad cup", "name": "张三"}
    draft = handover.parse(f"#call tb_{RLO}lee refund{PDF} before 10:00")
    assert (draft.call_buyer, draft.text) == ("tb_lee", "refund before 10:00")
    request = broadcasts.parse(f"Team{RLO} meeting\r\nbring\x07 cups", None, NOW, ZONE)
    assert request.body == "Team meeting\nbring cups"
    assert read_schedule(f"at 14:30 take the{RLO} dresses down", NOW, ZONE).text == ("take the dresses down")
    promise = watches.read_promise(["123456789012345678", f"blue{LRI}", "dress"], Rules(), date(2026, 12, 1))
    assert promise.note == "blue dress"
    assert finance_answers.parse_answer(f"驳回：支付宝{RLO}不对") == ("rejected", "支付宝不对")


async def test_a_buyer_id_with_an_override_is_stored_and_shown_without_it(bot: Harness) -> None:
    reply = await bot.say(ALICE, f"/refund 123456789012345678 12.5 damaged buyer=tb_{RLO}eel{PDF}")
    assert "buyer: tb_eel" in reply and RLO not in reply
    record = await Record.get(number=1)
    assert record.buyer == "tb_eel"
