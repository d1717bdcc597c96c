"""Match latency: p50 / p99 of one decision on the shipped rulebook and on 10x / 100x copies.

Run: .venv/bin/python benchmarks/match_latency.py [--questions N]
The synthetic rulebooks clone every rule with new ids and phrasings whose content words are
shifted to new synthetic words, so the vocabulary and the phrasing count grow like a real
rulebook would, not just duplicate entries.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import random
import statistics
import time
from pathlib import Path

from bot.config import MatcherConfig
from bot.evaluation import load_items
from bot.matcher import Matcher
from bot.rulebook import Rulebook, load_rulebook

ROOT = Path(__file__).resolve().parent.parent


def synthetic(rb: Rulebook, factor: int, seed: int = 7) -> Rulebook:
    """The rulebook plus (factor - 1) perturbed copies of every rule."""
    rng = random.Random(seed)
    rules = list(rb.rules)
    for k in range(1, factor):
        for rule in rb.rules:

            def shift(text: str, k: int = k) -> str:
                words = text.split()
                for _ in range(max(1, len(words) // 3)):
                    i = rng.randrange(len(words))
                    words[i] = f"{words[i]}{k}x{rng.randrange(1000)}"
                return " ".join(words)

            phr = {lang: tuple(shift(p) for p in items) for lang, items in rule.phrasings.items()}
            rules.append(
                dataclasses.replace(
                    rule,
                    id=f"{rule.id}-s{k}",
                    phrasings=phr,
                    keywords=tuple(shift(w) for w in rule.keywords),
                )
            )
    return Rulebook(rb.version, rb.date, rb.categories, rules, rb.slang, rb.path)


def measure(matcher: Matcher, questions: list[str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            matcher.decide(q)
            times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    base = load_rulebook()
    questions = [it.q for it in load_items(ROOT / "tests/data/questions.yaml")][: args.questions]
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} python "
        f"{platform.python_version()}; {len(questions)} questions x {args.rounds} rounds"
    )
    print(
        f"{'rulebook':>10} {'rules':>6} {'phrasings':>9} {'load ms':>8} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    for factor in (1, 10, 100):
        rb = base if factor == 1 else synthetic(base, factor)
        t0 = time.perf_counter()
        matcher = Matcher(rb, MatcherConfig())
        load_ms = (time.perf_counter() - t0) * 1000
        measure(matcher, questions[:20], 1)  # warm up
        times = sorted(measure(matcher, questions, args.rounds))
        p50 = statistics.median(times)
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        n_phr = sum(len(v) for r in rb.rules for v in r.phrasings.values())
        print(
            f"{str(factor) + 'x':>10} {len(rb.rules):>6} {n_phr:>9} {load_ms:>8.0f} "
            f"{p50:>7.2f} {p99:>7.2f} {times[-1]:>7.2f}"
        )


if __name__ == "__main__":
    main()
