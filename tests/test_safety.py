"""The worst bug is a wrong "boleh": stricter words swapped into the allowed rules' own
phrasings must never come back as "allowed"."""

from __future__ import annotations

import pytest

from bot.config import MatcherConfig
from bot.matcher import Matcher
from bot.rulebook import Rule

# word of an allowed phrasing -> stricter words a user might put in its place
SWAPS = {
    "kpu": ["partai", "capres", "caleg", "timses", "paslon", "relawan capres"],
    "bawaslu": ["partai", "capres", "caleg", "timses", "paslon"],
    "tv": ["lokasi", "studio langsung"],
    "televisi": ["lokasi acara"],
    "youtube": ["lokasi langsung"],
    "nyoblos": ["kampanye", "jadi saksi"],
    "memilih": ["kampanye"],
    "tps": ["kampanye"],
    "vote": ["campaign"],
    "debate on tv": ["debate venue in person"],
}


def phrasings(matcher: Matcher, verdict: str) -> list[tuple[Rule, str]]:
    """Every phrasing, in either language, of the rules with this verdict."""
    return [
        (rule, p)
        for rule in matcher.rules
        if rule.verdict == verdict
        for items in rule.phrasings.values()
        for p in items
    ]


def variants(matcher: Matcher) -> list[tuple[str, str]]:
    out = []
    for rule, phrasing in phrasings(matcher, "allowed"):
        low = phrasing.lower()
        for word, stricter in SWAPS.items():
            if word in low.split() or (" " in word and word in low):
                out += [(rule.id, low.replace(word, s)) for s in stricter]
    return out


@pytest.fixture(scope="module")
def matcher(shared_qa_rulebook) -> Matcher:
    return Matcher(shared_qa_rulebook, MatcherConfig())


def test_swapped_phrasings_of_allowed_rules_are_never_allowed(matcher):
    cases = variants(matcher)
    assert len(cases) >= 50
    wrong = [(rid, q) for rid, q in cases if matcher.decide(q).verdict == "allowed"]
    assert wrong == []


@pytest.mark.parametrize(
    "question",
    [
        "boleh follow akun resmi capres buat update info?",
        "langganan channel youtube resmi paslon buat belajar pengawasan pemilu",
        "boleh nonton debat paslon langsung di lokasi?",
        "boleh nyoblos pakai kaos capres?",
        "can I follow the official account of a presidential candidate?",
    ],
)
def test_stricter_questions_near_allowed_rules(matcher, question):
    assert matcher.decide(question).verdict != "allowed"


# A second, stricter action appended to an allowed rule's own phrasing ("... terus share").
STRICTER_TAILS = [
    "terus share ke grup wa",
    "lalu like postingan capres",
    "sambil pakai kaos paslon",
    "terus komen dukung paslon",
    "lalu bikin story dukung calon",
    "sambil pose jari nomor urut",
    "then repost it on my story",
    "and post a photo with the candidate",
    "terus ajak tetangga pilih paslon 2",
    "habis itu upload foto bareng cabup",
    "sambil bagi sembako",
    "terus gabung grup relawan",
    "lalu pasang twibbon",
    "and comment to support him",
    "terus forward videonya",
    "sambil pake seragam dinas ke kampanye",
]


def test_allowed_phrasing_with_a_stricter_action_appended_is_never_allowed(matcher):
    cases = [
        (rule.id, f"{frame.format(p)} {tail}")
        for rule, p in phrasings(matcher, "allowed")
        for tail in STRICTER_TAILS
        for frame in ("{}", "boleh {}")
    ]
    assert len(cases) >= 500
    wrong = [(rid, q) for rid, q in cases if matcher.decide(q).verdict == "allowed"]
    assert wrong == []


# Stricter actions put in place of an allowed rule's own keyword, whatever punctuation follows.
STRICTER_ACTIONS = ["kampanye", "ikut kampanye", "jadi timses", "pasang spanduk calon",
                    "campaign"]


def test_an_allowed_keyword_swapped_for_a_stricter_action_is_never_allowed(matcher):
    from bot.normalize import basic_normalize

    cases = []
    for rule, phrasing in phrasings(matcher, "allowed"):
        keys = set(basic_normalize(" ".join(rule.keywords)).split())
        words = basic_normalize(phrasing).split()
        for i, w in enumerate(words):
            if w in keys:
                cases += [" ".join([*words[:i], a, *words[i + 1:]]) + "?"
                          for a in STRICTER_ACTIONS]
    assert len(cases) >= 200
    wrong = [q for q in cases if matcher.decide(q).verdict == "allowed"]
    assert wrong == []
    assert matcher.decide("atasan di kantor bilang pns wajib golput, saya tetap kampanye?"
                          ).verdict != "allowed"


def test_a_stricter_rules_own_phrasing_after_allowed_ones_is_never_allowed(matcher):
    # Every prohibited and conditional phrasing, in either language, joined to one allowed
    # phrasing and to two (round robin): "nobar debat di rumah lalu badmouthing a candidate on
    # twitter" came back "boleh" when no stricter keyword was in the question, and so did
    # "nonton debat dan follow akun KPU ... lalu follow IG caleg", where the allowed rule knows
    # the word "calon".
    allowed = [p.rstrip("?") for _, p in phrasings(matcher, "allowed")]
    stricter = [p for v in ("prohibited", "conditional") for _, p in phrasings(matcher, v)]
    cases = [
        f"boleh {allowed[(i + k * 7) % len(allowed)]} {joiner} {s}"
        for i, s in enumerate(stricter)
        for k, joiner in enumerate(("lalu", "and"))
    ]
    cases += [
        f"boleh {allowed[(3 * i) % len(allowed)]} dan {allowed[(5 * i + 1) % len(allowed)]} "
        f"lalu {s}"
        for i, s in enumerate(stricter)
    ]
    assert len(cases) >= 4000
    wrong = [q for q in cases if matcher.decide(q).verdict == "allowed"]
    assert wrong == []


def test_a_stricter_clause_answers_first_and_names_the_allowed_one(matcher):
    question = (
        "boleh watching the presidential debate online dan ikuti akun Bawaslu RI supaya paham "
        "aturan pemilu lalu follow IG caleg?"
    )
    decision = matcher.decide(question)
    assert decision.kind == "answer"
    assert decision.rule.verdict in ("prohibited", "conditional")
    assert "allowed" in {r.verdict for r in decision.also}
