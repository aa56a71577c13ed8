"""Quick-reply search benchmark (not a test): how fast /phrase finds the best three among 5,000 phrases.

    python bench/phrases.py [--phrases 5000] [--rounds 20] [--quick]

Builds the in-memory index (bot/services/phrases/index.py) over generated phrases in Chinese and
English, as a team's 话术库 would read (greetings, shipping, refunds, soothing …, each phrase a different
mix), then times every query of a fixed list --rounds times and prints the index's build time, wall and CPU
(what the first search after a start or an import pays, in a worker thread) and the time per search
(median, p99, max over queries, each the best of its rounds). The target is well under 20 ms a search.
Exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/phrases.py`: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import LatencyStats, machine
from bot.services.phrases.book import INDEX_WORDS
from bot.services.phrases.index import Entry, Index

TARGET_MS = 20.0
ZH_PIECES = (
    "亲，您好",
    "非常抱歉给您带来不便",
    "已经为您催促仓库尽快发货",
    "快递显示已揽收",
    "地址已经为您修改好了",
    "退款已经为您处理",
    "预计24小时内原路退回",
    "商品在运输途中破损",
    "这款暂时缺货",
    "到货后第一时间为您发出",
    "麻烦您给个五星好评",
    "请您放心",
    "我们会跟进到底",
    "小礼物已经为您备注",
    "下次购买为您包邮",
)
EN_PIECES = (
    "Hello, thank you for waiting",
    "we are very sorry for the trouble",
    "the warehouse will ship your parcel today",
    "your address has been changed",
    "the refund is on its way back to your account",
    "the item was damaged in transit",
    "this colour is out of stock for now",
    "a small gift is noted for your next order",
    "a five-star review would mean a lot to us",
    "please rest assured",
)
QUERIES = (
    "催发货",
    "仓库发货",
    "退款多久到账",
    "破损",
    "缺货",
    "改地址",
    "好评",
    "安抚",
    "亲",
    "refund",
    "sorry trouble",
    "out of stock",
    "包邮 小礼物",
    "快递 揽收 发货",
)


def generated(count: int, seed: int = 7) -> list[Entry]:
    """`count` phrases: two thirds Chinese, a third English, three to five pieces each."""
    rng = random.Random(seed)
    categories = list(INDEX_WORDS)
    entries = []
    for number in range(1, count + 1):
        chinese = number % 3 != 0
        pieces = ZH_PIECES if chinese else EN_PIECES
        text = ("，" if chinese else ", ").join(rng.sample(pieces, rng.randint(3, 5)))
        category = rng.choice(categories)
        title = rng.choice(pieces)[:12] + f" {number}"
        entries.append(Entry(number, title, text, INDEX_WORDS[category], "zh" if chinese else "en"))
    return entries


def main() -> None:
    """Build, search, print."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phrases", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    entries = generated(args.phrases)
    print(
        f"Quick-reply search: {len(entries)} phrases, {len(QUERIES)} queries x {rounds} rounds; {machine()}"
    )
    started, cpu = time.perf_counter(), time.process_time()
    index = Index.build(entries)
    built, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"index build: {built * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU ({len(index.postings):,} terms)")
    best = [float("inf")] * len(QUERIES)
    for _ in range(rounds):
        for position, query in enumerate(QUERIES):
            before = time.perf_counter()
            index.search(query, language="zh")
            best[position] = min(best[position], time.perf_counter() - before)
    stats = LatencyStats.of(best)
    verdict = "PASS" if stats.max * 1000 < TARGET_MS else "MISS"
    print(
        f"search p50 {stats.p50 * 1000:.2f} ms, p99 {stats.p99 * 1000:.2f} ms, "
        f"max {stats.max * 1000:.2f} ms  target < {TARGET_MS:.0f} ms  {verdict}"
    )
    slowest = sorted(zip(best, QUERIES, strict=True), reverse=True)[:3]
    print("    slowest: " + ", ".join(f"{query!r} {seconds * 1000:.2f} ms" for seconds, query in slowest))


if __name__ == "__main__":
    main()
