"""The offline shell as people use it: everything the bot sends, to any chat, shows up; toasts and
alerts; files in and out; its clock runs a day in seconds; the database survives runs and `:restart`;
the demos replay."""

from __future__ import annotations

import ast
import contextlib
import csv
import os
import select
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.enums import Role
from bot.services.team.catalog import COMMANDS, visible_to
from bot.shell.clock import moment
from bot.shell.session import HELP
from tests.shop_clock import FINANCE_COLUMNS
from tests.test_cli import ROOT, TIMEOUT, clean_env, run_bot

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO = ROOT / "docs" / "demo"
SLOW = 120
"""Seconds a whole demo may take on a loaded machine (it takes about eight on an idle one)."""


def shell(cwd: Path, script: str, *args: str) -> str:
    """Run `python -m bot shell ARGS < script` and return its transcript, checking that it ran cleanly."""
    result = run_bot(cwd, "shell", *args, stdin=script, timeout=SLOW)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result.stdout


def in_order(transcript: str, *blocks: str) -> None:
    """Each block appears in the transcript, after the one before."""
    position = 0
    for block in blocks:
        found = transcript.find(block, position)
        assert found >= 0, f"missing (in order) {block!r} in transcript:\n{transcript}"
        position = found + len(block)


def after(transcript: str, typed: str) -> list[str]:
    """The lines the shell printed in answer to one typed line (up to the next prompt)."""
    lines = transcript.splitlines()
    start = lines.index(typed) + 1
    end = next((i for i in range(start, len(lines)) if "> " in lines[i] and "@" in lines[i]), len(lines))
    return lines[start:end]


# ---------------------------------------------------------------- the clock


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+2h", datetime(2026, 11, 23, 12, 15)),
        ("+30m", datetime(2026, 11, 23, 10, 45)),
        ("+1d2h30m", datetime(2026, 11, 24, 12, 45)),
        ("+90s", datetime(2026, 11, 23, 10, 16, 30)),
        ("18:00", datetime(2026, 11, 23, 18, 0)),
        ("9:30", datetime(2026, 11, 24, 9, 30)),  # already past today: tomorrow's
        ("10:15", datetime(2026, 11, 24, 10, 15)),  # now is not "next"
        ("2026-11-20 08:00", datetime(2026, 11, 20, 8, 0)),  # a date may lie behind
        ("2026-12-01", datetime(2026, 12, 1, 0, 0)),
    ],
)
def test_clock_reads_steps_times_of_day_and_dates(typed: str, expected: datetime) -> None:
    now = datetime(2026, 11, 23, 10, 15, tzinfo=SHANGHAI)
    assert moment(typed, now) == expected.replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize("typed", ["2h", "+", "+2x", "25:00", "12:60", "2026-02-30 09:00", "tomorrow"])
def test_clock_refuses_what_it_cannot_read(typed: str) -> None:
    with pytest.raises(ValueError, match=r"cannot read|no such"):
        moment(typed, datetime(2026, 11, 23, 10, 15, tzinfo=SHANGHAI))


def test_time_machine_is_used_by_the_shell_only() -> None:
    users = set()
    for folder in ("bot", "handlers", "jobs"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                imported = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom):
                    imported = [node.module or ""]
                if any(name.split(".")[0] == "time_machine" for name in imported):
                    users.add(path.relative_to(ROOT).as_posix())
    assert users == {"bot/shell/clock.py"}


DAY = """:clock 2026-11-23 08:00
/shelf every 2h from 09:00 to 13:00 rotate the banners
:clock +6h
:clock
:clock 25:00
:clock soon
"""


def test_clock_runs_a_day_of_postings_in_order(tmp_path: Path) -> None:
    out = shell(tmp_path, DAY)
    blocks = []
    for hour in (9, 11, 13):  # each alarm at its time, its escalation (no supervisors' chat: here) 10 min on
        blocks += [
            f"(clock: Mon 2026-11-23 {hour:02}:00)\n[team] bot: ⏰ rotate the banners\n",
            f"(clock: Mon 2026-11-23 {hour:02}:10)\n[team] bot: ⚠️ Nobody marked this alarm done",
        ]
    in_order(out, "alice@team> :clock +6h\n", *blocks, "(clock: Mon 2026-11-23 14:00)\nalice@team> :clock\n")
    assert out.count("⏰ rotate the banners") == 3 and out.count("⚠️ Nobody marked") == 3
    assert after(out, "alice@team> :clock") == ["(clock: Mon 2026-11-23 14:00)"]
    assert after(out, "alice@team> :clock 25:00")[0].startswith("(clock: no such time of day: 25:00")
    assert "write +2h, +30m, +1d, +45s, 18:00" in after(out, "alice@team> :clock soon")[0]


class Terminal:
    """The shell at a keyboard (a pseudo-terminal): interactive, its clock running by itself."""

    def __init__(self, cwd: Path) -> None:
        import pty  # POSIX only

        self.master, follower = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "shell"],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            cwd=cwd,
            env=clean_env(),
        )
        os.close(follower)
        self.seen = ""

    def type(self, line: str) -> None:
        """Type a line and press Enter."""
        os.write(self.master, f"{line}\n".encode())

    def wait_for(self, text: str, timeout: float = TIMEOUT) -> str:
        """Everything shown since the last wait, up to and including `text`, with plain line ends."""
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"{text!r} not shown within {timeout} s; the screen:\n{self.seen}"
            self.seen += os.read(self.master, 65536).decode("utf-8", errors="replace").replace("\r\n", "\n")
        shown, _, self.seen = self.seen.partition(text)
        return shown + text

    def close(self) -> int | None:
        """Wait for the shell to end (killing it if it will not) and free the terminal."""
        try:
            with contextlib.suppress(OSError):  # EIO: the shell has closed its side
                while self.process.poll() is None and select.select([self.master], [], [], TIMEOUT)[0]:
                    self.seen += os.read(self.master, 65536).decode("utf-8", errors="replace")
            return self.process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return None
        finally:
            os.close(self.master)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_at_the_keyboard_postings_appear_by_themselves(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path)
    try:
        terminal.wait_for("alice@team> ")
        terminal.type("/shelf in 1m ticking")
        terminal.wait_for("Alarm #1 set")
        terminal.wait_for("alice@team> ")
        terminal.type(":clock +57s")  # the alarm is now due in about 3 s of real time
        terminal.wait_for(":clock +57s\n(clock: ")
        terminal.wait_for("alice@team> ")
        unprompted = terminal.wait_for("[3] Snooze 15 min\n")
        assert unprompted.startswith("\n")  # on a fresh line under the waiting prompt
        assert "[team] bot: ⏰ ticking\n" in unprompted
        terminal.wait_for("alice@team> ")  # then the prompt again
        terminal.type(":quit")
        terminal.wait_for(":quit\n")
    finally:
        assert terminal.close() == 0


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_ctrl_c_at_the_prompt_leaves_at_once_without_a_traceback(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path)
    try:
        terminal.wait_for("alice@team> ")
        terminal.process.send_signal(signal.SIGINT)  # what Ctrl-C sends; no Enter follows
    finally:
        assert terminal.close() == 130
    assert "Traceback" not in terminal.seen


# ---------------------------------------------------------------- what people see and do


ORDER = "123456789012345678"
ROSTER = "person,2026-11-23,2026-11-24\n@bob,day,day\n"
ANSWERED_HEADER = [*FINANCE_COLUMNS, "result"]
ANSWERED_ROW = ["tb_lee", "Li", "lee@163.com", "12.50", "damaged", "shop", "", "", ORDER, "R-1", "", "paid"]

DAY_OF_WORK = """:clock 2026-11-22 20:00
:as bob
hello
:in private
/start
:as alice
:in team
:reply /role aftersale
/setup team
:in finance
/setup finance
:press 1
:in team
:as bob
/refund 123456789012345678 12.5 damaged buyer=tb_lee name=Li alipay=lee@163.com postage=shop
:reply 1 the buyer called back
:reply 9 hello?
:as alice
/broadcast to=team Stock-take tonight
:as bob
:press 1
:as alice
:press 2
:file roster.csv /roster import
:file missing.xlsx /roster import
/export refund 2026-11 csv
:in private
:save exported.csv
:save
:save no/such/folder/x.csv
:clock 2026-11-23 08:30
:in finance
:file answered.csv my answers
:chats
"""


@pytest.fixture(scope="module")
def day_of_work(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """One session of a day's work (files to send lie in its folder) and the folder."""
    folder = tmp_path_factory.mktemp("work")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    with (folder / "answered.csv").open("w", newline="", encoding="utf-8") as table:
        csv.writer(table).writerows([ANSWERED_HEADER, ANSWERED_ROW])
    return shell(folder, DAY_OF_WORK), folder


def test_every_bot_message_is_labelled_with_its_chat(day_of_work: tuple[str, Path]) -> None:
    out, _ = day_of_work
    assert after(out, "bob@private> /start")[0].startswith("[private:bob] bot: Hi! I keep")
    assert after(out, "alice@team> /setup team") == [
        "[team] bot: Registered: this group is now the team chat.",
        "✅ I see every message in this group and may delete the ones that carry customer data.",
        f"[team] (command menu: {ALL_COMMANDS} commands: /help what you can do here, /whoami your roles, "
        "/lang language of this chat: en or zh, …)",
    ]
    assert after(out, "alice@team> /export refund 2026-11 csv")[0].startswith("[private:alice] bot: [file ")
    in_order(  # the digest comes by itself, in another chat than the one typed in
        out,
        "alice@private> :clock 2026-11-23 08:30\n(clock: Mon 2026-11-23 08:30)\n",
        "[finance] bot: [file refunds-2026-11-22.xlsx] 💰 Refund table for 2026-11-22: "
        "1 refund, total ¥12.50.",
        "[finance] bot: 💰 Refunds waiting for your answer: 1.",
        "   [1] ✅ R-1 paid  [2] ❌ R-1 rejected\n",
    )


def test_reply_to_a_bot_message_by_number_or_to_a_person(day_of_work: tuple[str, Path]) -> None:
    out, _ = day_of_work
    assert after(out, "alice@team> :reply /role aftersale")[0] == "[team] bot: @bob is now after-sales."
    assert after(out, "bob@team> :reply 1 the buyer called back") == ["[team] bot: 📝 Note added to R-1."]
    assert after(out, "bob@team> :reply 9 hello?") == ["(this chat has 4 bot message(s); no number 9)"]


def test_toasts_and_alerts_of_button_presses_are_shown(day_of_work: tuple[str, Path]) -> None:
    out, _ = day_of_work
    refused = after(out, "bob@team> :press 1")  # Confirm under alice's broadcast preview
    assert refused[0] == "(alert) Sorry, only its author or someone with the role manager can do this."
    assert len(refused) == 1, refused  # nothing else happened
    assert after(out, "alice@team> :press 2")[0] == "(toast) ✖️ Cancelled by @alice: nothing was sent."


def test_files_go_in_and_come_out(day_of_work: tuple[str, Path]) -> None:
    out, folder = day_of_work
    imported = after(out, "alice@team> :file roster.csv /roster import")
    assert imported == ["[team] bot: ✅ Roster imported: 2 days for 1 person."]
    missing = after(out, "alice@team> :file missing.xlsx /roster import")
    assert missing == ["(cannot read missing.xlsx: No such file or directory)"]
    name = exported_name(out)
    assert after(out, "alice@private> :save exported.csv") == [f"(saved {name} to exported.csv)"]
    assert ORDER in (folder / "exported.csv").read_text(encoding="utf-8-sig")
    assert after(out, "alice@private> :save") == [f"(saved {name} to {name})"]
    assert (folder / name).read_bytes() == (folder / "exported.csv").read_bytes()
    refused = after(out, "alice@private> :save no/such/folder/x.csv")
    assert refused == ["(cannot save to no/such/folder/x.csv: No such file or directory)"]
    answered = after(out, "alice@finance> :file answered.csv my answers")  # finance's table sent back
    assert answered[0].startswith("[finance] bot: ✅ Answers recorded: 1 paid, 0 rejected.")


def exported_name(transcript: str) -> str:
    """The file name of the export the bot sent."""
    line = after(transcript, "alice@team> /export refund 2026-11 csv")[0]
    return line.split("[file ", 1)[1].split("]", 1)[0]


def test_chats_lists_purposes_languages_writers_and_roles(day_of_work: tuple[str, Path]) -> None:
    out, _ = day_of_work
    listed = after(out, "alice@finance> :chats")
    assert listed[:3] == [
        "chats:",
        "  team         registered as team, language en; active here: bob, alice",
        "  supervisors  not registered, language en; nobody active here yet",
    ]
    assert "  finance      registered as finance, language en; active here: alice" in listed
    assert "  private:bob  language en" in listed and "  private:alice language en" in listed
    assert "  alice (1001): manager" in listed and "  bob (1002): aftersale" in listed
    assert "  carol (1003): not seen by the bot yet" in listed


# ---------------------------------------------------------------- the database across runs and restarts


def test_db_keeps_the_data_across_runs_and_the_default_starts_afresh(tmp_path: Path) -> None:
    kept = tmp_path / "kept" / "demo.sqlite3"
    first = shell(tmp_path, "/shelf every day 10:30 water the plants\n", "--db", str(kept))
    assert "Alarm #1 set" in first
    again = shell(tmp_path, "/alarms\n", "--db", str(kept))
    assert "water the plants" in after(again, "alice@team> /alarms")[1]
    shell(tmp_path, "/shelf every day 10:30 water the plants\n")
    afresh = shell(tmp_path, "/alarms\n")
    assert "water the plants" not in afresh


def test_restart_demo_escalates_restarts_and_lists_what_was_missed(tmp_path: Path, db_url: str) -> None:
    out = shell(tmp_path, (DEMO / "restart.txt").read_text(encoding="utf-8"), "--db", db_url)
    in_order(
        out,
        "alice@team> :clock 10:00\n(clock: Mon 2026-11-23 10:00)\n",
        "[team] bot: ⏰ take the summer dresses down\n",
        "alice@team> :clock +10m\n(clock: Mon 2026-11-23 10:10)\n",
        "[supervisors] bot: ⚠️ Nobody marked this alarm done within 10 min: “take the summer dresses down” "
        "(due 10:00, alarm #1).\n   [1] Done ✅  [2] I'm on it 🙋\n",
        "alice@team> :restart +1h\n(bot stopped at Mon 2026-11-23 10:10)\n",
        "(bot starting at Mon 2026-11-23 11:10)\n",
        "[team] bot: While I was offline, 3 alarms were missed:\n• Mon 23 Nov 10:15 #2 change the listings\n"
        "• Mon 23 Nov 10:30 #2 change the listings\n• Mon 23 Nov 10:45 #2 change the listings\n",
        "[team] bot: ⏰ change the listings\n(late by 10 min: I was offline)\n",
        "alice@team> /alarm log 2\n",
        "• Mon 23 Nov 10:15 missed (I was offline)\n",
        "alice@team> :press 1\n(toast) ✅ Done by @alice, 10 min after.\n",
        "alice@team> :clock +5m\n(clock: Mon 2026-11-23 11:15)\n[team] bot: ⏰ change the listings\n",
    )
    assert out.count("⚠️ Nobody marked") == 2  # 10:00's before the restart, 11:00's after it: each once


# ---------------------------------------------------------------- the demos


MORNING_LINES = {
    "en": [
        "[team] bot: ✅ Roster imported: 14 days for 2 people.",
        "[team] bot: 📝 Note added to R-1.",
        "[finance] bot: [file refunds-2026-11-22.xlsx] 💰 Refund table for 2026-11-22: "
        "1 refund, total ¥12.50.",
        "[private:bob] bot: ⏰ Your day shift starts at 09:00 (in 30 min).",
        "(toast) R-1: paid",
        "[team] bot: 📒 Handover for the day shift: 1 open.",
        "(toast) ✅ #1 done by @bob.",
        "[team] bot: K-1 · Courier query · open",
        "[team] bot: ⏰ put the winter coats up",
        "(toast) ✅ Done by @carol, 0 min after.",
        "[team] bot: ⏳ In 5 min: take the summer dresses down",
        "[supervisors] bot: ⚠️ Nobody marked this alarm done within 10 min: “take the summer dresses down”",
        "[warehouse] bot: 📣 From @erin:",
        "[team] bot: 📣 Broadcast #1 delivered to 4 of 4 chats.",
        "(toast) 👍 Noted, thank you.",
        "✅ @dave Mon 23 Nov 10:10",
        "(clock: Mon 2026-11-23 12:00)",
    ],
    "zh": [
        "[team] bot: 好的：本聊天现在使用中文。",
        "[team] bot: ✅ 排班已导入：2 人共 14 天。",
        "[team] bot: 📝 已给 R-1 添加备注。",
        "[finance] bot: [file refunds-2026-11-22.xlsx] 💰 2026-11-22 的退款表：1 笔，合计 ¥12.50。",
        "[private:bob] bot: ⏰ 你的白班 09:00 开始（还有 30 分钟）。",
        "(toast) R-1：已打款",
        "[team] bot: 📒 白班交接：1 条未完成。",
        "[team] bot: K-1 · 查件 · 处理中",
        "[team] bot: ⏰ 上架冬季外套",
        "[team] bot: ⏳ 5 分钟后：下架夏装",
        "[supervisors] bot: ⚠️ 提醒在 10 分钟内无人标记完成：“下架夏装”",
        "[warehouse] bot: 📣 来自 @erin：",
        "(toast) 👍 已记录，谢谢。",
        "✅ @dave 11月23日 周一 10:10",
    ],
}


@pytest.mark.parametrize("language", sorted(MORNING_LINES))
def test_morning_demo_replays(tmp_path: Path, language: str) -> None:
    script = (DEMO / f"morning-{language}.txt").read_text(encoding="utf-8")
    out = shell(ROOT, script, "--db", str(tmp_path / "demo.sqlite3"))  # its files are named from the root
    in_order(out, *MORNING_LINES[language])
    shell_complaints = [
        line for line in out.splitlines() if line.startswith(("(no ", "(cannot", "(clock: c"))
    ]
    assert shell_complaints == []
    assert "Sorry" not in out and "抱歉" not in out
    if language == "zh":
        assert "[private:carol] bot: ⏰ 你的白班" in out  # every chat of the demo speaks Chinese


ALL_COMMANDS = len(COMMANDS)
AFTERSALE_COMMANDS = len(visible_to(frozenset({Role.AFTERSALE})))
"""How many commands a group's menu and an after-sales agent's private menu list."""
FIRST_HOUR_LINES = {
    "en": [
        "alice@team> /setup team",
        "⚠️ Privacy mode is on: in groups I only see commands and replies to my messages",
        "⚠️ I am not an administrator here.",
        f"[team] (command menu: {ALL_COMMANDS} commands: /help what you can do here, ",
        "alice@team> /role @bob aftersale\n[team] bot: I haven't seen @bob yet",
        "/setup team\n[team] bot: Registered: this group is now the team chat.\n✅ I see every message",
        f"[team] bot: @bob is now after-sales.\n[private:bob] (command menu: {AFTERSALE_COMMANDS} commands: ",
        f"[finance] (command menu: {ALL_COMMANDS} commands: ",
        "[private:bob] bot: You are @bob (id 1002). Roles: after-sales.",
    ],
    "zh": [
        f"[team] (command menu: {ALL_COMMANDS} commands: /help 你在这里能用的命令, /whoami 你的角色",
        "[team] bot: 已登记：本群现在是客服群。\n⚠️ 隐私模式已开启",
        "⚠️ 我在本群还不是管理员。",
        "[team] bot: 我还没见过 @bob",
        "已登记：本群现在是客服群。\n✅ 我能看到本群的每条消息，也能删除含顾客资料的消息。",
        "[team] bot: @bob 现在是售后。",
        "已登记：本群现在是财务群。\n✅ 我能看到本群的每条消息",
        f"[private:bob] (command menu: {AFTERSALE_COMMANDS} commands: /help 你在这里能用的命令",
        "[private:bob] bot: 你是 @bob（id 1002）。角色：售后。",
    ],
}


@pytest.mark.parametrize("language", sorted(FIRST_HOUR_LINES))
def test_first_hour_demo_shows_what_to_change_in_telegram(tmp_path: Path, language: str) -> None:
    script = (DEMO / f"first-hour-{language}.txt").read_text(encoding="utf-8")
    out = shell(tmp_path, script)
    in_order(out, *FIRST_HOUR_LINES[language])
    assert "(@BotFather: privacy mode on)" in out and "(the bot is now member in team)" in out
    assert "Sorry" not in out and "抱歉" not in out


def test_shell_refuses_rights_outside_a_group(tmp_path: Path) -> None:
    out = shell(tmp_path, ":in private\n:rights admin\n:botfather privacy maybe\n")
    assert out.count("Shell commands:") == 2  # both answered with the help, nothing changed


def test_help_and_readme_list_every_shell_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in (
        ":as",
        ":in",
        ":press",
        ":reply N",
        ":file",
        ":save",
        ":clock",
        ":restart",
        ":chats",
        ":botfather",
        ":rights",
    ):
        assert f"\n  {command} " in HELP
        assert f"`{command}" in readme


def test_an_alarm_reaches_the_team_chat_and_its_wecom_robot(tmp_path: Path) -> None:
    script = (
        "/setup team\n:as bob\nhi\n:as alice\n"
        "/wecom https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa\n"
        "/wecom who @bob wangqiang\n/shelf in 5m @bob 下架夏季连衣裙\n:clock +5m\n:wecom\n:dingtalk\n"
    )
    transcript = shell(tmp_path, script)
    in_order(
        transcript,
        "[wecom …5aaa] ✅ Test post from the kefu bot",
        "[team] bot: ✅ WeCom robot …5aaa linked: it took the test post.",
        "[team] bot: ⏰ @bob 下架夏季连衣裙",
        "[wecom …5aaa] ⏰ <@wangqiang> 下架夏季连衣裙\n    👉 Press the buttons in Telegram: https://t.me/c/",
        "alice@team> :wecom\n[wecom …5aaa] ✅ Test post",
        "(no dingtalk robot has received anything)",
    )
    assert not [line for line in transcript.splitlines() if line.startswith("[") and "693a91f6" in line]


def test_week_demo_replays_the_teams_paperwork(tmp_path: Path) -> None:
    script = (DEMO / "week-en.txt").read_text(encoding="utf-8")
    out = shell(ROOT, script, "--db", str(tmp_path / "week.sqlite3"))  # its files are named from the root
    in_order(
        out,
        "(toast) 🔕 #1: no answer noted (1 try). It stays on your list.",
        "(toast) ✅ Approved by @erin: those days are off the roster.",
        "🌴 On leave today: @carol (until Fri 27 Nov)",
        "[team] bot: 💸 Fine #1 for @bob: ¥20.00, late for the shift.",
        "[private:alice] bot: ⚖️ Appeal against fine #2:",
        "[private:carol] bot: ⚖️ Fine #2 was cancelled on appeal by @alice: it no longer counts.",
        "@carol: 150 inquiries → 50 paid (33.3% ⚠️)",
        "📞 call now: 13812345678",
        "(toast) 📞 #1: call noted at 09:00.",
        "1. @bob: places 1 + 1 + 1",
        "[team] bot: ⭐ Star agent of November 2026: @bob. Congratulations!",
        "— cancelled on appeal by @alice",
    )
    assert "Sorry" not in out and "(no " not in out and "(cannot" not in out
