"""Shared plumbing for benchmarks: a bot runs as a subprocess (like production) against an in-process
FakeBotApi, simulated users talk to it in their private chats, and replies are timed on arrival.

Typical use::

    async with bot_session(kefu_bot({"DATABASE_URL": url}), users, workdir) as session:
        idle_mb = session.bot.rss_mb()
        result = await closed_loop(session, users, "/whoami", seconds=30, warmup=3)
        print(result.throughput, LatencyStats.of(result.latencies).p99)

Every time is `time.monotonic()` in this process: the fake server stamps each call with it on arrival
(`ApiCall.at`), so "latency" is from queueing an update to the bot's reply reaching the server.
"""

from __future__ import annotations

import asyncio
import os
import platform
import signal
import sys
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import psutil

from bot.fakeapi import ApiCall, FakeBotApi

REPO = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH"
MB = 1024 * 1024
STARTUP_TIMEOUT = 30.0
REPLY_TIMEOUT = 10.0

T = TypeVar("T")
Text = str | Callable[[int], str]
"""What a user types: a fixed text, or a function of the user id."""


# ---------------------------------------------------------------------- the bots


@dataclass(frozen=True)
class BotSpec:
    """How to start one bot: a name for reports and logs, its command line and extra environment.

    BOT_TOKEN and TELEGRAM_API_BASE_URL are added by `spawn`, pointing at the fake server.
    """

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)


def kefu_bot(env: Mapping[str, str], name: str = "kefu-bot") -> BotSpec:
    """kefu-bot exactly as deployed: `python -m bot run` (set DATABASE_URL, BOT_* in env)."""
    return BotSpec(name, (sys.executable, "-m", "bot", "run"), env)


def production_env(database: Path, owners: Iterable[int]) -> dict[str, str]:
    """kefu-bot settings as shipped (rate limiter on, Shanghai, English) on a SQLite file; owners manage."""
    return {
        "DATABASE_URL": f"sqlite://{database}",
        "BOT_OWNER_IDS": ",".join(map(str, owners)),
        "BOT_LOCALE": "en",
        "BOT_TIMEZONE": "Asia/Shanghai",
        "BOT_RATE_LIMIT": "true",
    }


def echo_bot(name: str = "echo-bot") -> BotSpec:
    """The bare PTB echo bot of bench/echo_bot.py, the baseline."""
    return BotSpec(name, (sys.executable, str(REPO / "bench" / "echo_bot.py")))


class BotProcess:
    """A running bot subprocess: its resource use, its log, and a clean stop."""

    def __init__(
        self, spec: BotSpec, process: asyncio.subprocess.Process, started_at: float, log_path: Path
    ) -> None:
        """Wrap a process spawned at monotonic time `started_at`."""
        self.spec = spec
        self.process = process
        self.started_at = started_at
        self.log_path = log_path
        self._ps = psutil.Process(process.pid)

    @property
    def pid(self) -> int:
        """The operating-system process id."""
        return self.process.pid

    def rss_mb(self) -> float:
        """Resident memory now, in MiB."""
        return float(self._ps.memory_info().rss) / MB

    def cpu_seconds(self) -> float:
        """User + system CPU time used so far."""
        times = self._ps.cpu_times()
        return float(times.user + times.system)

    def log_tail(self, lines: int = 25) -> str:
        """The end of the bot's combined stdout/stderr, for error messages."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    async def stop(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109
        """Interrupt (like Ctrl-C, so PTB shuts down cleanly), kill if it hangs; returns the exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode if self.process.returncode is not None else -1

    async def until_exit(self, awaitable: Awaitable[T], timeout: float, what: str) -> T:  # noqa: ASYNC109
        """Await something the bot should cause, failing fast (with its log) if it dies or times out."""
        task = asyncio.ensure_future(awaitable)
        died = asyncio.ensure_future(self.process.wait())
        try:
            await asyncio.wait({task, died}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            died.cancel()
        if task.done():
            return task.result()
        task.cancel()
        reason = f"exited with code {self.process.returncode}" if died.done() else f"timed out ({timeout}s)"
        raise RuntimeError(f"{self.spec.name} {reason} waiting for {what}; log:\n{self.log_tail()}")


def _open_log(path: Path) -> int:
    """A file descriptor for the child's output (sync: opening files blocks)."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)


async def spawn(spec: BotSpec, api: FakeBotApi, workdir: Path) -> BotProcess:
    """Start the bot against `api`, in `workdir` (so no stray .env is read), logging to workdir/<name>.log."""
    log_path = workdir / f"{spec.name}.log"
    pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "PYTHONPATH": pythonpath,
        "PYTHONUNBUFFERED": "1",
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        **spec.env,
    }
    log_fd = _open_log(log_path)
    try:
        started_at = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *spec.argv,
            cwd=workdir,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log_fd,
            stderr=asyncio.subprocess.STDOUT,
        )
    finally:
        os.close(log_fd)
    return BotProcess(spec, process, started_at, log_path)


# ---------------------------------------------------------------------- replies


@dataclass(frozen=True, slots=True)
class Reply:
    """The bot's answer to one injected update."""

    sent_at: float
    """When the update was queued on the fake server (monotonic)."""
    at: float
    """When the bot's send call arrived at the fake server (monotonic)."""
    text: str

    @property
    def latency(self) -> float:
        """Seconds from the update being available to the reply arriving."""
        return self.at - self.sent_at


class ReplyTracker:
    """Sends messages from users and matches the bot's replies to them, per chat and in order.

    It installs itself as the fake server's `on_call` hook, so each reply resolves its future in O(1),
    however many calls the server has recorded. One reply is expected per message sent.
    """

    def __init__(self, api: FakeBotApi, methods: Collection[str] = ("sendMessage",)) -> None:
        """Hook into `api`; replies are calls of `methods` carrying a chat_id."""
        self.api = api
        self.methods = frozenset(methods)
        self.failed = 0
        """Replies the fake server refused (non-200)."""
        self.unexpected = 0
        """Replies in a chat where nothing was outstanding."""
        self._pending: defaultdict[int, deque[tuple[float, asyncio.Future[Reply]]]] = defaultdict(deque)
        api.on_call = self._on_call

    def send(self, user_id: int, text: str) -> asyncio.Future[Reply]:
        """Queue `text` from `user_id` in their private chat; the future gets the bot's reply."""
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        sent_at = time.monotonic()
        self.api.message(user_id, user_id, text)
        self._pending[user_id].append((sent_at, future))
        return future

    def outstanding(self) -> int:
        """Messages sent that have no reply yet (including ones given up on)."""
        return sum(len(queue) for queue in self._pending.values())

    def _on_call(self, call: ApiCall) -> None:
        """Resolve the oldest outstanding message of the chat the bot answered in."""
        if call.method not in self.methods:
            return
        if call.status != 200:
            self.failed += 1
            return
        chat_id = call.params.get("chat_id")
        queue = self._pending.get(chat_id) if isinstance(chat_id, int) else None
        if not queue:
            self.unexpected += 1
            return
        sent_at, future = queue.popleft()
        if not future.done():  # a waiter that timed out has cancelled it: the late reply still pops it
            text = call.result.get("text", "") if isinstance(call.result, dict) else ""
            future.set_result(Reply(sent_at, call.at, str(text)))


# ---------------------------------------------------------------------- sessions


@dataclass(frozen=True)
class Startup:
    """How long the bot took to come up, from spawning the process."""

    first_get_updates: float
    """Seconds until its first getUpdates arrived (it is ready to receive)."""
    first_reply: float
    """Seconds until it answered the probe message queued before it started."""


@dataclass
class Session:
    """One bot process serving one fresh FakeBotApi with users registered."""

    api: FakeBotApi
    bot: BotProcess
    tracker: ReplyTracker
    startup: Startup
    probe: Reply
    """The bot's answer to the first message: shows what the benchmark is actually exercising."""


def register_users(api: FakeBotApi, users: Sequence[int]) -> None:
    """Users with names and @usernames, each with a private chat (chat id == user id)."""
    for user_id in users:
        api.user(user_id, f"User{user_id}", f"user{user_id}")
        api.private(user_id)


@asynccontextmanager
async def bot_session(
    spec: BotSpec,
    users: Sequence[int],
    workdir: Path,
    *,
    probe: str = "/start",
    timeout: float = STARTUP_TIMEOUT,  # noqa: ASYNC109
) -> AsyncIterator[Session]:
    """Start a fresh fake server and the bot; measure start-up; always stop the bot, then the server.

    The probe message is queued before the bot starts, so its first getUpdates returns at once and is
    recorded (an empty long poll would only be recorded when it times out); its arrival time is exact.
    """
    async with FakeBotApi() as api:
        register_users(api, users)
        tracker = ReplyTracker(api)
        first = tracker.send(users[0], probe)
        bot = await spawn(spec, api, workdir)
        try:
            reply = await bot.until_exit(first, timeout, "its first reply")
            polls = api.calls_to("getUpdates")
            startup = Startup(polls[0].at - bot.started_at, reply.at - bot.started_at)
            yield Session(api, bot, tracker, startup, reply)
        finally:
            await bot.stop()


# ---------------------------------------------------------------------- load


@dataclass(frozen=True)
class LatencyStats:
    """Percentiles of latency samples, in seconds (linear interpolation between ranks)."""

    count: int
    p50: float
    p90: float
    p99: float
    max: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> LatencyStats:
        """Summarise samples (all NaN if there are none)."""
        ordered = sorted(samples)
        return cls(
            len(ordered),
            percentile(ordered, 50),
            percentile(ordered, 90),
            percentile(ordered, 99),
            ordered[-1] if ordered else float("nan"),
        )


def percentile(ordered: Sequence[float], q: float) -> float:
    """The q-th percentile of already sorted values (NaN when empty)."""
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class CpuUse:
    """CPU over a window, in cores (1.0 = one core busy the whole time)."""

    bot: float
    """The bot process."""
    driver: float
    """This process: the fake server and the simulated users."""
    others: float
    """Everything else on the machine: should be ~0, or the figures are disturbed."""


@dataclass
class LoadResult:
    """What one load phase measured."""

    seconds: float
    """Length of the measured window."""
    sent: int
    """Messages sent in the window."""
    latencies: list[float]
    """Latency of every reply counted, in seconds."""
    lost: int
    """Messages that got no reply in time."""
    cpu: CpuUse

    @property
    def replies(self) -> int:
        """Replies counted."""
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        """Replies per second."""
        return self.replies / self.seconds if self.seconds > 0 else float("nan")

    @classmethod
    def combine(cls, results: Sequence[LoadResult]) -> LoadResult:
        """Several windows of the same kind of load as one (CPU averaged over time)."""
        seconds = sum(result.seconds for result in results)

        def mean(part: Callable[[CpuUse], float]) -> float:
            return sum(part(r.cpu) * r.seconds for r in results) / seconds if seconds else float("nan")

        return cls(
            seconds,
            sum(result.sent for result in results),
            [latency for result in results for latency in result.latencies],
            sum(result.lost for result in results),
            CpuUse(mean(lambda c: c.bot), mean(lambda c: c.driver), mean(lambda c: c.others)),
        )


def _busy_seconds() -> float:
    """CPU time all processes used so far, machine-wide."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


class CpuMeter:
    """CPU use of the bot, of this process and of the rest of the machine between start() and stop()."""

    def __init__(self, bot: BotProcess) -> None:
        """Measure `bot`, the current process and the machine."""
        self._bot = bot
        self._me = psutil.Process()
        self._t0 = self._bot0 = self._me0 = self._all0 = 0.0

    def _own(self) -> float:
        times = self._me.cpu_times()
        return float(times.user + times.system)

    def start(self) -> None:
        """Begin the window."""
        self._t0, self._bot0, self._me0, self._all0 = (
            time.monotonic(),
            self._bot.cpu_seconds(),
            self._own(),
            _busy_seconds(),
        )

    def stop(self) -> CpuUse:
        """CPU used since start()."""
        elapsed = max(time.monotonic() - self._t0, 1e-9)
        bot = (self._bot.cpu_seconds() - self._bot0) / elapsed
        driver = (self._own() - self._me0) / elapsed
        machine = (_busy_seconds() - self._all0) / elapsed
        return CpuUse(bot, driver, max(0.0, machine - bot - driver))


def _text_for(text: Text, user_id: int) -> str:
    return text if isinstance(text, str) else text(user_id)


async def _sleep_until(deadline: float) -> None:
    await asyncio.sleep(max(0.0, deadline - time.monotonic()))


async def warm_up(session: Session, users: Sequence[int], text: Text, timeout: float = 30.0) -> int:  # noqa: ASYNC109
    """Every user sends once and waits for the reply (first-seen work, caches); returns replies missing."""
    futures = [session.tracker.send(user, _text_for(text, user)) for user in users]
    _, pending = await session.bot.until_exit(asyncio.wait(futures, timeout=timeout), timeout + 5, "warm-up")
    for future in pending:
        future.cancel()
    return len(pending)


async def closed_loop(
    session: Session,
    users: Sequence[int],
    text: Text,
    *,
    seconds: float,
    warmup: float,
    reply_timeout: float = REPLY_TIMEOUT,
) -> LoadResult:
    """Each user sends, waits for the reply, sends again; counts replies arriving in the window after warm-up.

    This saturates the bot with len(users) messages in flight, so throughput = its capacity.
    """
    t0 = time.monotonic() + warmup
    t1 = t0 + seconds
    replies: list[Reply] = []
    lost = 0

    async def user_loop(user: int) -> None:
        nonlocal lost
        while time.monotonic() < t1:
            try:
                replies.append(
                    await asyncio.wait_for(session.tracker.send(user, _text_for(text, user)), reply_timeout)
                )
            except TimeoutError:
                lost += 1

    meter = CpuMeter(session.bot)
    tasks = [asyncio.create_task(user_loop(user)) for user in users]
    try:
        await _sleep_until(t0)
        meter.start()
        await _sleep_until(t1)
        cpu = meter.stop()
        await session.bot.until_exit(asyncio.gather(*tasks), reply_timeout + 5, "the last replies")
    finally:
        for task in tasks:
            task.cancel()
    counted = [reply for reply in replies if t0 <= reply.at < t1]
    sent = sum(1 for reply in replies if t0 <= reply.sent_at < t1)
    return LoadResult(seconds, sent, [r.latency for r in counted], lost, cpu)


async def open_loop(
    session: Session,
    users: Sequence[int],
    text: Text,
    *,
    rate: float,
    seconds: float,
    drain: float = REPLY_TIMEOUT,
) -> LoadResult:
    """Send `rate` messages per second for `seconds`, round-robin over users, whatever the bot does.

    Latency here is what a user feels at that load; waits up to `drain` seconds for the last replies.
    """
    count = max(1, round(rate * seconds))
    start = time.monotonic() + 0.05
    futures: list[asyncio.Future[Reply]] = []
    meter = CpuMeter(session.bot)
    meter.start()
    for i in range(count):
        await _sleep_until(start + i / rate)
        user = users[i % len(users)]
        futures.append(session.tracker.send(user, _text_for(text, user)))
    window = time.monotonic() - start
    done, pending = await session.bot.until_exit(asyncio.wait(futures, timeout=drain), drain + 5, "replies")
    cpu = meter.stop()
    for future in pending:
        future.cancel()
    latencies = [future.result().latency for future in futures if future in done]
    return LoadResult(window, count, latencies, len(pending), cpu)


# ---------------------------------------------------------------------- reporting


def machine() -> str:
    """One line about where the figures come from."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpus = psutil.cpu_count() or 0
    memory = psutil.virtual_memory().total / (1024 * MB)
    return (
        f"{cpus} CPUs{f' ({model})' if model else ''}, {memory:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def ms(seconds: float) -> str:
    """Seconds as milliseconds for tables."""
    return f"{seconds * 1000:.1f}"
