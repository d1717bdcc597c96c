"""Measured quality on the labelled question set (tests/data/questions.yaml).

The bars are set from measured figures, honestly: the tune split is what phrasings and slang
were adjusted against; the held-out split never was. `netralbot eval --failures` prints the
confusion table and every failure.
"""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz, process

from bot.config import MatcherConfig
from bot.evaluation import evaluate, load_items
from bot.matcher import Matcher
from bot.normalize import basic_normalize

QUESTIONS = "tests/data/questions.yaml"
BARS = {  # split: (verdict accuracy, must-decline declined), rulebook 2026.11.23
    "tune": (0.985, 0.97),  # measured 98.7% / 97.7% on 7,148 (first set + probes A, B, D-P,
    # T-V, Z-AC, AG-AU except AS)
    # The bar for held-out verdict accuracy is 95%; measured 95.22% (1,652 of 1,735
    # questions that ask about an action or fact) / 96.25% (462 of 480 must-decline) on 2,215
    # (first set, C, Q-S, W-Y, AD-AF)
    "heldout": (0.95, 0.95),
}


@pytest.fixture(scope="module")
def report(shared_qa_rulebook):
    return evaluate(Matcher(shared_qa_rulebook, MatcherConfig()), load_items(QUESTIONS))


def test_question_set_shape():
    items = load_items(QUESTIONS)
    assert len(items) >= 300
    assert sum(i.expect == "decline" for i in items) >= 80
    assert {i.split for i in items} == {"tune", "heldout"}


@pytest.mark.parametrize("split", ["tune", "heldout"])
def test_accuracy_bars(report, split):
    verdict_bar, decline_bar = BARS[split]
    print("\n" + report.format(split))
    assert report.accuracy(split, decline=False) >= verdict_bar
    assert report.accuracy(split, decline=True) >= decline_bar


def test_never_allowed_where_the_truth_is_stricter(report):
    bad = [(o.item.q, o.decision.rule.id) for o in report.dangerous()]
    assert bad == []
    assert report.prohibited_as_allowed() == []


def test_no_test_question_is_copied_into_the_rulebook(shared_qa_rulebook):
    phrasings = [basic_normalize(p) for r in shared_qa_rulebook.rules
                 for items in r.phrasings.values() for p in items]
    copies = []
    for item in load_items(QUESTIONS):
        q = basic_normalize(item.q)
        hit = process.extractOne(q, phrasings, scorer=fuzz.ratio, score_cutoff=95)
        if hit:
            copies.append((item.q, hit[0]))
    assert copies == []
