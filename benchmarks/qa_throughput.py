"""Q&A throughput: the real Netral bot vs a bare python-telegram-bot echo bot, over HTTP.

Run: .venv/bin/python benchmarks/qa_throughput.py [--users N] [--per-user M] [--rounds R]
                                                   [--modes limited,raw]

Both bots poll the same fake Bot API server (tests/botapi) on 127.0.0.1. Netral is the
production application object (`build_application` + `running`, SQLite persistence, the real
rulebook); the echo bot is an Application with one MessageHandler replying with the text, built
with the same HTTPXRequest and AIORateLimiter settings and run by the same `running()`.

N simulated users each ask M questions from tests/data/questions.yaml, one at a time (the next
after the answer arrives), all users at once. Throughput is answers / (last answer - first
send); latency is from the server queueing the user's message to the server storing the bot's
reply (so it includes the long-poll pickup). Each user asks one unmeasured warm-up question
first. The two bots run alternately for R rounds; the medians are reported.

Each bot runs in its own child process (like production, where it has the core to itself); the
fake server and the simulated users run in this process. The machine has few cores, so the
server's HTTP/JSON work still competes with the bot for CPU: the figures are a lower bound.

Modes: "limited" = the production settings, where AIORateLimiter caps every bot at 30 messages/s
(Telegram's global limit), so both bots may sit at the cap; "raw" = the same bots with a
pass-through rate limiter, which shows the processing capacity behind the cap.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing as mp
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _harness import ROOT, BenchApi, machine, make_config, percentile
from telegram import Update
from telegram.ext import AIORateLimiter, Application, BaseRateLimiter, ContextTypes, MessageHandler
from telegram.ext import filters as ptb_filters
from telegram.request import HTTPXRequest

from bot.evaluation import load_items

USER_BASE_ID = 4_100_000_000


class PassThroughLimiter(BaseRateLimiter[int]):
    """No client-side throttling ("raw" mode); accepts AIORateLimiter's arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        return await callback(*args, **kwargs)


# ---------------------------------------------------------------------------- child process


def _cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text)


def echo_application(api_url: str, poll_timeout: int, raw: bool) -> Application:
    """A bare PTB bot with the same request and rate-limiter settings as bot.app."""
    app = (
        Application.builder()
        .token("123456:TEST")
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .rate_limiter(PassThroughLimiter() if raw else AIORateLimiter(max_retries=5))
        .request(HTTPXRequest(connection_pool_size=16, read_timeout=15, connect_timeout=10))
        .get_updates_request(HTTPXRequest(read_timeout=poll_timeout + 15))
        .build()
    )
    app.add_handler(MessageHandler(ptb_filters.TEXT & ~ptb_filters.COMMAND, _echo))
    return app


async def _serve(kind: str, raw: bool, api_url: str, db_path: str, conn) -> None:
    import bot.app as bot_app
    from bot.qa import QA

    loop = asyncio.get_running_loop()
    db = None
    if kind == "netral":
        from bot.matcher import Matcher
        from bot.rulebook import load_rulebook
        from bot.storage import Database

        if raw:  # build_application calls AIORateLimiter(max_retries=5)
            bot_app.AIORateLimiter = PassThroughLimiter
        config = make_config(api_url, Path(db_path))
        db = await Database.open(config.storage.path)
        qa = QA(Matcher(load_rulebook(), config.matcher), db)
        app = bot_app.build_application(config, qa, db=db)
        if raw and not isinstance(app.bot.rate_limiter, PassThroughLimiter):
            raise RuntimeError("build_application no longer uses bot.app.AIORateLimiter")
    else:
        app = echo_application(api_url, 1, raw)
        # running() reads the mode (polling/webhook) from here; the echo bot uses nothing else
        app.bot_data["config"] = make_config(api_url, Path(db_path))
    try:
        async with bot_app.running(app):
            conn.send("ready")
            while True:
                command = await loop.run_in_executor(None, conn.recv)
                if command == "cpu":
                    conn.send(_cpu_seconds())
                else:
                    break
    finally:
        if db is not None:
            await db.close()
    conn.send("stopped")


def bot_process(kind: str, raw: bool, api_url: str, db_path: str, conn) -> None:
    """Entry point of a child process: run one bot until told to stop."""
    logging.basicConfig(level=logging.WARNING, format="[bot] %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    asyncio.run(_serve(kind, raw, api_url, db_path, conn))


# ---------------------------------------------------------------------------- parent: driver


@dataclass
class RoundResult:
    bot: str
    answered: int
    errors: int
    per_second: float
    p50_ms: float
    p99_ms: float
    bot_cpu_ms: float  # bot process CPU per answered message
    server_cpu_ms: float  # this process (server + simulated users) CPU per answered message


async def _user(api: BenchApi, user, chat, questions: list[str], echo: bool) -> list[tuple]:
    """Ask the questions one after another; (sent, answered, ok) per question."""
    out = []
    for q in questions:
        sent = time.perf_counter()
        api.send_text(user, chat, q)
        answered, message = await api.next_message(chat.id, timeout=60)
        text = message.get("text") or ""
        ok = text.strip() == q.strip() if echo else bool(text.strip())
        out.append((sent, answered, ok))
    return out


async def one_round(
    api: BenchApi, kind: str, raw: bool, people: list, questions: list[list[str]], db: Path
) -> RoundResult:
    loop = asyncio.get_running_loop()
    ctx = mp.get_context("spawn")
    parent_end, child_end = ctx.Pipe()
    proc = ctx.Process(
        target=bot_process, args=(kind, raw, api.url, str(db), child_end), daemon=True
    )
    api.reset()
    proc.start()

    async def recv(timeout: float = 120.0) -> Any:
        deadline = time.monotonic() + timeout
        while not await loop.run_in_executor(None, parent_end.poll, 0.5):
            if proc.exitcode is not None:
                raise RuntimeError(f"{kind} bot process exited with code {proc.exitcode}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{kind} bot process did not answer within {timeout}s")
        return parent_end.recv()

    try:
        assert await recv() == "ready"
        echo = kind == "echo"
        # warm-up: one unmeasured question per user
        await asyncio.gather(
            *(_user(api, u, c, qs[:1], echo) for (u, c), qs in zip(people, questions, strict=True))
        )
        parent_end.send("cpu")
        bot_cpu0 = await recv()
        own_cpu0 = _cpu_seconds()
        results = await asyncio.gather(
            *(_user(api, u, c, qs[1:], echo) for (u, c), qs in zip(people, questions, strict=True))
        )
        own_cpu1 = _cpu_seconds()
        parent_end.send("cpu")
        bot_cpu1 = await recv()
        parent_end.send("stop")
        assert await recv() == "stopped"
    finally:
        await loop.run_in_executor(None, proc.join, 15)
        if proc.is_alive():  # only our own child, by its handle
            proc.terminate()
            await loop.run_in_executor(None, proc.join, 5)
    flat = [r for user in results for r in user]
    first = min(s for s, _, _ in flat)
    last = max(a for _, a, _ in flat)
    lat = sorted((a - s) * 1000 for s, a, _ in flat)
    n = len(flat)
    return RoundResult(
        bot=kind,
        answered=n,
        errors=sum(1 for *_, ok in flat if not ok),
        per_second=n / (last - first),
        p50_ms=percentile(lat, 50),
        p99_ms=percentile(lat, 99),
        bot_cpu_ms=(bot_cpu1 - bot_cpu0) * 1000 / n,
        server_cpu_ms=(own_cpu1 - own_cpu0) * 1000 / n,
    )


def _row(label: str, r: RoundResult) -> str:
    return (
        f"{label:>7} {r.bot:>7} {r.answered:>8} {r.errors:>6} {r.per_second:>8.1f} "
        f"{r.p50_ms:>7.0f} {r.p99_ms:>7.0f} {r.bot_cpu_ms:>10.2f} {r.server_cpu_ms:>12.2f}"
    )


def _median(rs: list[RoundResult]) -> RoundResult:
    def med(attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in rs)

    return RoundResult(
        rs[0].bot, int(med("answered")), int(med("errors")), med("per_second"), med("p50_ms"),
        med("p99_ms"), med("bot_cpu_ms"), med("server_cpu_ms"),
    )  # fmt: skip


async def run(args: argparse.Namespace) -> None:
    items = [it.q for it in load_items(ROOT / "tests/data/questions.yaml")]
    per_user = args.per_user + 1  # + the warm-up question
    questions = [
        [items[(u * per_user + j) % len(items)] for j in range(per_user)] for u in range(args.users)
    ]
    print(machine())
    print(
        f"load: {args.users} users x {args.per_user} questions (+1 warm-up each), one at a time"
        f" per user, all users at once; {args.rounds} rounds per bot, alternating"
    )
    print(
        "setup: each bot in its own child process; the fake Bot API server (aiohttp) and the"
        " simulated users in this process. NOTE: the fake server is not free - its HTTP/JSON"
        " work runs on the same cores as the bot (see 'server CPU'), so absolute rates are a"
        " lower bound for real Telegram."
    )
    api = BenchApi()
    await api.start(host="127.0.0.1", port=0)
    try:
        people = []
        for u in range(args.users):
            user = api.user(USER_BASE_ID + u, f"Penanya{u}", language_code="id")
            people.append((user, api.private_chat(user)))
        with tempfile.TemporaryDirectory(prefix="netral-bench-") as tmp:
            for mode in args.modes:
                raw = mode == "raw"
                if raw:
                    print(
                        "\nmode raw: pass-through rate limiter in both bots (processing"
                        " capacity, not what production sends)"
                    )
                else:
                    print(
                        "\nmode limited: production settings (AIORateLimiter: 30 msg/s"
                        " overall, 20/min per group, max_retries=5; HTTPXRequest pool 16)"
                    )
                print(
                    f"{'round':>7} {'bot':>7} {'answered':>8} {'errors':>6} {'msg/s':>8} "
                    f"{'p50 ms':>7} {'p99 ms':>7} {'bot CPU ms':>10} {'server CPU ms':>12}"
                )
                got: dict[str, list[RoundResult]] = {"netral": [], "echo": []}
                for r in range(args.rounds):
                    order = ("netral", "echo") if r % 2 == 0 else ("echo", "netral")
                    for kind in order:
                        db = Path(tmp) / f"{kind}-{mode}-{r}.db"
                        res = await one_round(api, kind, raw, people, questions, db)
                        got[kind].append(res)
                        print(_row(str(r + 1), res), flush=True)
                netral, echo = _median(got["netral"]), _median(got["echo"])
                print(_row("median", netral))
                print(_row("median", echo))
                ratio = netral.per_second / echo.per_second
                verdict = "meets" if ratio >= 0.8 else "BELOW"
                print(
                    f"  {mode}: Netral {netral.per_second:.1f} msg/s vs echo"
                    f" {echo.per_second:.1f} msg/s = {ratio:.2f}x ({verdict} the 0.8x goal);"
                    f" bot CPU per answer {netral.bot_cpu_ms:.2f} ms vs"
                    f" {echo.bot_cpu_ms:.2f} ms"
                )
                if not raw and min(netral.per_second, echo.per_second) >= 0.9 * 30:
                    print(
                        "  (both bots sit at the 30 msg/s AIORateLimiter cap: this ratio says"
                        " Netral keeps up with production's ceiling, not how fast it is; see"
                        " raw mode and bot CPU)"
                    )
    finally:
        await api.stop()
    print(
        "\ncolumns: msg/s = answers / (last answer - first send); p50/p99 = per-message round"
        " trip; bot CPU ms = the bot process's user+sys CPU per answer (incl. its SQLite"
        " thread); server CPU ms = this process (fake server + simulated users) per answer"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--per-user", type=int, default=6, help="measured questions per user")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--modes", default="limited,raw", help="comma list of: limited, raw")
    args = ap.parse_args()
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not set(args.modes) <= {"limited", "raw"} or not args.modes:
        ap.error("--modes takes limited and/or raw")
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
