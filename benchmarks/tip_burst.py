"""Tip burst: storing 1,000 tips, delivering them against the group flood limit, peak memory.

Run: .venv/bin/python benchmarks/tip_burst.py [--tips N] [--repeat R] [--e2e-tips K]
                        [--time-scale S] [--deliver-seconds T] [--per-chat P]

(a) Storing. N tips from N different reporters are submitted at once straight to
    `TipStore.submit` on a real SQLite file (WAL, synchronous=FULL: the durable-store path; R
    runs into fresh files, the median is shown), then K reporters walk the whole /lapor form at
    once through the real application over HTTP (`build_application` + `running` against the
    fake Bot API server on 127.0.0.1), one photo and one link each, until each gets its receipt
    code.
(b) Delivery. The real application (its outbox job, `drain_outbox`) delivers the N stored tips
    to the moderation supergroup while the fake server enforces Telegram-like limits with
    `set_flood_limits(per_group_per_minute=20, time_scale=S)`: also 1 msg/s per chat (see
    --per-chat) and 30/s overall, all scaled, in strict sliding windows without the tolerance
    for short bursts that Telegram has. So that the bot's own throttle runs on the same
    compressed clock, the AIORateLimiter that `build_application` creates gets its periods
    multiplied by S (identity at S=1). The server still answers a 429 with a whole-second
    retry_after (at least 1 real s), so at S < 1 each 429 costs more scaled time than it would
    in reality. Delivery stops after T real seconds or when the outbox is empty; the drain time
    of all N tips is projected.
(c) Memory. ru_maxrss of this process after each phase (the fake server and its records live
    in the same process), and tracemalloc peaks (Python heap) in separate passes: a repeat of
    the direct burst into a fresh database, and the delivery phase. The timed phases run
    without tracemalloc.
Evidence mix of the N direct tips, by tip number mod 4: none; one photo; one link; a 3-photo
album plus a link, i.e. 1, 2, 2 and 5 Telegram messages per tip.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import re
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from _harness import MOD_CHAT_ID, BenchApi, machine, make_config, percentile
from PIL import Image
from telegram.ext import AIORateLimiter

import bot.app as bot_app
from bot.config import Config
from bot.matcher import Matcher
from bot.privacy import load_secrets
from bot.qa import QA
from bot.rulebook import load_rulebook
from bot.storage import Database
from bot.tips import CATEGORIES, Evidence, TipDraft
from bot.tips_store import TipStore

DIRECT_USER_BASE = 5_000_000_000
E2E_USER_BASE = 6_000_000_000
CODE = re.compile(r"NTR-[0-9A-Z]{4}-[0-9A-Z]{4}")


def jpeg(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (seed * 40 % 256, 90, 200 - seed * 30 % 200)).save(buf, "JPEG")
    return buf.getvalue()


def fstype(path: Path) -> str:
    """The filesystem type of the mount holding path (Linux), for the record."""
    best, kind = "", "?"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            mount = parts[1]
            if str(path).startswith(mount) and len(mount) > len(best):
                best, kind = mount, parts[2]
    except OSError:
        pass
    return kind


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def draft_for(i: int, photos: list[str]) -> TipDraft:
    photo = [
        Evidence("photo", file_id=photos[k % len(photos)], mime_type="image/jpeg")
        for k in range(i, i + 3)
    ]
    link = Evidence("link", url=f"https://instagram.com/p/bench{i}")
    evidence = [[], photo[:1], [link], [*photo, link]][i % 4]
    return TipDraft(
        category=CATEGORIES[i % len(CATEGORIES)],
        description=f"Laporan uji {i}: ASN membagikan poster paslon dan ajakan memilih di grup WA"
        " kantor pada jam kerja.",
        asn_name=f"Pegawai Uji {i}",
        asn_agency="Dinas Pendidikan Kab. Sukamaju",
        asn_nip="198001012005011001" if i % 2 else "",
        region="Kabupaten Sukamaju",
        place="Grup WhatsApp kantor",
        occurred_on="2026-11-20",
        evidence=evidence,
        witnesses="Rekan satu ruangan" if i % 3 == 0 else "",
    )


def messages_for(draft: TipDraft) -> int:
    """Telegram messages a tip becomes in the group: card + one per evidence item."""
    return 1 + len(draft.evidence)


async def open_store(config: Config, path: Path) -> tuple[Database, TipStore]:
    db = await Database.open(str(path))
    key, cipher = load_secrets(config.tips)
    return db, TipStore(db, key, cipher, config.tips, config.moderation)


async def direct_burst(config: Config, path: Path, n: int, photos: list[str]) -> dict:
    """Submit n tips at once through TipStore.submit; time until each and all are stored."""
    db, store = await open_store(config, path)
    drafts = [draft_for(i, photos) for i in range(n)]
    done: list[float] = []

    async def one(i: int) -> None:
        await store.submit(DIRECT_USER_BASE + i, drafts[i])
        done.append(time.perf_counter())

    try:
        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        total = time.perf_counter() - start
        (stored,) = await (await db.conn.execute("SELECT COUNT(*) FROM tips")).fetchone()
        pending, _ = await store.pending_count()
    finally:
        await db.close()
    done.sort()
    since_start = [(t - start) * 1000 for t in done]
    gaps = [(b - a) * 1000 for a, b in zip([start, *done[:-1]], done, strict=True)]
    return {
        "stored": stored,
        "pending": pending,
        "seconds": total,
        "per_second": n / total,
        "p50": percentile(since_start, 50),
        "p99": percentile(since_start, 99),
        "commit_ms": statistics.median(gaps),
        "messages": sum(messages_for(d) for d in drafts),
    }


# ---------------------------------------------------------------------------- (a) end to end


async def walk_form(api: BenchApi, user, chat, i: int) -> dict:
    """One reporter through the whole form; the bot's reply latency per step."""
    replies: list[float] = []

    async def step(action, count: int = 1) -> list[dict]:
        sent = time.perf_counter()
        action()
        got = []
        for _ in range(count):
            arrived, message = await api.next_message(chat.id, timeout=180)
            got.append(message)
        replies.append((arrived - sent) * 1000)
        return got

    def text(value: str):
        return lambda: api.send_text(user, chat, value)

    def press(message: dict, data: str):
        return lambda: api.press_button(user, message, data)

    start = time.perf_counter()
    (intro,) = await step(text("/lapor"))
    (cat,) = await step(press(intro, "lp:next"))
    await step(press(cat, f"lp:cat:{CATEGORIES[i % len(CATEGORIES)]}"))
    await step(text(f"Kepala seksi {i} membagikan poster paslon dan ajakan memilih di IG"))
    await step(text("Budi Santoso"))
    (position,) = await step(text("Dinas Pendidikan Kab. Sukamaju"))
    await step(press(position, "lp:skip"))
    await step(text("19800101 200501 1 001"))
    await step(text("Kabupaten Sukamaju"))
    await step(text("Kantor dinas, ruang rapat"))
    (evidence_prompt,) = await step(text("kemarin"))
    await step(lambda: api.send_photo(user, chat, jpeg(i)))
    await step(text(f"lihat juga https://tiktok.com/@akun/video/{i}"))
    await step(press(evidence_prompt, "lp:done"))
    (summary,) = await step(text("Rekan satu ruangan"))
    send = time.perf_counter()
    thanks, _notify = await step(press(summary, "lp:send"), count=2)
    end = time.perf_counter()
    code = CODE.search(thanks.get("text") or "")
    return {
        "start": start,
        "end": end,
        "form_s": end - start,
        "kirim_ms": (end - send) * 1000,
        "replies": replies,
        "ok": code is not None,
    }


async def e2e_burst(api: BenchApi, config: Config, qa_rulebook, k: int) -> dict:
    db = await Database.open(config.storage.path)
    qa = QA(Matcher(qa_rulebook, config.matcher), db)
    app = bot_app.build_application(config, qa, db=db)
    people = []
    for i in range(k):
        user = api.user(E2E_USER_BASE + i, f"Pelapor{i}", language_code="id")
        people.append((user, api.private_chat(user)))
    try:
        async with bot_app.running(app):
            results = await asyncio.gather(
                *(walk_form(api, u, c, i) for i, (u, c) in enumerate(people))
            )
            cut_outbox_round(api)  # its deliveries to the group are not part of this phase
            reporters = {c.id for _, c in people}
            to_reporters = sum(1 for r in api.sent if r["chat_id"] in reporters)
        api.faults.rules.clear()
        logging.getLogger("handlers.delivery").setLevel(logging.NOTSET)
        (stored,) = await (await db.conn.execute("SELECT COUNT(*) FROM tips")).fetchone()
    finally:
        await db.close()
    first = min(r["start"] for r in results)
    last = max(r["end"] for r in results)
    forms = sorted(r["form_s"] for r in results)
    kirim = sorted(r["kirim_ms"] for r in results)
    replies = sorted(x for r in results for x in r["replies"])
    return {
        "ok": sum(r["ok"] for r in results), "stored": stored, "seconds": last - first,
        "form_p50": percentile(forms, 50), "form_p99": percentile(forms, 99),
        "kirim_p50": percentile(kirim, 50), "kirim_p99": percentile(kirim, 99),
        "reply_p50": percentile(replies, 50), "reply_p99": percentile(replies, 99),
        "updates": len(replies), "to_reporters": to_reporters,
    }  # fmt: skip


# ---------------------------------------------------------------------------- (b) delivery


def scaled_rate_limiter(scale: float, made: list[AIORateLimiter]):
    """AIORateLimiter with Telegram's defaults on a clock compressed by `scale`."""

    def factory(*args, **kwargs) -> AIORateLimiter:
        limiter = AIORateLimiter(
            *args, overall_time_period=1 * scale, group_time_period=60 * scale, **kwargs
        )
        made.append(limiter)
        return limiter

    return factory


def cut_outbox_round(api: BenchApi) -> None:
    """Before leaving running(): app.stop() waits for the outbox worker's current round (up to
    100 entries, paced by the rate limiter); the next send to the group gets a 502 instead, so
    drain_outbox breaks off. Call api.faults.rules.clear() after the app has stopped."""
    logging.getLogger("handlers.delivery").setLevel(logging.ERROR)  # its 'will retry' warning
    api.fail_next(chat_id=MOD_CHAT_ID, status=502, count=1)


def max_in_window(times: list[float], window: float) -> int:
    """The most messages in any half-open interval (t - window, t]."""
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while times[lo] <= t - window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def deliver(
    api: BenchApi,
    config: Config,
    qa_rulebook,
    db_path: Path,
    scale: float,
    seconds: float,
    total_messages: int,
    per_chat: int | None,
) -> dict:
    group = MOD_CHAT_ID
    api.reset()
    api.set_flood_limits(per_chat_per_second=per_chat, per_group_per_minute=20, time_scale=scale)
    db = await Database.open(str(db_path))
    qa = QA(Matcher(qa_rulebook, config.matcher), db)
    original, made = bot_app.AIORateLimiter, []
    bot_app.AIORateLimiter = scaled_rate_limiter(scale, made)
    try:
        app = bot_app.build_application(config, qa, db=db)
    finally:
        bot_app.AIORateLimiter = original
    if not made or app.bot.rate_limiter is not made[-1]:
        raise RuntimeError("build_application no longer uses bot.app.AIORateLimiter; update me")
    tracemalloc.start()
    arrivals: list[float] = []
    try:
        async with bot_app.running(app):
            store: TipStore = app.bot_data["tips"]
            start = time.perf_counter()
            deadline = start + seconds
            while time.perf_counter() < deadline:
                try:
                    arrived, _ = await api.next_message(group, timeout=0.5)
                    arrivals.append(arrived)
                except TimeoutError:
                    if (await store.pending_count())[0] == 0:
                        break
            elapsed = time.perf_counter() - start
            # the figures are taken here, at the end of the window ...
            calls = list(api.calls)
            rejections, violations = api.flood_rejections, len(api.violations)
            pending, _ = await store.pending_count()
            (retried,) = await (
                await db.conn.execute("SELECT COUNT(*) FROM outbox WHERE attempts > 0")
            ).fetchone()
            cut_outbox_round(api)  # ... then the worker stops
    finally:
        _, heap_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        api.disable_flood_limits()
        api.faults.rules.clear()
        await db.close()
    minute = 60 * scale
    rel = [t - start for t in arrivals]
    per_minute = Counter(int(t // minute) for t in rel)
    full = int(elapsed // minute)  # complete scaled minutes only
    counts = [per_minute.get(m, 0) for m in range(full)]
    to_group = [c for c in calls if str(c.get("params", {}).get("chat_id")) == str(group)]
    retry_after = [
        int(c["description"].rsplit(" ", 1)[-1]) for c in to_group if c.get("status") == 429
    ]
    delivered = len(arrivals)
    return {
        "delivered": delivered, "elapsed": elapsed, "minute": minute, "counts": counts,
        "requests": sum(1 for c in to_group if c.get("status") == 200),
        "max_window": max_in_window(rel, minute), "rate": delivered / (elapsed / minute),
        "rejections": rejections, "http_429": len(retry_after),
        "paused": sum(r + 0.1 for r in retry_after),  # AIORateLimiter sleeps retry_after + 0.1
        "violations": violations, "retried_entries": retried, "pending": pending,
        "heap_peak": heap_peak, "total_messages": total_messages,
    }  # fmt: skip


# ---------------------------------------------------------------------------- main


async def run(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    # AIORateLimiter logs every RetryAfter it absorbs at INFO; they are counted below instead
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.WARNING)
    print(machine())
    rulebook = load_rulebook()
    api = BenchApi()
    await api.start(host="127.0.0.1", port=0)
    api.group(MOD_CHAT_ID, "Moderator Bawaslu")
    photos = [api.store_file("photo", jpeg(s)).file_id for s in range(4)]
    rss: list[tuple[str, float]] = [("start (rulebook loaded, server up)", rss_mib())]
    try:
        with tempfile.TemporaryDirectory(prefix="netral-tips-") as tmp_name:
            tmp = Path(tmp_name)
            print(
                f"SQLite files in {tmp} ({fstype(tmp)}), WAL, synchronous=FULL; fake Bot API"
                f" server, bot and simulated users share this one process"
            )

            config = make_config(api.url, tmp / "direct-0.db")
            runs = [
                await direct_burst(config, tmp / f"direct-{r}.db", args.tips, photos)
                for r in range(args.repeat)
            ]  # fresh file each; run 0 feeds (b)
            a = sorted(runs, key=lambda x: x["seconds"])[len(runs) // 2]
            rss.append(("after (a) direct burst", rss_mib()))
            print(
                f"\n(a) store, direct: {args.tips} tips submitted at once via TipStore.submit,"
                f" {args.repeat} runs into fresh files, median run shown"
            )
            each = ", ".join(f"{x['seconds']:.2f}" for x in runs)
            print(
                f"    all stored in {a['seconds']:.2f} s = {a['per_second']:.0f} tips/s (runs:"
                f" {each} s); one transaction +"
                f" WAL checkpoint each, serialised; median commit {a['commit_ms']:.1f} ms"
            )
            print(
                f"    time from burst start until a tip is stored: p50 {a['p50']:.0f} ms,"
                f" p99 {a['p99']:.0f} ms; rows: {a['stored']} tips, {a['pending']} outbox"
                f" entries pending = {a['messages']} Telegram messages to deliver"
            )

            if args.e2e_tips:
                e2e_config = make_config(api.url, tmp / "e2e.db")
                e = await e2e_burst(api, e2e_config, rulebook, args.e2e_tips)
                rss.append(("after (a) end-to-end burst", rss_mib()))
                print(
                    f"\n(a) store, end to end over HTTP: {args.e2e_tips} reporters walk /lapor"
                    f" at once (16 steps, 1 photo + 1 link each)"
                )
                print(
                    f"    {e['ok']}/{args.e2e_tips} got a receipt code, {e['stored']} tips in"
                    f" the database; first /lapor to last receipt {e['seconds']:.1f} s"
                    f" = {args.e2e_tips / e['seconds'] * 60:.0f} tips/min"
                )
                print(
                    f"    whole form per reporter: p50 {e['form_p50']:.1f} s, p99"
                    f" {e['form_p99']:.1f} s; 'Kirim' to receipt: p50 {e['kirim_p50']:.0f}"
                    f" ms, p99 {e['kirim_p99']:.0f} ms"
                )
                print(
                    f"    bot reply per step ({e['updates']} steps, all reporters queued on"
                    f" one bot): p50 {e['reply_p50']:.0f} ms, p99 {e['reply_p99']:.0f} ms"
                )
                out_rate = e["to_reporters"] / e["seconds"]
                print(
                    f"    the bot sent {e['to_reporters']} messages to reporters in"
                    f" {e['seconds']:.1f} s = {out_rate:.1f}/s"
                    + (
                        ": that is AIORateLimiter's 30 msg/s overall cap (Telegram's limit),"
                        " so this phase is paced by the cap, not by CPU"
                        if 27 <= out_rate <= 33 and e["to_reporters"] >= 300
                        else ""
                    )
                )

            d = await deliver(
                api,
                config,
                rulebook,
                tmp / "direct-0.db",
                args.time_scale,
                args.deliver_seconds,
                a["messages"],
                args.per_chat or None,
            )
            rss.append(("after (b) delivery", rss_mib()))
            s = args.time_scale
            print(
                f"\n(b) delivery of the {args.tips} stored tips to the moderation supergroup by"
                f" the real outbox worker"
            )
            per_chat = (
                f"{args.per_chat}/scaled s per chat" if args.per_chat else "no per-chat limit"
            )
            print(
                f"    time scale S = {s}: one scaled minute = {d['minute']:.1f} real s; server"
                f" limits 20 msgs/scaled min per group, {per_chat}, 30/scaled s overall"
                f" (strict sliding windows); bot AIORateLimiter periods x S"
            )
            print(
                f"    ran {d['elapsed']:.1f} real s = {d['elapsed'] / d['minute']:.1f} scaled"
                f" min: {d['delivered']} messages reached the group ({d['requests']} API"
                f" requests; albums count one message per photo), {d['pending']} outbox"
                f" entries still pending"
            )
            counts = d["counts"]
            shown = " ".join(str(c) for c in counts[:30]) + (" ..." if len(counts) > 30 else "")
            mean = statistics.mean(counts[1:]) if len(counts) > 1 else float("nan")
            print(f"    messages per scaled minute: {shown}")
            print(
                f"    mean {mean:.1f}/scaled min after the first minute; max in any sliding"
                f" scaled minute: {d['max_window']} (limit 20)"
            )
            print(
                f"    429 answers: {d['http_429']} (flood_rejections {d['rejections']}); the bot"
                f" was told to pause {d['paused']:.1f} real s in all (retry_after + 0.1 s each);"
                f" violations (requests before retry_after ran out): {d['violations']}; outbox"
                f" entries whose send failed after the limiter's 5 retries:"
                f" {d['retried_entries']}"
            )
            total = d["total_messages"]
            ideal = total / 20
            observed = total / d["rate"] if d["rate"] else float("inf")
            print(
                f"    projected real-time drain of all {args.tips} tips = {total} messages: at"
                f" 20 msgs/min {ideal:.0f} min ({ideal / 60:.1f} h); at the rate observed here"
                f" ({d['rate']:.1f}/scaled min) {observed:.0f} min ({observed / 60:.1f} h)"
            )
            if s < 1 and d["http_429"]:
                print(
                    f"    caveat: retry_after is whole real seconds (>= 1 s) at any time scale,"
                    f" so at S = {s} each 429 costs >= {1 / s:.0f} scaled s instead of >= 1 s;"
                    f" the observed-rate projection is pessimistic - rerun with --time-scale 1"
                    f" for real-time behaviour"
                )

            # (c) memory pass: the direct burst again, into a fresh database, under tracemalloc
            tracemalloc.start()
            await direct_burst(config, tmp / "direct-mem.db", args.tips, photos)
            _, store_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rss.append(("after (c) tracemalloc pass", rss_mib()))
    finally:
        await api.stop()
    print("\n(c) memory of this process (bot + fake server + simulated users)")
    for label, value in rss:
        print(f"    ru_maxrss {label}: {value:.0f} MiB")
    print(
        f"    tracemalloc peak (Python heap): {store_peak / 2**20:.1f} MiB during a"
        f" {args.tips}-tip direct burst (separate untimed pass);"
        f" {d['heap_peak'] / 2**20:.1f} MiB during (b) delivery"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tips", type=int, default=1000, help="tips in the direct burst")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the direct burst (median)")
    ap.add_argument(
        "--e2e-tips", type=int, default=50, help="reporters walking the form over HTTP (0: skip)"
    )
    ap.add_argument(
        "--time-scale",
        type=float,
        default=0.05,
        help="server and bot flood-limit clock: 0.05 makes a minute 3 s",
    )
    ap.add_argument(
        "--deliver-seconds",
        type=float,
        default=60.0,
        help="real seconds of delivery before projecting (stops early when done)",
    )
    ap.add_argument(
        "--per-chat",
        type=int,
        default=1,
        help="server limit of messages per (scaled) second in one chat; 0: off",
    )
    args = ap.parse_args()
    if args.tips < 1 or args.repeat < 1 or args.time_scale <= 0:
        ap.error("--tips and --repeat must be >= 1 and --time-scale > 0")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
