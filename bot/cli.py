"""`netralbot` command line: ask, chat, run, rules check, unanswered."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

from bot.answers import Renderer
from bot.config import Config, ConfigError, load_config
from bot.matcher import Decision
from bot.qa import QA, decision_json
from bot.rulebook import RulebookError, load_rulebook


def _fail(message: str, code: int = 2) -> int:
    print(f"netralbot: {message}", file=sys.stderr)
    return code


def _print_rulebook_error(exc: RulebookError) -> None:
    print("netralbot: the rulebook is invalid:", file=sys.stderr)
    for p in exc.problems:
        print(f"  {p}", file=sys.stderr)


def _qa(config: Config, rulebook: str | None) -> QA:
    return QA.from_path(rulebook or config.rulebook.path or None, config.matcher)


def render_decision(decision: Decision) -> str:
    """Readable terminal text for one decision."""
    r = Renderer(decision.lang, html_mode=False)
    if decision.kind == "answer" and decision.rule:
        return r.answer(decision.rule, decision.also)
    if decision.kind == "suggest":
        lines = [r.tx("did_you_mean")]
        lines += [
            f"  {n}. {c.rule.title.get(decision.lang)}"
            for n, c in enumerate(decision.suggestions, 1)
        ]
        return "\n".join(lines)
    return r.tx("dont_know")


def cmd_ask(args: argparse.Namespace, config: Config) -> int:
    qa = _qa(config, args.rulebook)
    if args.question:
        questions: list[str] = [" ".join(args.question)]
    elif not sys.stdin.isatty():
        questions = [line.rstrip("\n") for line in sys.stdin]
        questions = [q for q in questions if q.strip()]
    else:
        return _fail("ask: give a QUESTION, or pipe one question per line on standard input")
    for q in questions:
        decision = qa.decide(q, args.lang)
        if args.json:
            print(json.dumps(decision_json(decision), ensure_ascii=False), flush=True)
        else:
            print(render_decision(decision))
            if len(questions) > 1:
                print("-" * 40)
    return 0


def chat_loop(qa: QA, stdin: TextIO, stdout: TextIO, lang: str | None = None) -> None:
    """Offline terminal session on the same core as the bot."""
    rb = qa.rulebook
    intro = {
        "id": "Netral (offline). Ketik pertanyaan; angka untuk memilih saran; 'topik' untuk "
        "daftar topik; 'keluar' untuk berhenti.",
        "en": "Netral (offline). Type a question; a number picks a suggestion; 'topik' lists "
        "topics; 'keluar' quits.",
    }
    ui = lang or "id"
    print(f"{intro[ui]}\nRulebook {rb.version} ({rb.date}), {len(rb.rules)} rules.", file=stdout)
    pending: list = []
    while True:
        stdout.write("\n> ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text.lower() in {"keluar", "exit", "quit", "q"}:
            break
        if text.isdigit() and pending:
            n = int(text)
            if 1 <= n <= len(pending):
                print(Renderer(ui, html_mode=False).answer(pending[n - 1]), file=stdout)
                pending = []
                continue
        if text.lower() in {"topik", "/topik", "topics"}:
            pending = list(rb.rules)
            for n, rule in enumerate(pending, 1):
                cat = rb.category(rule.category)
                print(
                    f"{n:3}. [{cat.title.get(ui) if cat else rule.category}] {rule.title.get(ui)}",
                    file=stdout,
                )
            continue
        decision = qa.decide(text, lang)
        ui = decision.lang
        print(render_decision(decision), file=stdout)
        pending = [c.rule for c in decision.suggestions] if decision.kind == "suggest" else []


def cmd_chat(args: argparse.Namespace, config: Config) -> int:
    qa = _qa(config, args.rulebook)
    try:
        chat_loop(qa, sys.stdin, sys.stdout, args.lang)
    except KeyboardInterrupt:
        print()
    return 0


def cmd_rules_check(args: argparse.Namespace, config: Config) -> int:
    path = args.path or config.rulebook.path or None
    try:
        rb = load_rulebook(path)
    except RulebookError as exc:
        errors = [p for p in exc.problems if p.level == "error"]
        for p in exc.problems:
            print(p)
        print(f"INVALID: {len(errors)} error(s)")
        return 1
    for p in rb.warnings:
        print(p)
    counts = {
        v: sum(r.verdict == v for r in rb.rules)
        for v in ("prohibited", "conditional", "allowed", "info")
    }
    summary = ", ".join(f"{n} {v}" for v, n in counts.items())
    rows = sorted({s for r in rb.rules for s in r.sources if isinstance(s, int)})
    print(f"OK: rulebook {rb.version} ({rb.date}) at {rb.path}")
    print(
        f"{len(rb.rules)} rules ({summary}); {len(rb.categories)} categories; "
        f"sheet rows covered: {len(rows)}/67; {len(rb.warnings)} warning(s)"
    )
    return 0


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from bot.app import run_bot

    return run_bot(config)


async def _unanswered(config: Config, since: datetime) -> list:
    from bot.storage import Database

    db = await Database.open(config.storage.path)
    try:
        return await db.unanswered(since, limit=50)
    finally:
        await db.close()


def cmd_unanswered(args: argparse.Namespace, config: Config) -> int:
    try:
        since = datetime.strptime(args.since, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return _fail(f"unanswered: --since must be YYYY-MM-DD, got {args.since!r}")
    rows = asyncio.run(_unanswered(config, since))
    if not rows:
        print(f"No unanswered questions since {args.since}.")
        return 0
    for row in rows:
        print(f"{row.count:5}  {row.last_asked[:10]}  {row.example}")
    return 0


def cmd_eval(args: argparse.Namespace, config: Config) -> int:
    from bot.evaluation import evaluate, load_items

    qa = _qa(config, args.rulebook)
    items = load_items(args.file)
    if args.batch is not None:
        items = [i for i in items if i.batch == args.batch]
    report = evaluate(qa.matcher, items)
    splits = [args.split] if args.split else ["tune", "heldout"]
    for split in splits:
        print(report.format(split, failures=args.failures))
        print()
    return 0


async def _health(config: Config, version: str, rules: int):
    from bot.health import collect
    from bot.storage import Database

    db = await Database.open(config.storage.path)
    try:
        return await collect(db, version, rules)
    finally:
        await db.close()


def cmd_health(args: argparse.Namespace, config: Config) -> int:
    rb = load_rulebook(config.rulebook.path or None)
    report = asyncio.run(_health(config, rb.version, len(rb.rules)))
    print(report.as_json() if args.json else "\n".join(report.lines()))
    problems = []
    if report.last_api_ok_age_s is None or report.last_api_ok_age_s > args.max_api_age:
        problems.append("no successful Bot API call recently")
    if (report.outbox_oldest_age_s or 0) > args.max_outbox_age:
        problems.append("outbox entries are waiting too long")
    for p in problems:
        print(f"UNHEALTHY: {p}", file=sys.stderr)
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="netralbot", description=__doc__)
    p.add_argument("--config", help="config file (default: $NETRALBOT_CONFIG or ./config.yaml)")
    sub = p.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer one question, or one per line from stdin")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--rulebook", help="rulebook folder (default: config, else bundled)")
    ask.add_argument("--lang", choices=["id", "en"], help="language when the text is unclear")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="offline terminal chat (no token, no network)")
    chat.add_argument("--rulebook")
    chat.add_argument("--lang", choices=["id", "en"])
    chat.set_defaults(func=cmd_chat)

    run = sub.add_parser("run", help="run the Telegram bot")
    run.set_defaults(func=cmd_run)

    rules = sub.add_parser("rules", help="rulebook tools")
    rsub = rules.add_subparsers(dest="rules_command", required=True)
    check = rsub.add_parser("check", help="validate a rulebook folder")
    check.add_argument("path", nargs="?")
    check.set_defaults(func=cmd_rules_check)

    un = sub.add_parser("unanswered", help="most frequent unanswered questions")
    un.add_argument("--since", required=True, help="YYYY-MM-DD")
    un.set_defaults(func=cmd_unanswered)
    health = sub.add_parser("health", help="health report of a running bot (exit 1: unhealthy)")
    health.add_argument("--json", action="store_true")
    health.add_argument("--max-api-age", type=float, default=300, help="seconds (default 300)")
    health.add_argument("--max-outbox-age", type=float, default=900, help="seconds (default 900)")
    health.set_defaults(func=cmd_health)

    ev = sub.add_parser("eval", help="accuracy on a labelled question set")
    ev.add_argument("file", nargs="?", default="tests/data/questions.yaml")
    ev.add_argument("--split", choices=["tune", "heldout"])
    ev.add_argument("--batch", help="only questions of this batch ('' = the first set)")
    ev.add_argument("--failures", action="store_true", help="list every wrong answer")
    ev.add_argument("--rulebook")
    ev.set_defaults(func=cmd_eval)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    # `--config` may also follow the sub-command (`netralbot run --config x.yaml`).
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--config" in argv[1:]:
        i = argv.index("--config")
        if i + 1 < len(argv):
            argv = ["--config", argv[i + 1], *argv[:i], *argv[i + 2 :]]
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        return args.func(args, config)
    except ConfigError as exc:
        return _fail(f"config error: {exc}")
    except RulebookError as exc:
        _print_rulebook_error(exc)
        return 2


if __name__ == "__main__":
    sys.exit(main())
