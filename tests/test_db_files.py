"""The SQLite file on disk: readable by the bot's user only, and every acknowledged commit is on disk."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from tortoise import Tortoise

from bot import db
from bot.models import Person


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    """The common umask (022), under which SQLite alone would create world-readable files."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def modes(folder: Path) -> dict[str, int]:
    """The permission bits of a folder and each file in it."""
    found = {path.name: stat.S_IMODE(path.stat().st_mode) for path in folder.iterdir()}
    return {".": stat.S_IMODE(folder.stat().st_mode), **found}


async def test_the_database_folder_and_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "kefu.sqlite3"
    await db.open_db(f"sqlite://{path}")
    try:
        await Person.create(id=1, first_name="A")  # the write-ahead log and its index exist now
        assert modes(path.parent) == {
            ".": 0o700,
            "kefu.sqlite3": 0o600,
            "kefu.sqlite3-wal": 0o600,
            "kefu.sqlite3-shm": 0o600,
        }
    finally:
        await db.close_db()


async def test_files_left_world_readable_by_an_older_version_are_narrowed(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    (folder / "kefu.sqlite3").touch(mode=0o644)
    db.normalise_url(f"sqlite://{folder}/kefu.sqlite3")
    assert modes(folder) == {".": 0o755, "kefu.sqlite3": 0o600}  # a folder that already existed is left alone


async def test_commits_wait_for_the_disk(tmp_path: Path) -> None:
    await db.open_db(f"sqlite://{tmp_path}/kefu.sqlite3")
    try:
        _, rows = await Tortoise.get_connection("default").execute_query("PRAGMA synchronous")
        assert rows[0]["synchronous"] == 2  # FULL: "✅ Saved." is shown after the WAL reached the disk
    finally:
        await db.close_db()
