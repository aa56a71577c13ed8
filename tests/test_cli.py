"""`python -m bot run | migrate | shell` as people type them: exit codes, messages, the shell's transcript."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from tortoise.models import Model

import bot.models

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_VARIABLES = ("BOT_", "DATABASE_URL", "TELEGRAM_API_BASE_URL")
TIMEOUT = 20


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without any of the bot's settings, with the repository importable."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(SETTINGS_VARIABLES)}
    env.update(PYTHONPATH=str(ROOT), PYTHONUTF8="1", **extra)
    return env


def run_bot(
    cwd: Path, *args: str, stdin: str = "", timeout: float = TIMEOUT, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` in `cwd` with a clean environment plus `env`."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean_env(**env),
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def tables(database: Path) -> set[str]:
    """The table names in a SQLite file."""
    with sqlite3.connect(database) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def schema(database: Path) -> list[tuple[str, ...]]:
    """The SQLite file's schema and the migrations recorded as applied."""
    with sqlite3.connect(database) as conn:
        return [
            *conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name"),
            *conn.execute("SELECT * FROM tortoise_migrations ORDER BY 1"),
        ]


def model_tables() -> set[str]:
    """The table of every model the bot defines."""
    return {
        value._meta.db_table
        for value in vars(bot.models).values()
        if isinstance(value, type)
        and issubclass(value, Model)
        and value.__module__ == bot.models.__name__
        and not value._meta.abstract
    }


# ---------------------------------------------------------------- run


@pytest.mark.parametrize("with_env_file", [False, True], ids=["no-env-file", "env-example-copied"])
def test_run_without_token_explains_what_to_do(tmp_path: Path, with_env_file: bool) -> None:
    if with_env_file:  # someone copied .env.example to .env and left BOT_TOKEN empty
        shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = run_bot(tmp_path, "run")
    assert result.returncode == 2, result.stderr
    assert "BOT_TOKEN" in result.stderr and ".env.example" in result.stderr
    assert "python -m bot shell" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("BOT_TIMEZONE", "Mars/Olympus"), ("BOT_LOCALE", "fr"), ("BOT_OWNER_IDS", "1001,alice")],
)
def test_invalid_setting_is_named_without_a_traceback(tmp_path: Path, variable: str, value: str) -> None:
    result = run_bot(tmp_path, "run", **{variable: value, "BOT_TOKEN": "1:X"})
    assert result.returncode not in (0, 2), result.stderr
    assert "Invalid configuration" in result.stderr and variable in result.stderr
    assert value.split(",")[-1] in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["migrate", "shell"])
def test_every_command_checks_the_configuration(tmp_path: Path, command: str) -> None:
    result = run_bot(tmp_path, command, BOT_TIMEZONE="Mars/Olympus")
    assert result.returncode != 0
    assert "Mars/Olympus" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()  # refused before touching anything


def test_unknown_command_lists_the_valid_ones(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "serve")
    assert result.returncode == 2
    assert "run" in result.stderr and "shell" in result.stderr and "migrate" in result.stderr


# ---------------------------------------------------------------- migrate


def test_migrate_creates_the_database_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "new folder" / "x.sqlite3"
    url = f"sqlite://{database}"
    first = run_bot(tmp_path, "migrate", DATABASE_URL=url)
    assert first.returncode == 0, first.stderr
    assert "Database is up to date." in first.stdout
    assert database.is_file()
    assert {"person", "role_grant", "chat", "audit_entry"} <= model_tables()
    missing = model_tables() - tables(database)
    assert not missing, f"migrations do not create the tables {sorted(missing)}: add a migration"
    before = schema(database)
    second = run_bot(tmp_path, "migrate", DATABASE_URL=url)
    assert second.returncode == 0, second.stderr
    assert "Database is up to date." in second.stdout
    assert schema(database) == before


# ---------------------------------------------------------------- shell

SCRIPT = """/whoami
:as bob
hello
:as alice
/role @bob aftersale
:as bob
/whoami
/lang zh
:in private
/lang zh
/whoami
:quit
/whoami
"""


@pytest.fixture(scope="module")
def shell_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One scripted shell session (the line after :quit must never run) and the folder it ran in."""
    folder = tmp_path_factory.mktemp("shell")
    return run_bot(folder, "shell", stdin=SCRIPT), folder


def test_shell_exits_cleanly_in_its_own_database(
    shell_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, folder = shell_run
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert (folder / "data" / "shell.sqlite3").is_file()


def test_shell_transcript_echoes_prompts_and_shows_replies(
    shell_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    out = shell_run[0].stdout
    expected = [
        "alice@team> /whoami\n[team] bot: You are @alice (id 1001). Roles: manager.\n",
        "alice@team> :as bob\nbob@team> hello\nbob@team> :as alice\n",
        "alice@team> /role @bob aftersale\n[team] bot: @bob is now after-sales.\n",
        "bob@team> /whoami\n[team] bot: You are @bob (id 1002). Roles: after-sales.\n",
        "bob@team> /lang zh\n[team] bot: Sorry, this needs the role: supervisor, manager.\n",
        "bob@team> :in private\nbob@private> /lang zh\n[private:bob] bot: 好的：本聊天现在使用中文。\n",
        "bob@private> /whoami\n[private:bob] bot: 你是 @bob（id 1002）。角色：售后。\n",
        "bob@private> :quit\n",
    ]
    position = 0
    for block in expected:
        found = out.find(block, position)
        assert found >= 0, f"missing (in order) {block!r} in transcript:\n{out}"
        position = found + len(block)
    assert out[position:] == "", f"output after :quit:\n{out[position:]}"


def test_shell_press_without_buttons_and_unknown_commands(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "shell", stdin=":press 1\n:foo\n:in nowhere\n")  # ends without :quit
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["alice@team> :press 1", "(no message with buttons in this chat)"]
    assert lines[2] == "alice@team> :foo"
    assert lines[3].startswith("Type a message or a command") and "  :press N" in result.stdout
    assert lines.count("  :quit             leave (so does Ctrl-D)") == 2  # :in nowhere shows help too
    assert lines[-1].startswith("Lines starting with #") and "alice@team> :in nowhere" in lines
