"""Measures the matcher against a labelled question set: accuracy, confusion, dangerous errors."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.matcher import Decision, Matcher

EXPECTS = ("prohibited", "conditional", "allowed", "info", "decline")
OUTCOMES = ("prohibited", "conditional", "allowed", "info", "suggest", "abstain")


@dataclass(frozen=True)
class Item:
    q: str
    expect: str
    rows: tuple[int, ...]
    split: str
    style: str = ""
    lang: str = ""
    batch: str = ""  # which writing round the question came from ("" = the first set)


@dataclass(frozen=True)
class Outcome:
    item: Item
    decision: Decision

    @property
    def label(self) -> str:
        d = self.decision
        return d.verdict if d.kind == "answer" and d.verdict else d.kind

    @property
    def correct(self) -> bool:
        if self.item.expect == "decline":
            return self.decision.kind != "answer"
        return self.label == self.item.expect

    @property
    def dangerous(self) -> bool:
        """Told 'allowed' where the truth is stricter: the worst bug this product can have."""
        return self.label == "allowed" and self.item.expect in ("prohibited", "conditional")

    @property
    def row_hit(self) -> bool | None:
        """Did the answered rule cover one of the expected rows (None when not applicable)?"""
        d = self.decision
        if d.kind != "answer" or not d.rule or not self.item.rows:
            return None
        return bool(set(d.rule.sources) & set(self.item.rows))


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def subset(self, split: str | None) -> list[Outcome]:
        return [o for o in self.outcomes if split is None or o.item.split == split]

    def accuracy(self, split: str | None = None, *, decline: bool | None = None) -> float:
        """Share correct; decline=False: questions with a verdict; True: must-decline only."""
        items = self.subset(split)
        if decline is not None:
            items = [o for o in items if (o.item.expect == "decline") == decline]
        return sum(o.correct for o in items) / len(items) if items else 0.0

    def abstain_rate(self, split: str | None = None) -> float:
        items = [o for o in self.subset(split) if o.item.expect == "decline"]
        return sum(o.decision.kind == "abstain" for o in items) / len(items) if items else 0.0

    def dangerous(self, split: str | None = None) -> list[Outcome]:
        return [o for o in self.subset(split) if o.dangerous]

    def prohibited_as_allowed(self, split: str | None = None) -> list[Outcome]:
        return [
            o for o in self.subset(split) if o.item.expect == "prohibited" and o.label == "allowed"
        ]

    def row_accuracy(self, split: str | None = None) -> float:
        hits = [o.row_hit for o in self.subset(split) if o.row_hit is not None]
        return sum(hits) / len(hits) if hits else 0.0

    def confusion(self, split: str | None = None) -> dict[str, Counter]:
        table: dict[str, Counter] = defaultdict(Counter)
        for o in self.subset(split):
            table[o.item.expect][o.label] += 1
        return table

    def format(self, split: str | None = None, *, failures: bool = False) -> str:
        items = self.subset(split)
        name = split or "all"
        lines = [
            f"== {name}: {len(items)} questions ==",
            f"overall accuracy          {self.accuracy(split):6.1%}",
            f"verdict accuracy          {self.accuracy(split, decline=False):6.1%}"
            "  (answered with the expected verdict)",
            f"must-decline declined     {self.accuracy(split, decline=True):6.1%}"
            f"  (abstained outright: {self.abstain_rate(split):.1%})",
            f"right rule when answered  {self.row_accuracy(split):6.1%}",
            f"prohibited -> allowed     {len(self.prohibited_as_allowed(split))}",
            f"stricter -> allowed       {len(self.dangerous(split))}",
            "",
            "expected \\ got  " + " ".join(f"{o[:11]:>11}" for o in OUTCOMES),
        ]
        conf = self.confusion(split)
        for e in EXPECTS:
            lines.append(f"{e:15}  " + " ".join(f"{conf[e][o]:>11}" for o in OUTCOMES))
        batches = sorted({o.item.batch for o in items})
        if len(batches) > 1:
            lines += ["", "by batch          questions  verdict accuracy  must-decline declined"]
            for b in batches:
                sub = Report([o for o in items if o.item.batch == b])
                lines.append(
                    f"{b or '(first set)':16} {len(sub.outcomes):10}"
                    f"  {sub.accuracy(decline=False):16.1%}  {sub.accuracy(decline=True):21.1%}"
                )
        if failures:
            lines.append("")
            lines.append("failures:")
            for o in items:
                if not o.correct:
                    got = o.label
                    rule = o.decision.rule.id if o.decision.rule else "-"
                    sugg = ",".join(c.rule.id for c in o.decision.suggestions[:3])
                    lines.append(
                        f"  [{o.item.expect}->{got} {o.decision.score:.0f}] {o.item.q!r}"
                        f" rule={rule} sugg={sugg} norm={o.decision.normalized!r}"
                    )
        return "\n".join(lines)


def load_items(path: str | Path) -> list[Item]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [
        Item(
            q=str(d["q"]),
            expect=d["expect"],
            rows=tuple(d.get("rows") or ()),
            split=d.get("split", "tune"),
            style=d.get("style", ""),
            lang=d.get("lang", ""),
            batch=str(d.get("batch", "")),
        )
        for d in data
    ]


def evaluate(matcher: Matcher, items: list[Item]) -> Report:
    return Report([Outcome(it, matcher.decide(it.q)) for it in items])
