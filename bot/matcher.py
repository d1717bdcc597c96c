"""Question → rule matching with rapidfuzz, and the answer / suggest / abstain decision."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process

from bot.config import MatcherConfig
from bot.normalize import NEGATED_PREFIX, VOWEL, Normalizer, basic_normalize
from bot.rulebook import COVERED_PEOPLE, SEVERITY, Rule, Rulebook

# Ranking (not the score the thresholds see) drops by this much when all of the question's words
# are ones a rule never uses; it breaks near-ties between rules that share a phrasing's words.
FOREIGN_PENALTY = 15.0
# Posts only civil servants hold (raw words: "camat" and "kecamatan" share a token).
CIVIL_SERVICE_POSTS = frozenset(
    {
        "camat",
        "sekcam",
        "lurah",
        "seklur",
        "sekda",
        "kadis",
        "kabid",
        "kasubag",
        "kasubbag",
        "eselon",
    }
)
# An exception ("overrides" in the rulebook) may score this much below its general rule and still
# answer: it is the more specific reading.
OVERRIDE_MARGIN = 10.0
# The slang table's tokens for a spouse or relative ("suami", "istri", "bapak", "anak"), and for
# running for office: see query_tokens.
RELATIVES = frozenset({"pasangan", "kerabat"})
CANDIDACY = "nyalon"
# Sentence ends; a story-style question puts its question in the last sentence or two.
_SENTENCE = re.compile(r"(?<=[.?!\n])\s+")
# Words that join two actions in one question ("like dan share", "foto ... tapi diupload").
CONJUNCTIONS = frozenset(
    {
        "dan",
        "atau",
        "serta",
        "maupun",
        "terus",
        "trus",
        "trs",
        "lalu",
        "plus",
        "and",
        "or",
        "juga",
        "sekalian",
        "sekaligus",
        "sambil",
        "kemudian",
        "habis",
        "abis",
        "then",
        "while",
        "also",
        # "foto bareng tanpa pose, tapi saya upload": a "but" often brings the second action
        "tapi",
        "tp",
        "tetapi",
        "namun",
        "but",
    }
)
# Where one action of a question ends and the next begins.
_CLAUSE = re.compile(
    r"\b(?:" + "|".join(sorted(CONJUNCTIONS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
# Canonical words after which a person is one the asker takes along or gives to, not the asker.
OBJECT_MARKERS = frozenset({"ajak", "bareng", "beri"})
OBJECT_REACH = 3
# "lapor ... ke mana/gimana": a question about reporting, not about the reported act.
REPORT_TOKEN = "lapor"
WHERE_WORDS = frozenset({"mana", "kemana", "where", "gimana", "bagaimana", "how"})
# Function words that mark a question as English when the rulebook's own vocabularies tie.
_EN_MARKERS = frozenset(
    {
        "can",
        "could",
        "may",
        "i",
        "a",
        "the",
        "is",
        "are",
        "my",
        "to",
        "of",
        "allowed",
        "what",
        "should",
        "if",
        "it",
        "with",
        "about",
        "am",
        "do",
        "does",
        "be",
        "an",
        "for",
        "on",
    }
)
# A word in at most this share of the rules is distinctive (a second action's word, a rival's).
RARE_SHARE = 0.15
# Candidates are the rules sharing a word in at most this share of the rules with the question.
# At RARE_SHARE, one incidental rare word ("face", "prosedur") left only its own rules in play
# and the rule the question was about ("sanksi", "lapor") never got scored.
CANDIDATE_SHARE = 0.3
# A permission question whose best match is a stricter rule with this many of its own keywords
# in the question, and no other verdict within SOLE_GAP points, is answered from the suggest bar.
SOLE_KEYWORDS = 2
SOLE_GAP = 10.0
# At most this many other actions are named under a compound answer.
MAX_ALSO = 2
# A clause alone answered stricter blocks "boleh" when the stricter rule reads a word the allowed
# answer does not know, or outscores the allowed rule on that clause by this much.
CLAUSE_LEAD = 10.0
# Share of the query's weight an allowed rule must explain before the bot may say "boleh".
ALLOWED_MIN_COVERAGE = 0.75
# Typo correction: only words this long, and only this similar (fuzz.ratio), are corrected;
# looser settings turned "cara" into "acara" and "menang" into "menpan".
MIN_TYPO_LEN = 5
TYPO_CUTOFF = 89  # 88 let a 5-letter word lose a letter: "masak" -> "masa"
# Words typed without their vowels ("nntn", "slmt") are read by their consonants, from this length
# on; three letters are as often an acronym ("jkt", "pkk", "pks") as a word, so the slang table
# lists the common ones ("dgn", "utk", "rmh").
MIN_SKELETON_LEN = 4
# Clitics written onto a word ("komennya", "bolehkah", "postinganku"): an unknown word is read
# without them.
_CLITICS = ("nya", "kah", "ku", "mu")  # not "lah": "masalah" is no "masa"
_YEAR = re.compile(r"(19|20)\d\d")
# The slang table's token for "berikutnya", "next", "mendatang": another year than any named.
FUTURE_TOKEN = "berikutnya"
# Score = weighted share of the phrasing found in the question (W_PHRASING), of the question
# explained by the phrasing (W_QUERY), and rapidfuzz token_sort_ratio (the rest).
W_PHRASING = 0.45
W_QUERY = 0.25


@dataclass(frozen=True)
class Candidate:
    rule: Rule
    score: float
    unexplained: frozenset[str] = frozenset()  # question words the best phrasing lacks
    # Weighted share of the question the best phrasing explains, counting known and negated
    # words as explained: what is left are unknown words, which might be a stricter action.
    safe_coverage: float = 0.0

    def explained(self, query: set[str]) -> set[str]:
        """Question words the best phrasing accounts for."""
        return query - self.unexplained


@dataclass(frozen=True)
class Decision:
    kind: str  # "answer" | "suggest" | "abstain"
    question: str
    normalized: str
    lang: str
    rule: Rule | None = None
    score: float = 0.0
    also: tuple[Rule, ...] = ()
    suggestions: tuple[Candidate, ...] = ()
    ranked: tuple[Candidate, ...] = field(default=(), repr=False)

    @property
    def verdict(self) -> str | None:
        return self.rule.verdict if self.kind == "answer" and self.rule else None


@dataclass(frozen=True)
class _Phrasing:
    rule_index: int
    text: str
    tokens: frozenset[str]


def _proper_names(question: str) -> frozenset[str]:
    """Capitalised words inside a sentence and short acronyms ("Pemkab Sikka", "NTT"): place
    and people names say nothing about what is allowed, so unknown ones weigh nothing."""
    if question.isupper():
        return frozenset()  # shouting, not names
    names: set[str] = set()
    for sentence in _SENTENCE.split(question):
        for i, word in enumerate(sentence.split()):
            word = word.strip(".,:;!?\"'()[]")
            if not word or not word[0].isupper():
                continue
            if i > 0 or (word.isupper() and 2 <= len(word) <= 5):
                names.update(basic_normalize(word).split())
    return frozenset(names)


def _skeleton(word: str) -> str:
    """The word without its vowels: "nonton" -> "nntn"."""
    return VOWEL.sub("", word)


class Matcher:
    """Scores a question against every rule's pre-processed phrasings and decides what to do."""

    def __init__(self, rulebook: Rulebook, config: MatcherConfig | None = None) -> None:
        self.rulebook = rulebook
        self.config = config or MatcherConfig()
        self.normalizer = Normalizer(rulebook.slang)
        self.rules = list(rulebook.rules)
        self._phrasings: list[_Phrasing] = []
        self._index: dict[str, list[int]] = defaultdict(list)
        self._keywords: list[frozenset[str]] = []
        raw_vocab: dict[str, set[str]] = {"id": set(), "en": set()}
        rule_tokens: list[set[str]] = []
        for i, rule in enumerate(self.rules):
            kws = frozenset(self.normalizer.tokens(" ".join(rule.keywords)))
            self._keywords.append(kws)
            texts = [rule.title.id, rule.title.en, " ".join(rule.keywords)]
            for lang, items in rule.phrasings.items():
                texts.extend(items)
                for item in items:
                    raw_vocab.setdefault(lang, set()).update(basic_normalize(item).split())
            seen: set[str] = set()
            toks_all: set[str] = set(kws)
            for text in texts:
                toks = self.normalizer.tokens(text)
                norm = " ".join(toks)
                if not norm or norm in seen:
                    continue
                seen.add(norm)
                toks_all.update(toks)
                idx = len(self._phrasings)
                self._phrasings.append(_Phrasing(i, norm, frozenset(toks)))
                for t in set(toks):
                    self._index[t].append(idx)
            rule_tokens.append(toks_all)
        n = max(len(self.rules), 1)
        df: dict[str, int] = defaultdict(int)
        for toks in rule_tokens:
            for t in toks:
                df[t] += 1
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}
        # Each phrasing's total word weight, computed once instead of per question.
        self._weights = [sum(self._idf[t] for t in ph.tokens) for ph in self._phrasings]
        self._rule_pos = {rule.id: i for i, rule in enumerate(self.rules)}
        # The one year a rule's phrasings name ("jadwal pemilu 2024"), if exactly one.
        self._event_year: list[frozenset[str]] = []
        for toks in rule_tokens:
            ys = frozenset(t for t in toks if _YEAR.fullmatch(t))
            self._event_year.append(ys if len(ys) == 1 else frozenset())
        # What sets an exception apart from the rules it overrides ("surat tugas", "CLTN").
        self._exception_terms = [
            kws.difference(*(self._keywords[self._rule_pos[g]] for g in rule.overrides))
            if rule.overrides
            else frozenset()
            for rule, kws in zip(self.rules, self._keywords, strict=True)
        ]
        # Every word a rule's phrasings and keywords use: the context it knows ("di rumah").
        self._vocab_of = {
            rule.id: frozenset(toks) for rule, toks in zip(self.rules, rule_tokens, strict=True)
        }
        # Words that mark prohibited or conditional topics (their rules' keywords).
        self._strict_words = frozenset().union(
            *(
                kw
                for rule, kw in zip(self.rules, self._keywords, strict=True)
                if rule.verdict in ("prohibited", "conditional")
            )
        ) - frozenset().union(
            *(
                kw
                for rule, kw in zip(self.rules, self._keywords, strict=True)
                if rule.verdict == "allowed"
            )
        )
        # Who and where ("kantor", "pasangan", "teman") say nothing stricter by themselves;
        # the action words of the stricter rules still block "boleh".
        self._strict_words -= rulebook.slang.context_words
        self._unknown_idf = math.log(1 + n)  # an unknown word weighs like the rarest known one
        self._rare_idf = math.log(1 + 1 / RARE_SHARE)
        self._candidate_idf = math.log(1 + 1 / CANDIDATE_SHARE)
        self.vocab = frozenset(self._idf)
        variants = rulebook.slang.variants()
        self._correctable = {t: t for t in self.vocab} | {
            v: c for v, c in variants.items() if v not in rulebook.slang.stopwords
        }
        self._correct_list = list(self._correctable)
        # Consonant skeletons of known words and stopwords; a skeleton two words share is
        # ambiguous and reads as nothing.
        skeletons: dict[str, set[str]] = defaultdict(set)
        targets = self._correctable | {w: w for w in rulebook.slang.stopwords}
        for word, target in targets.items():
            if word.isalpha() and VOWEL.search(word[1:]):
                for sk in {_skeleton(word), word[0] + _skeleton(word[1:])}:
                    if len(sk) >= MIN_SKELETON_LEN:
                        skeletons[sk].add(target)
        self._skeletons = {sk: t.pop() for sk, t in skeletons.items() if len(t) == 1}
        # Canonical tokens naming the people the rules cover.
        self._covered = frozenset(self.normalizer.tokens(COVERED_PEOPLE, keep_stopwords=True))
        self._en_only = (raw_vocab["en"] - raw_vocab["id"]) | _EN_MARKERS
        self._id_only = raw_vocab["id"] - raw_vocab["en"]

    # -- normalisation -------------------------------------------------------------------------

    def _correct(self, token: str) -> str:
        """Map an unknown word to a close known one (typos), else keep it."""
        if token in self._idf or token.isdigit():
            return token
        if token.isalpha() and not VOWEL.search(token[1:]):
            # "nntn", "undng": a word typed without its vowels.
            return self._skeletons.get(token, token)
        if len(token) < MIN_TYPO_LEN:
            return token
        if token.startswith(NEGATED_PREFIX):
            # "tidakditindaklanjuti": correct the word, never the negation.
            base = self._correct(token[len(NEGATED_PREFIX) :])
            return NEGATED_PREFIX + base
        # "dirumah", "kekantor": a preposition written onto a known word.
        rest = token[2:]
        if token[:2] in ("di", "ke") and rest in self._idf and rest not in self._en_only:
            return rest  # not "division" -> "vision"
        for clitic in _CLITICS:
            # "komennya" (folded to "komenya"), "postinganku": the word without its clitic.
            stem = token[: -len(clitic)]
            if token.endswith(clitic) and len(stem) >= 3:
                for base in (stem, stem + clitic[0]):
                    if base in self._correctable:
                        return self._correctable[base]
        hit = process.extractOne(
            token, self._correct_list, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF
        )
        return self._correctable[hit[0]] if hit else token

    def query_tokens(self, question: str) -> list[str]:
        toks = [self._correct(t) for t in self.normalizer.tokens(question)]
        toks = [t for t in toks if t not in self.normalizer.slang.stopwords]
        if CANDIDACY not in toks:
            # "Suami saya PNS ditawari jadi timses": the relative is the civil servant asked
            # about, so the question is about a civil servant's own action, not about the
            # family of a candidate or a campaigner (those rules keep their words whenever
            # someone in the question is running).
            toks = [
                t
                for i, t in enumerate(toks)
                if not (
                    t in RELATIVES
                    and toks.count(t) == 1
                    and i + 1 < len(toks)
                    and toks[i + 1] in self._covered
                )
            ]
        return list(dict.fromkeys(toks))  # each word once, in order

    def detect_lang(self, question: str, hint: str | None = None) -> str:
        """'en' when the question reads as English, else 'id'; `hint` breaks ties."""
        # One-letter words ("a", "i", "b" from pasted HTML tags) say nothing about the language.
        words = [w for w in basic_normalize(question).split() if len(w) > 1]
        en = sum(w in self._en_only for w in words)
        idn = sum(w in self._id_only for w in words)
        if en > idn:
            return "en"
        if idn > en:
            return "id"
        return "en" if (hint or "").lower().startswith("en") else "id"

    # -- scoring -------------------------------------------------------------------------------

    @staticmethod
    def _flip(token: str) -> str:
        """'pose' <-> 'tidakpose'."""
        if token.startswith(NEGATED_PREFIX):
            return token[len(NEGATED_PREFIX) :]
        return NEGATED_PREFIX + token

    def _weight(self, token: str) -> float:
        """IDF of a question word; an unknown word weighs like the rarest known one, and a
        negated word no rule uses ("gk komen") weighs nothing: no rule is about not doing it."""
        if token in self._idf:
            return self._idf[token]
        return 0.0 if token.startswith(NEGATED_PREFIX) else self._unknown_idf

    def rank(self, question: str) -> tuple[str, list[Candidate]]:
        """Normalised query and every rule that shares a word with it, best first."""
        toks = self.query_tokens(question)
        query = " ".join(toks)
        if not toks:
            return query, []
        q = frozenset(toks)
        names = _proper_names(question) - self.vocab

        def weight(t: str) -> float:
            return 0.0 if t in names else self._weight(t)

        wq = sum(weight(t) for t in q)
        if not wq:
            return query, []
        plain = " ".join(t for t in toks if t not in names)
        # Candidates share a distinctive word with the question; words most rules contain
        # ("calon", "asn") only widen the net when the question has nothing more specific.
        rare = [t for t in q if t in self._idf and self._idf[t] >= self._candidate_idf]
        cand_idx = sorted({i for t in (rare or q) for i in self._index.get(t, ())})
        if not cand_idx:
            return query, []
        texts = [self._phrasings[i].text for i in cand_idx]
        fuzzy = [0.0] * len(texts)
        for _, value, j in process.extract(plain, texts, scorer=fuzz.token_sort_ratio, limit=None):
            fuzzy[j] = value
        best: dict[int, tuple[float, frozenset[str]]] = {}
        # Known words the phrasing lacks are checked against the stricter rules' keywords
        # elsewhere; an unknown word might be a stricter action the rulebook has no word for.
        # A negated word ("gk komen") is not an action the asker takes.
        benign = frozenset(t for t in q if t in self._idf or t.startswith(NEGATED_PREFIX))
        # "pose" against a phrasing's "tanpa pose", "tidak diupload" against "upload": a
        # phrasing that says the opposite of the question is no match for it.
        flipped = {self._flip(t) for t in q - self._covered} - q
        years = {t for t in q if _YEAR.fullmatch(t) or t == FUTURE_TOKEN}
        for j, i in enumerate(cand_idx):
            ph = self._phrasings[i]
            if ph.tokens & flipped:
                continue
            if self._event_year[ph.rule_index] and years and (
                years - self._event_year[ph.rule_index]
            ):
                # "pemilu 2029 tanggal berapa", "pilkada berikutnya kapan": the rule is about
                # another election's year.
                continue
            if self._exception_terms[ph.rule_index] & flipped:
                # "jadi narasumber acara partai tanpa surat tugas": the exception's own
                # condition is denied, so the general rule it overrides applies.
                continue
            common = q & ph.tokens
            wc = sum(self._idf[t] for t in common)
            wp = self._weights[i]
            rq, rp = wc / wq, wc / wp
            score = 100 * (W_PHRASING * rp + W_QUERY * rq) + (1 - W_PHRASING - W_QUERY) * fuzzy[j]
            prev = best.get(ph.rule_index)
            if prev is None or score > prev[0]:
                best[ph.rule_index] = (score, ph.tokens)
        ranked = []
        order: dict[int, float] = {}
        for i, (s, tokens) in best.items():
            # Words of the question the rule never uses, in any phrasing: "bawaslu" is no
            # word of the rule on candidates' accounts, whatever its best phrasing scored. This
            # orders candidates; their scores (and so every threshold) stay as they are.
            foreign = q - self._vocab_of[self.rules[i].id]
            order[i] = s - FOREIGN_PENALTY * sum(weight(t) for t in foreign) / wq
            risky = q - tokens - benign
            safe = 1 - sum(weight(t) for t in risky) / wq
            ranked.append(Candidate(self.rules[i], round(s, 1), q - tokens, round(safe, 3)))
        pos = self._rule_pos
        ranked.sort(key=lambda c: (-order[pos[c.rule.id]], SEVERITY[c.rule.verdict], c.rule.id))
        return query, ranked

    def _out_of_scope(self, query: str, raw: set[str]) -> bool:
        """The question names only people outside the rulebook (no ASN, PPPK, honorer, nor a
        post only a civil servant holds: "Saya camat ... para kepala desa")."""
        tokens = query.split()
        words = set(tokens)
        scope = self.normalizer.slang.out_of_scope
        if not words & scope:
            return False
        # People the asker takes along or gives to ("ngajak mahasiswa", "foto bareng pelajar",
        # "kasih amplop ke kader posyandu") are no subject of the question: the asker is.
        outside = {
            t
            for i, t in enumerate(tokens)
            if t in scope and not set(tokens[max(0, i - OBJECT_REACH) : i]) & OBJECT_MARKERS
        }
        if not outside:
            return False
        return not (words & self._covered or raw & CIVIL_SERVICE_POSTS)

    def _threshold(self, cand: Candidate, permission: bool = False) -> float:
        if cand.rule.verdict == "allowed":
            return self.config.allowed_threshold
        if permission and cand.rule.verdict in ("prohibited", "conditional"):
            return min(self.config.permission_threshold, self.config.answer_threshold)
        return self.config.answer_threshold

    def _stricter_reading(self, cand: Candidate) -> bool:
        """A question word marks a stricter topic and the allowed rule never uses it.

        Context words that stricter rules share with the allowed rule ("rumah", "keluarga")
        are in the allowed rule's own vocabulary and pass; any other stricter keyword blocks
        "boleh", however well the rest matches ("... wajib golput, saya tetap kampanye?").
        """
        return bool(cand.unexplained & self._strict_words - self._vocab_of[cand.rule.id])

    @staticmethod
    def _exceptions_first(viable: list[Candidate]) -> list[Candidate]:
        """An exception ranks above the general rule it overrides when it scores close to it."""
        out = list(viable)
        for c in viable:
            if not c.rule.overrides:
                continue
            pos = out.index(c)
            for j in range(pos):
                general = out[j]
                if (
                    general.rule.id in c.rule.overrides
                    and c.score >= general.score - OVERRIDE_MARGIN
                ):
                    out.insert(j, out.pop(pos))
                    break
        return out

    def _stricter_instead(
        self, top: Candidate, viable: list[Candidate], permission: bool
    ) -> Candidate | None:
        """The stricter rule whose action kept a clear "allowed" match from answering."""
        if top.rule.verdict != "allowed" or top.score < self.config.allowed_threshold:
            return None
        words = top.unexplained & self._strict_words
        for c in viable[1:]:
            kw = self._keywords[self._rule_pos[c.rule.id]]
            if (
                c.rule.verdict in ("prohibited", "conditional")
                and words & kw - c.unexplained
                and self._answerable(c, permission)
            ):
                return c
        return None

    def _answerable(self, cand: Candidate, permission: bool) -> bool:
        if cand.score < self._threshold(cand, permission):
            return False
        if cand.rule.verdict != "allowed":
            return True
        # "Boleh" only when the phrasing explains most of the question and no word of the
        # question left unexplained points to a stricter rule ("resmi capres" is not "resmi KPU").
        return cand.safe_coverage >= ALLOWED_MIN_COVERAGE and not self._stricter_reading(cand)

    def _sole_reading(self, top: Candidate, viable: list[Candidate], q: set[str]) -> bool:
        """A stricter best match below the permission bar that is still the only reading."""
        if top.rule.verdict not in ("prohibited", "conditional"):
            return False
        if top.score >= self._threshold(top, permission=True):
            return False  # the usual checks apply
        if len(self._keywords[self._rule_pos[top.rule.id]] & q) < SOLE_KEYWORDS:
            return False
        # An info rule close by is no rival verdict (it is named under the answer elsewhere).
        return not any(
            c.rule.verdict not in (top.rule.verdict, "info") and c.score >= top.score - SOLE_GAP
            for c in viable[1:]
        )

    def _allowed_pair(
        self, top: Candidate, viable: list[Candidate], q: set[str]
    ) -> Candidate | None:
        """A second allowed action that explains what kept the allowed best match from answering:
        "nonton debat di TV lalu datang ke TPS untuk nyoblos" is two allowed actions, not one."""
        if top.rule.verdict != "allowed" or top.score < self.config.allowed_threshold:
            return None
        wq = sum(self._weight(t) for t in q)
        known = {t for t in q if t in self._idf or t.startswith(NEGATED_PREFIX)}
        strict_top = top.unexplained & self._strict_words - self._vocab_of[top.rule.id]
        for c in viable[1:]:
            if c.rule.verdict != "allowed" or c.score < self.config.allowed_threshold:
                continue
            strict_c = c.unexplained & self._strict_words - self._vocab_of[c.rule.id]
            if strict_top & c.unexplained or strict_c & top.unexplained:
                continue  # a stricter word neither action explains
            risky = (top.unexplained & c.unexplained) - known
            if wq and 1 - sum(self._weight(t) for t in risky) / wq >= ALLOWED_MIN_COVERAGE:
                return c
        return None

    # -- decision ------------------------------------------------------------------------------

    def decide(self, question: str, lang_hint: str | None = None) -> Decision:
        """Answer, suggest up to N topics, or abstain; never a doubtful 'allowed'."""
        decision = self._decide(question, lang_hint)
        if decision.verdict == "allowed":
            return self._clause_check(decision, question, lang_hint)
        if decision.kind != "suggest":
            return decision
        # A story ends with its question: "Kemarin ... Saya jadi ikut share. Boleh nggak?"
        # The last sentences alone may settle what the whole story left open, provided they
        # pick one of the topics the whole story suggested and not "boleh".
        sentences = [s for s in _SENTENCE.split(question) if s.strip()]
        offered = {c.rule.id for c in decision.suggestions}
        for n in (2, 1):
            if len(sentences) <= n:
                continue
            tail = self._decide(" ".join(sentences[-n:]), lang_hint, frame=question)
            if (
                tail.kind == "answer"
                and tail.rule is not None
                and tail.rule.id in offered
                and tail.rule.verdict != "allowed"
            ):
                return replace(tail, question=question, normalized=decision.normalized)
        return decision

    def _clause_check(self, decision: Decision, question: str, lang_hint: str | None) -> Decision:
        """A "boleh" stands only if no action joined to it, asked alone, is answered stricter."""
        clauses = [c.strip() for c in _CLAUSE.split(question) if c and c.strip()]
        if len(clauses) < 2:
            return decision
        told = frozenset().union(
            *(self._vocab_of[r.id] for r in (decision.rule, *decision.also) if r is not None)
        )
        context = self.normalizer.slang.context_words
        for clause in clauses:
            part = self._decide(clause, lang_hint, frame=question)
            if part.kind != "answer" or part.rule is None:
                continue
            if part.rule.verdict not in ("prohibited", "conditional"):
                continue
            cand = next(c for c in part.ranked if c.rule.id == part.rule.id)
            # Who or where alone ("Suami saya juga ...") is no action of its own.
            action = cand.explained(set(part.normalized.split())) - context
            if not action:
                continue
            mine = next((c.score for c in part.ranked if c.rule is decision.rule), 0.0)
            if not action - told and cand.score - mine < CLAUSE_LEAD:
                continue  # a rival reading of the allowed action's own words ("KPU dan Bawaslu")
            named = {r.id: r for r in (*part.also, decision.rule, *decision.also) if r is not None}
            named.pop(part.rule.id, None)
            also = tuple(named.values())
            return replace(
                part,
                question=question,
                normalized=decision.normalized,
                also=also[:MAX_ALSO],
                ranked=decision.ranked,
                suggestions=decision.suggestions,
            )
        return decision

    def _decide(self, question: str, lang_hint: str | None, frame: str | None = None) -> Decision:
        """The decision for `question`; `frame` (the whole message) says what it asks."""
        cfg = self.config
        lang = self.detect_lang(question, lang_hint)
        query, ranked = self.rank(question)
        base = {"question": question, "normalized": query, "lang": lang, "ranked": tuple(ranked)}
        viable = [c for c in ranked if c.score >= cfg.suggest_threshold]
        raw = set(basic_normalize(question).split())
        if self._out_of_scope(query, raw):
            viable = []  # about someone the rules do not cover (police, village head, ...)
        if not viable:
            return Decision("abstain", **base)
        viable = self._exceptions_first(viable)
        top = viable[0]
        suggestions = tuple(viable[: cfg.max_suggestions])
        ask_back = Decision("suggest", suggestions=suggestions, score=top.score, **base)

        def answer(c: Candidate, also: tuple[Rule, ...] = ()) -> Decision:
            return Decision(
                "answer", rule=c.rule, score=c.score, also=also, suggestions=suggestions, **base
            )

        words = raw if frame is None else set(basic_normalize(frame).split())
        permission = bool(words & self.normalizer.slang.permission_words)
        if words & self.normalizer.slang.fact_words and not permission:
            # "berapa honor saksi?", "cara upload story?": a fact or how-to question that asks
            # no permission is answered by an info rule or not at all.
            facts = [c for c in viable if c.rule.verdict == "info"]
            if not facts or facts[0] is not top:
                return ask_back
        q = set(query.split())
        if REPORT_TOKEN in q and words & WHERE_WORDS and not permission:
            # "Saya lihat kadis pasang foto bareng caleg, lapornya ke mana?": the action is
            # someone else's; the question is where to report it.
            facts = [c for c in viable if c.rule.verdict == "info"]
            if not facts:
                return ask_back
            viable = facts
            top = viable[0]
            suggestions = tuple(viable[: cfg.max_suggestions])
            ask_back = Decision("suggest", suggestions=suggestions, score=top.score, **base)
        if permission and self._sole_reading(top, viable, q):
            # "boleh ngajak teman-teman se-ruangan ikut kampanye?": below the permission bar,
            # but two of the rule's own words and no other verdict in sight.
            return answer(top)
        answerable = self._answerable(top, permission)
        pair = None
        if words & CONJUNCTIONS and not answerable:
            # "nonton debat di TV lalu datang ke TPS untuk nyoblos": two allowed actions.
            pair = self._allowed_pair(top, viable, q)
        if pair is None and not answerable:
            stricter = self._stricter_instead(top, viable, permission)
            if stricter is not None:
                # "follow KPU sekalian follow paslon": the stricter action answers, and the
                # allowed one is named under it.
                return answer(stricter, (top.rule,))
            return ask_back
        # The general rules the answer is an exception to are no rival and no second action.
        viable = [c for c in viable if c.rule.id not in top.rule.overrides]
        near = [c for c in viable[1:] if c.score >= top.score - cfg.margin]
        if top.rule.verdict == "allowed":
            # Anything stricter close behind an "allowed" makes the bot ask back instead.
            # It counts only when it explains a question word the allowed rule never uses: a
            # stricter rule scoring on shared words alone ("follow akun") is not a reading.
            near += [
                c
                for c in viable[1:]
                if c not in near
                and c.rule.verdict != "allowed"
                and c.score >= top.score - cfg.allowed_margin
                and c.explained(q) - self._vocab_of[top.rule.id]
            ]
            # A stricter rule that clears the answer bar on its own counts however far behind
            # ("nobar debat di rumah lalu badmouthing a candidate on twitter"), unless another
            # clear allowed action accounts for its words ("... lalu follow akun KPU").
            told = frozenset().union(
                self._vocab_of[top.rule.id],
                *(
                    self._vocab_of[c.rule.id]
                    for c in viable[1:]
                    if c.rule.verdict == "allowed" and c.score >= cfg.allowed_threshold
                ),
            )
            near += [
                c
                for c in viable[1:]
                if c not in near
                and c.rule.verdict in ("prohibited", "conditional")
                and c.score >= cfg.answer_threshold
                and c.explained(q) - told
            ]
        joined = bool(words & CONJUNCTIONS)
        top_kw = self._keywords[self._rule_pos[top.rule.id]]

        def other_action(c: Candidate) -> bool:
            """Each rule has a keyword in the question that the other lacks; the partner's is a
            distinctive one ("share"), not a word most rules have ("calon")."""
            kw = self._keywords[self._rule_pos[c.rule.id]]
            theirs = {t for t in (kw - top_kw) & q if self._idf[t] >= self._rare_idf}
            return bool(theirs and (top_kw - kw) & q)

        # Two actions joined by "dan/atau/and": rules near the answer bar may be the second one.
        # Only a partner that clears its own bar may take the lead as the stricter answer.
        floor = cfg.answer_threshold - cfg.margin
        compound = [c for c in viable[1:] if joined and c.score >= floor and other_action(c)]
        # A stricter partner whose keywords the answer and better partners already explain is a
        # rival reading of the same words, not a second action: in "follow akun KPU terus
        # nonton debat paslon", "follow akun ... paslon" is no third action.
        kept: list[Candidate] = []
        seen = set(top.explained(q))
        for c in compound:
            kw = self._keywords[self._rule_pos[c.rule.id]] & q
            if kw <= seen and SEVERITY[c.rule.verdict] < SEVERITY[top.rule.verdict]:
                continue
            kept.append(c)
            seen |= c.explained(q)
        compound = kept
        if pair is not None and pair not in compound:
            compound.insert(0, pair)
        compound = compound[:MAX_ALSO]
        conflicting = [c for c in near if c not in compound and c.rule.verdict != top.rule.verdict]
        facts: tuple[Rule, ...] = ()
        if permission and top.rule.verdict != "info":
            # "Saya honorer, boleh nyoblos?": an info rule close to the action asked about is
            # no rival verdict; the answer names it underneath.
            facts = tuple(c.rule for c in conflicting if c.rule.verdict == "info")
            conflicting = [c for c in conflicting if c.rule.verdict != "info"]
        if conflicting:
            if top.rule.verdict in ("prohibited", "conditional") and all(
                c.rule.verdict in ("conditional", "allowed")
                and SEVERITY[c.rule.verdict] > SEVERITY[top.rule.verdict]
                for c in conflicting
            ):
                # Torn between "dilarang" and "bersyarat" (or "bersyarat" and "boleh"), the best
                # match being the stricter: answer it and name the milder ones, rather than ask
                # back. The reverse (a milder best match) still asks.
                return answer(top, tuple(c.rule for c in conflicting))
            return ask_back
        if compound:
            # A partner takes the lead only on its own full bar, not the permission one.
            leaders = [top, *(c for c in compound if self._answerable(c, False))]
            first = min(leaders, key=lambda c: (SEVERITY[c.rule.verdict], -c.score))
            rest = sorted(
                (c for c in [top, *compound] if c is not first),
                key=lambda c: (SEVERITY[c.rule.verdict], -c.score),
            )
            return answer(first, tuple(c.rule for c in rest) + facts)
        return answer(top, facts)
