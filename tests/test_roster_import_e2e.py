"""The roster as a spreadsheet: the xlsx template opened with openpyxl, imports all or nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.fakeapi.driver import handled
from bot.models import AuditEntry, RosterShift
from tests.harness import ALICE, BOB, CAROL, TEAM, Harness
from tests.shop_clock import agents, workbook


async def team_of(bot: Harness) -> None:
    """Bob and Carol have roles (so the template lists them) and Bob already works on 12-01."""
    await agents(bot)
    await bot.say(ALICE, "/roster set @bob 12-01 night")


async def shifts_of(person: int) -> list[str]:
    """A person's roster as `MM-DD name`."""
    entries = await RosterShift.filter(person_id=person).prefetch_related("shift_type").order_by("day", "id")
    return [f"{entry.day:%m-%d} {entry.shift_type.name}" for entry in entries]


async def test_template_lists_the_team_and_the_month_prefilled(bot: Harness, clock: Any) -> None:
    await team_of(bot)
    sent = await bot.send(ALICE, "/roster template")
    assert "Send the file back with /roster import as its caption" in sent[-1]["caption"]
    upload = bot.api.calls_to("sendDocument")[-1].params["document"]
    assert upload["filename"] == "roster-2026-12.xlsx"
    sheet = load_workbook(io.BytesIO(upload["content"])).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["person", "2026-12-01", "2026-12-02"] and rows[0][-1] == "2026-12-31"
    assert [row[0] for row in rows[1:]] == ["@alice", "@bob", "@carol"]
    assert rows[2][1] == "night" and not rows[2][2]


async def test_import_of_a_filled_file(bot: Harness, clock: Any) -> None:
    await team_of(bot)
    data = workbook(
        [
            ["person", "2026-12-01", "2026-12-02", "2026-12-03"],
            ["@bob", "day", "白班", "休"],
            ["@carol", "晚班", "", "day+night"],
        ]
    )
    reply = await bot.say(ALICE, None, document=("roster.xlsx", data), caption="/roster import")
    assert "✅ Roster imported: 5 days for 2 people." in reply
    assert await shifts_of(BOB) == ["12-01 day", "12-02 day"]  # the night on 12-01 was replaced
    assert await shifts_of(CAROL) == ["12-01 night", "12-03 day", "12-03 night"]
    entry = await AuditEntry.get(action="roster.import")
    assert entry.actor_id == ALICE and entry.after == {
        "@bob": {"2026-12-01": ["day"], "2026-12-02": ["day"], "2026-12-03": []},
        "@carol": {"2026-12-01": ["night"], "2026-12-03": ["day", "night"]},
    }
    assert "D" in await bot.say(ALICE, "/roster week 12-01")


async def test_csv_reply_with_the_command(bot: Harness, clock: Any) -> None:
    await team_of(bot)
    data = "人员,2026-12-05\n@carol,白班\n".encode("gb18030")
    update = bot.api.message(TEAM, ALICE, document=("排班.csv", data), caption="roster for december")
    await handled(bot.api, bot.app, update)
    reply = await bot.say(ALICE, "/roster import", reply_to=update["message"]["message_id"])
    assert "✅ Roster imported: 1 day for 1 person." in reply


async def test_a_file_with_bad_rows_imports_nothing(bot: Harness, clock: Any) -> None:
    await team_of(bot)
    data = workbook(
        [
            ["person", "2026-12-01", "2026-12-02"],
            ["@bob", "day", "day"],
            ["@nobody", "day", ""],
            [None, None, None],
            ["@carol", "evening", ""],
            ["@bob", "night", ""],
        ]
    )
    reply = await bot.say(ALICE, None, document=("roster.xlsx", data), caption="/roster import")
    assert "Nothing was changed. Fix these rows and send the file again:" in reply
    assert "• row 3: I haven't seen @nobody yet" in reply
    assert "• row 5: Tue 1 Dec: Unknown shift “evening”. Shifts: day, night." in reply
    assert "• row 6: @bob has two rows: keep one." in reply
    assert "row 2" not in reply
    assert await shifts_of(BOB) == ["12-01 night"]
    assert not await AuditEntry.exists(action="roster.import")


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("roster.txt", b"x", "must be an .xlsx or .csv file"),
        ("roster.xlsx", b"not a workbook", "could not open that file"),
        ("roster.csv", b"person,someday\n@bob,day\n", "row 1: “someday” is not a date"),
        ("roster.csv", b"person,2026-12-01\n", "no roster rows"),
    ],
)
async def test_unreadable_files_are_explained(
    bot: Harness, clock: Any, name: str, content: bytes, problem: str
) -> None:
    await team_of(bot)
    reply = await bot.say(ALICE, None, document=(name, content), caption="/roster import")
    assert problem in reply
    assert await shifts_of(BOB) == ["12-01 night"]


async def test_only_supervisors_import(bot: Harness, clock: Any) -> None:
    await team_of(bot)
    data = workbook([["person", "2026-12-01"], ["@bob", "day"]])
    assert "needs the role" in await bot.say(
        BOB, None, document=("roster.xlsx", data), caption="/roster import"
    )
    assert "needs the role" in await bot.say(BOB, "/roster template")
    assert "Send the filled roster file" in await bot.say(ALICE, "/roster import")


async def test_chinese_template_header(bot: Harness, clock: Any) -> None:
    await team_of(bot)
    await bot.say(ALICE, "/lang zh")
    await bot.send(ALICE, "/roster 模板 2026-12")
    upload = bot.api.calls_to("sendDocument")[-1].params["document"]
    sheet = load_workbook(io.BytesIO(upload["content"])).worksheets[0]
    assert next(sheet.iter_rows(values_only=True))[0] == "人员"
