"""Property-based tests (hypothesis) of the pure core: normalisation, matching, dates, receipt
codes, links and the HTML answer renderer must cope with any text a user can type."""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import date
from functools import cache
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot.answers import Renderer
from bot.matcher import Matcher
from bot.normalize import basic_normalize
from bot.rulebook import Rule, Rulebook, Text, load_rulebook
from bot.tips import (
    CODE_BITS,
    CROCKFORD,
    MAX_LINK_LENGTH,
    MAX_LINKS,
    DateError,
    extract_links,
    new_receipt_code,
    normalize_code,
    parse_date,
)
from handlers.moderator import clip_html
from tests.botapi.state import ApiError
from tests.botapi.validate import check_text_length, format_text

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NORMALIZED = re.compile(r"^(?:[0-9a-z]+(?: [0-9a-z]+)*)?$")
TOKEN = re.compile(r"^[0-9a-z]+$")
CODE = re.compile(rf"^NTR-[{CROCKFORD}]{{4}}-[{CROCKFORD}]{{4}}$")


@cache
def rulebook() -> Rulebook:
    return load_rulebook()


@cache
def matcher() -> Matcher:
    return Matcher(rulebook())


# -- strategies ------------------------------------------------------------------------------

# Any Unicode a Telegram message can carry: every category but lone surrogates, control and
# format characters (zero-width, bidi) included.
any_char = st.characters(exclude_categories=("Cs",))
any_text = st.text(any_char, max_size=300)
long_text = st.text(any_char, min_size=1000, max_size=5000)
tricky = st.sampled_from(
    [
        "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u0301", "\u0308", "\x00", "\x1b",
        "\r\n", "\t", "ẞ", "ß", "ſ", "İ", "ı", "ﬁ", "Ⅻ", "①", "½", "𝟏", "٣", "Ａ", "ｂ",
        "👍🏽", "👨‍👩‍👧", "🇮🇩", "-", "--", "nge-", "di-", "@", "#", "&amp;", "<b>", "</i>",
    ]
)  # fmt: skip


@cache
def vocabulary() -> list[str]:
    """Words the bot knows: slang variants, canonical tokens, stopwords, rule vocabulary."""
    rb = rulebook()
    words = {w for key in rb.slang.canonical for w in key}
    words |= set(rb.slang.canonical.values()) | set(rb.slang.stopwords)
    words |= set(matcher().vocab)
    return sorted(words)


def chat_like() -> st.SearchStrategy[str]:
    """Questions built from known words, slang, noise and tricky characters."""
    piece = st.one_of(
        st.sampled_from(vocabulary()),
        tricky,
        st.text(any_char, max_size=8),
        st.sampled_from(["boleh", "nggak", "dan", "atau", "and", "?", "!!!", "bolehhh"]),
    )
    sep = st.sampled_from([" ", "  ", "-", "\u200b", "\n", ", ", ""])
    return st.lists(st.tuples(piece, sep), max_size=25).map(
        lambda parts: "".join(p + s for p, s in parts)
    )


questions = st.one_of(any_text, chat_like(), long_text)


# -- normalisation ---------------------------------------------------------------------------


@SETTINGS
@given(st.one_of(questions, st.lists(tricky, max_size=40).map("".join)))
@example("bolehhh nge-like PPPK ﬁ Ⅻ ẞ")
@example("\u202eboleh\u200b like\u0301")
def test_basic_normalize_is_ascii_words_and_idempotent(text):
    out = basic_normalize(text)
    assert NORMALIZED.match(out), out
    assert basic_normalize(out) == out


@SETTINGS
@given(questions)
def test_tokens_are_ascii_words_and_stable(text):
    normalizer = matcher().normalizer
    tokens = normalizer.tokens(text)
    assert all(TOKEN.match(t) for t in tokens), tokens
    assert all(TOKEN.match(t) for t in normalizer.tokens(text, keep_stopwords=True))
    # a fixed point of the slang table (stopwords kept: dropping them must not form phrases)
    kept = normalizer.tokens(text, keep_stopwords=True)
    assert normalizer.map_tokens(kept) == kept


# -- matching --------------------------------------------------------------------------------


@SETTINGS
@given(questions, st.sampled_from([None, "id", "en", "EN-us", "", "xx"]))
def test_decide_never_raises_and_never_a_doubtful_allowed(question, hint):
    m = matcher()
    decision = m.decide(question, hint)
    assert decision.kind in ("answer", "suggest", "abstain")
    assert decision.lang in ("id", "en")
    if decision.kind != "answer":
        assert decision.verdict is None
    else:
        assert decision.rule is not None and decision.verdict == decision.rule.verdict
        if decision.verdict == "allowed":
            assert decision.score >= m.config.allowed_threshold
    assert len(decision.suggestions) <= m.config.max_suggestions


# -- dates -----------------------------------------------------------------------------------

today_ = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
date_words = st.sampled_from(
    [
        "hari ini", "kemarin", "kemarin lusa", "kemaren", "yesterday", "today", "seminggu",
        "minggu lalu", "last week", "hari lalu", "minggu lalu", "pekan yang lalu", "days ago",
        "weeks ago", "jan", "februari", "feb", "maret", "mei", "agustus", "des", "december",
        "tanggal", "tgl.", "pada", "on", "st", "nd", "th", "se", "dua", "sepuluh", "a", "an",
        "/", "-", ".", ",", " ", "0", "00", "1", "12", "29", "31", "32", "99", "2024", "0000",
        "9999", "99999", "1900", "٣", "𝟏",
    ]
)  # fmt: skip
date_like = st.lists(date_words, max_size=6).map(" ".join) | st.lists(date_words, max_size=6).map(
    "".join
)


@SETTINGS
@given(st.one_of(date_like, any_text, long_text), today_)
@example("29 feb", date(2025, 3, 1))
@example("9999 minggu lalu", date(2000, 1, 1))
@example("31/12", date(2024, 1, 1))
@example("2100-12-31", date(2100, 12, 31))
def test_parse_date_raises_only_date_error_and_never_returns_the_future(text, today):
    try:
        result = parse_date(text, today)
    except DateError as exc:
        assert exc.reason in ("unknown", "future")
        return
    assert isinstance(result, date)
    assert result <= today


# -- receipt codes ---------------------------------------------------------------------------


@SETTINGS
@given(
    st.one_of(
        any_text, st.text(alphabet="NTR-_ .#0123456789abcdefghjkmnpqrstvwxyzOILU", max_size=20)
    )
)
def test_normalize_code_is_none_or_canonical(text):
    code = normalize_code(text)
    if code is not None:
        assert CODE.match(code), code
        assert normalize_code(code) == code


@SETTINGS
@given(st.integers(0, 2**CODE_BITS - 1), st.sampled_from(["", " ", "-", "_", ".", "  "]))
@example(0, "")
@example(2**CODE_BITS - 1, "-")
def test_receipt_codes_round_trip(bits, sep):
    with patch("bot.tips.secrets.randbits", return_value=bits):
        code = new_receipt_code()
    assert CODE.match(code)
    assert normalize_code(code) == code
    assert normalize_code(code.lower()) == code
    body = code[4:].replace("-", "")
    assert normalize_code(sep.join(body)) == code
    assert normalize_code(f" ntr{sep}{body[:4]}{sep}{body[4:]} ") == code
    assert normalize_code(f"#{code}.") == code


def test_normalize_code_rejects_non_strings_and_wrong_lengths():
    assert normalize_code(None) is None  # type: ignore[arg-type]
    assert normalize_code(12345678) is None  # type: ignore[arg-type]
    assert normalize_code("NTR-ZZZZ-ZZZ") is None
    assert normalize_code("NTR-ZZZZ-ZZZZZ") is None
    assert normalize_code("NTR-UUUU-UUUU") is None  # U is not a Crockford symbol


# -- links -----------------------------------------------------------------------------------

link_parts = st.sampled_from(
    [
        "http://", "https://", "HTTPS://", "HtTp://", "www.", "instagram.com", "x.co", ".com",
        ".id", ".xyz", "/p/", "?a=1&b=2", "#frag", "<", ">", '"', "'", ")", "(", ".", ",", " ",
        "\n", "@", "a" * 600, "tiktok.com/@akun/video/1", "Pak.Budi", "例え.jp", "b" * 63,
    ]
)  # fmt: skip
link_text = st.lists(st.one_of(link_parts, st.text(any_char, max_size=5)), max_size=40).map("".join)


@SETTINGS
@given(st.one_of(link_text, any_text, long_text))
@example(" ".join(f"https://e.com/{i}" for i in range(30)))
@example("HTTPS://INSTAGRAM.COM/P/X and hTTp://x.co/a")
def test_extract_links_bounded_and_http(text):
    links = extract_links(text)
    assert len(links) <= MAX_LINKS
    assert len(set(links)) == len(links)
    for url in links:
        assert len(url) <= MAX_LINK_LENGTH
        assert url.startswith(("http://", "https://")), url


# -- the HTML answer renderer ----------------------------------------------------------------


def telegram_html(src: str) -> str:
    """The text Telegram would show for `src` as parse_mode HTML (raises on invalid HTML)."""
    try:
        text, _ = format_text(src, "HTML")
    except ApiError as exc:
        pytest.fail(f"invalid Telegram HTML: {exc.description}\n{src[:500]!r}")
    return text


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_bundled_answer_is_valid_html_and_fits_one_message(lang):
    rb = rulebook()
    renderer = Renderer(lang)
    by_length = sorted(rb.rules, key=lambda r: len(renderer.answer(r)))
    for rule in rb.rules:
        for out in (renderer.answer(rule), renderer.sources(rule)):
            text = telegram_html(out)
            check_text_length(text)
        assert len(f"a:{rule.id}".encode()) <= 64 and len(f"s:{rule.id}".encode()) <= 64
    # the longest answer with the three next longest named below it still fits
    longest = by_length[-1]
    check_text_length(telegram_html(renderer.answer(longest, tuple(by_length[-4:-1]))))


def _text(draw) -> Text:
    return Text(draw(any_text), draw(any_text))


@st.composite
def hostile_rules(draw) -> Rule:
    rule = draw(st.sampled_from(rulebook().rules))
    maybe = st.one_of(st.none(), st.builds(Text, any_text, any_text))
    return dataclasses.replace(
        rule,
        title=_text(draw),
        answer=_text(draw),
        sanction=_text(draw),
        condition=draw(maybe),
        unconfirmed=draw(maybe),
        legal_basis=tuple(draw(st.lists(any_text, max_size=3))),
        verdict=draw(st.sampled_from(["prohibited", "conditional", "info", "allowed"])),
        confidence=draw(st.sampled_from(["explicit", "inferred", "contested", "unconfirmed"])),
        refs=tuple(draw(st.lists(st.one_of(st.integers(1, 99), any_text), max_size=2))),
    )


@SETTINGS
@given(hostile_rules(), st.lists(hostile_rules(), max_size=2), st.sampled_from(["id", "en"]))
def test_renderer_escapes_any_rule_text(rule, also, lang):
    renderer = Renderer(lang)
    answer = telegram_html(renderer.answer(rule, tuple(also)))
    assert rule.answer.get(lang).strip() in answer
    assert rule.sanction.get(lang).strip() in answer
    telegram_html(renderer.sources(rule))
    plain = Renderer(lang, html_mode=False).answer(rule, tuple(also))
    assert rule.answer.get(lang) in plain


@SETTINGS
@given(st.lists(st.one_of(any_text, tricky), max_size=60).map("".join), st.integers(100, 4100))
def test_clip_html_never_breaks_markup(value, limit):
    """The /tip clipper: any escaped value inside our tags, cut anywhere, stays valid HTML."""
    src = f"<b>Kartu <code>NTR-0000-0000</code></b>\n<b>Isi:</b> {html.escape(value)}\n" * 3
    src += f"<i>{html.escape(value, quote=False)}</i>"
    assume(value.strip())
    out = clip_html(src, limit)
    assert out == src if len(src) <= limit else len(out) <= limit
    telegram_html(out)
