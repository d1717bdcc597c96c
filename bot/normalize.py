"""Text normalisation shared by the rulebook and user questions: Unicode, slang, stopwords."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Zero-width, bidi-control and other invisible format characters that users paste (or attackers
# inject) and that would otherwise split words.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufe0e\ufe0f]")
# Prefixes glued to a word with a hyphen in chat Indonesian ("nge-like", "di-share").
_PREFIX_HYPHEN = re.compile(r"\b(nge|ng|di|ke|ter|ber|me|men|mem)-(?=[a-z])")
_CLAUSE = re.compile(r"[?!.,;:\n()\[\]]+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_REPEATS = re.compile(r"([a-z])\1+")
# "liat2", "bagi2": a reduplicated word written with a 2 ("lihat-lihat").
_REDUPLICATED = re.compile(r"\b([a-z]{2,})2\b")
VOWEL = re.compile(r"[aeiou]")
MAX_MAPPING_PASSES = 4
# A negator marks at most this many content words after it ("tanpa pakai seragam").
MAX_NEGATED = 2
NEGATED_PREFIX = "tidak"


def basic_normalize(text: str) -> str:
    """Lower-case, strip accents and invisible characters, fold repeats; words joined by spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _PREFIX_HYPHEN.sub(r"\1", text)
    text = _NON_WORD.sub(" ", text)
    text = _REDUPLICATED.sub(r"\1 \1", text)
    # Fold "bolehhh" and "nggak", but not vowel-less acronyms: PPPK, PPK and PPS differ.
    return " ".join(w if not VOWEL.search(w) else _REPEATS.sub(r"\1", w) for w in text.split())


@dataclass
class SlangTable:
    """Variant → canonical token mapping (multi-word variants allowed) and stopwords."""

    canonical: dict[tuple[str, ...], str] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    max_len: int = 1
    out_of_scope: frozenset[str] = frozenset()  # canonical tokens of people not covered
    negators: frozenset[str] = frozenset()  # "tidak", "tanpa", "gak", "without"...
    negation_skip: frozenset[str] = frozenset()  # words between a negator and its word ("saya")
    negation_hosts: frozenset[str] = frozenset()  # "boleh gak": the negator is a question tag
    permission_words: frozenset[str] = frozenset()  # "boleh", "aman", "can": asking permission
    fact_words: frozenset[str] = frozenset()  # "berapa", "kapan", "cara": asking a fact
    context_words: frozenset[str] = frozenset()  # "kantor", "teman": who or where, no action

    @classmethod
    def from_mapping(
        cls,
        canonical: Mapping[str, Iterable[str]],
        stopwords: Iterable[str],
        out_of_scope: Iterable[str] = (),
        negators: Iterable[str] = (),
        negation_skip: Iterable[str] = (),
        negation_hosts: Iterable[str] = (),
        permission_words: Iterable[str] = (),
        fact_words: Iterable[str] = (),
        context_words: Iterable[str] = (),
    ) -> SlangTable:
        table: dict[tuple[str, ...], str] = {}
        for canon, variants in canonical.items():
            target = basic_normalize(str(canon)).replace(" ", "")
            for variant in [canon, *variants]:
                key = tuple(basic_normalize(str(variant)).split())
                if key:
                    table[key] = target
        stops = frozenset(basic_normalize(str(s)) for s in stopwords) - {""}
        longest = max((len(k) for k in table), default=1)

        def canonical_of(item: str) -> str:
            """The token the mapper turns `item` into ("rekan kerja" -> "rekankerja")."""
            words = tuple(basic_normalize(str(item)).split())
            return table.get(words, "".join(words))

        # Multi-word out_of_scope entries become one token so the greedy mapper sees them whole.
        for item in out_of_scope:
            words = tuple(basic_normalize(str(item)).split())
            if len(words) > 1:
                table.setdefault(words, "".join(words))
                longest = max(longest, len(words))
        scope = {canonical_of(item) for item in out_of_scope} - {""}
        negs = _word_set(negators)
        return cls(
            canonical=table,
            stopwords=stops | negs,  # a negator lives on in the word it marks
            max_len=longest,
            out_of_scope=frozenset(scope),
            negators=negs,
            negation_skip=_word_set(negation_skip),
            negation_hosts=_word_set(negation_hosts),
            permission_words=_word_set(permission_words),
            fact_words=_word_set(fact_words),
            context_words=frozenset(canonical_of(w) for w in context_words) - {""},
        )

    def variants(self) -> dict[str, str]:
        """Single-word variants and their canonical token, for typo correction."""
        return {k[0]: v for k, v in self.canonical.items() if len(k) == 1}


def _word_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(w for item in words for w in basic_normalize(str(item)).split())


class Normalizer:
    """Turns free text into the canonical token list the matcher compares."""

    def __init__(self, slang: SlangTable) -> None:
        self.slang = slang

    def map_tokens(self, words: list[str]) -> list[str]:
        """Apply the slang table greedily, longest variant first."""
        out: list[str] = []
        i = 0
        table = self.slang.canonical
        while i < len(words):
            for n in range(min(self.slang.max_len, len(words) - i), 0, -1):
                target = table.get(tuple(words[i : i + n]))
                if target is not None:
                    out.append(target)
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def negate(self, words: list[str]) -> list[str]:
        """Mark the content words a negator governs: "gak saya upload" -> "tidakposting".

        So "tanpa pose" and "gk pose" read alike, and a negated action no longer looks like
        the action itself to the matcher. The negator stays (it is a stopword).
        """
        slang = self.slang
        if not slang.negators:
            return words
        out = list(words)
        i = 0
        while i < len(out):
            # "boleh gak saya like": after a host word the negator only makes a question.
            if out[i] not in slang.negators or (i and out[i - 1] in slang.negation_hosts):
                i += 1
                continue
            j, marked = i + 1, 0
            while j < len(out) and out[j] in slang.negation_skip:
                j += 1
            while (
                j < len(out)
                and marked < MAX_NEGATED
                and out[j] not in slang.stopwords
                and out[j] not in slang.negators
                and not out[j].startswith(NEGATED_PREFIX)
                and not out[j].isdigit()
            ):
                out[j] = NEGATED_PREFIX + out[j]
                j += 1
                marked += 1
            i = max(j, i + 1)
        return out

    def tokens(self, text: str, *, keep_stopwords: bool = False) -> list[str]:
        """Canonical content tokens of a text.

        Mapping repeats until nothing changes, because one mapping can produce another's
        variant ("bebas bebas2" -> "bebas bebas" -> "bebas"); so the tokens are a fixed point
        of the slang table. Stopwords stay in place while mapping, so dropping one never joins
        its neighbours into a phrase ("istri saya calon" is not "pasangan calon").
        Negation is marked once per clause, after the first mapping.
        """
        # A negator governs words in its own clause only: "boleh gak? saya like" likes.
        words = [
            w
            for clause in _CLAUSE.split(text)
            for w in self.negate(self.map_tokens(basic_normalize(clause).split()))
        ]
        for _ in range(MAX_MAPPING_PASSES):
            mapped = self.map_tokens(words)
            if mapped == words:
                break
            words = mapped
        if keep_stopwords:
            return words
        return [w for w in words if w not in self.slang.stopwords]

    def normalize(self, text: str) -> str:
        """Canonical content tokens joined by spaces."""
        return " ".join(self.tokens(text))
