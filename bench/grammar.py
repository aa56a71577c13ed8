"""Grammar benchmark (not a test): how fast the date-and-time grammar reads the phrasing corpus.

    python bench/grammar.py [--rounds 20] [--quick]

Reads every phrase of tests/test_when_corpus.py as `/shelf <phrase> x` would (`read_schedule`, with the
leftover check for time words), in-process, --rounds times over the whole corpus, and prints parses per
second, the time per phrase (median, p99, max over phrases, each the best of its rounds) and the same with
the next three fire times computed, as a confirmation shows them. The target is far below a millisecond a
phrase. Exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/grammar.py`: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import LatencyStats, machine
from bot.services.when import next_fires, read_schedule
from tests.test_when_corpus import GROUPS, Group

TARGET_MS = 1.0
"""A phrase must read in well under this."""


def parse_only(group: Group, phrase: str) -> None:
    """Read one phrase as /shelf would."""
    read_schedule(f"{phrase} x", group.now, group.zone)


def parse_and_fires(group: Group, phrase: str) -> None:
    """Read one phrase and compute the three fire times a confirmation shows."""
    reading = read_schedule(f"{phrase} x", group.now, group.zone)
    next_fires(reading.rule, group.now, group.zone, count=3)


def measure(
    work: Callable[[Group, str], None], rounds: int
) -> tuple[float, LatencyStats, list[tuple[float, str]]]:
    """Parses per second over all rounds, per-phrase times (best of the rounds) and the slowest phrases."""
    rows = [(group, phrase) for group in GROUPS for phrase in group.phrases]
    best = [float("inf")] * len(rows)
    started = time.perf_counter()
    for _ in range(rounds):
        for index, (group, phrase) in enumerate(rows):
            before = time.perf_counter()
            work(group, phrase)
            best[index] = min(best[index], time.perf_counter() - before)
    elapsed = time.perf_counter() - started
    slowest = sorted(
        ((seconds, phrase) for seconds, (_, phrase) in zip(best, rows, strict=True)), reverse=True
    )
    return rounds * len(rows) / elapsed, LatencyStats.of(best), slowest[:3]


def main() -> None:
    """Run both measurements and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    phrases = sum(len(group.phrases) for group in GROUPS)
    print(f"Grammar benchmark: {phrases} phrases x {rounds} rounds; {machine()}")
    parse_only(GROUPS[0], GROUPS[0].phrases[0])  # warm the caches (regexes, holidays, zones)
    print(
        f"{'measure':<28} {'parses/s':>10} {'p50 µs':>8} {'p99 µs':>8} {'max µs':>8}  target < {TARGET_MS} ms"
    )
    for name, work in (("read_schedule", parse_only), ("read_schedule + 3 fires", parse_and_fires)):
        rate, stats, slowest = measure(work, rounds)
        verdict = "PASS" if stats.max * 1000 < TARGET_MS else "MISS"
        micros = " ".join(f"{value * 1e6:>8.0f}" for value in (stats.p50, stats.p99, stats.max))
        print(f"{name:<28} {rate:>10,.0f} {micros}  {verdict}")
        print(
            "    slowest: " + ", ".join(f"{phrase!r} {seconds * 1e6:.0f} µs" for seconds, phrase in slowest)
        )


if __name__ == "__main__":
    main()
