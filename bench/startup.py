"""Start-up cost (not a test): seconds from spawning `python -m bot run` to its first poll, and idle RSS.

    python bench/startup.py [--runs 5] [--idle 3] [--against OTHER_TREE]

Each run starts the bot on a fresh SQLite database against an in-process FakeBotApi (migrations included),
waits --idle seconds after the first reply and reads its resident memory. Prints median and max of each.
With --against, runs of another checkout (e.g. a worktree of an older commit) alternate with this one's, so
both see the same machine load.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/startup.py`: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, BotSpec, bot_session

RUN_FROM = (
    "import sys; sys.path.insert(0, sys.argv[1]); from bot.__main__ import main; sys.exit(main(['run']))"
)
"""`python -m bot run` of a given checkout, whatever PYTHONPATH says."""


async def one_run(tree: Path, idle: float) -> tuple[float, float]:
    """Seconds to the first getUpdates and idle RSS (MiB) of one fresh start of the bot in `tree`."""
    with tempfile.TemporaryDirectory() as folder:
        env = {"DATABASE_URL": f"sqlite://{folder}/kefu.sqlite3"}
        spec = BotSpec(tree.name, (sys.executable, "-c", RUN_FROM, str(tree)), env)
        async with bot_session(spec, [5001], Path(folder)) as session:
            await asyncio.sleep(idle)
            return session.startup.first_get_updates, session.bot.rss_mb()


async def main() -> None:
    """Run the bot --runs times and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=3.0)
    parser.add_argument("--against", type=Path, help="another checkout to measure in alternation")
    options = parser.parse_args()
    trees = [REPO, *([options.against.absolute()] if options.against else [])]
    results: dict[Path, list[tuple[float, float]]] = {tree: [] for tree in trees}
    for _ in range(options.runs):
        for tree in trees:
            results[tree].append(await one_run(tree, options.idle))
    for tree, runs in results.items():
        starts, rss = [r[0] for r in runs], [r[1] for r in runs]
        print(
            f"{tree}: start to first poll median {statistics.median(starts):.2f} s, max {max(starts):.2f} s;"
            f" idle RSS median {statistics.median(rss):.1f} MiB, max {max(rss):.1f} MiB"
        )


if __name__ == "__main__":
    asyncio.run(main())
