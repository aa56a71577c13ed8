"""Start-up cost (not a test): seconds from spawning `python -m bot run` to its first getUpdates, and idle RSS.

    python bench/startup.py [--runs 5] [--idle 3]

Each run starts the bot on a fresh SQLite database against an in-process FakeBotApi (migrations included),
waits --idle seconds after the first reply and reads its resident memory. Prints median and max of each.
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

from bench.common import bot_session, kefu_bot


async def one_run(idle: float) -> tuple[float, float]:
    """Seconds to the first getUpdates and idle RSS (MiB) of one fresh start."""
    with tempfile.TemporaryDirectory() as folder:
        spec = kefu_bot({"DATABASE_URL": f"sqlite://{folder}/kefu.sqlite3"})
        async with bot_session(spec, [5001], Path(folder)) as session:
            await asyncio.sleep(idle)
            return session.startup.first_get_updates, session.bot.rss_mb()


async def main() -> None:
    """Run the bot --runs times and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=3.0)
    options = parser.parse_args()
    results = [await one_run(options.idle) for _ in range(options.runs)]
    starts, rss = [r[0] for r in results], [r[1] for r in results]
    print(f"start to first poll: median {statistics.median(starts):.2f} s, max {max(starts):.2f} s")
    print(f"idle RSS:            median {statistics.median(rss):.1f} MiB, max {max(rss):.1f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
