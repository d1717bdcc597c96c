"""Pure tip helpers: labels, transitions, receipt codes, dates, links, drafts, routing."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from bot.config import Route, TipsConfig
from bot.tips import (
    CATEGORIES,
    CATEGORY_LABELS,
    CROCKFORD,
    REJECT_REASONS,
    STATUS_LABELS,
    STATUSES,
    TRANSITIONS,
    DateError,
    Evidence,
    TipDraft,
    can_transition,
    extract_links,
    label,
    new_receipt_code,
    normalize_code,
    parse_date,
    route_chat,
    valid_nip,
    validate_draft,
)

TODAY = date(2024, 11, 20)


def test_categories_statuses_and_reasons_have_both_labels():
    assert CATEGORIES == ("medsos", "kampanye", "fasilitas", "politik-uang", "keputusan", "lainnya")
    assert CATEGORY_LABELS["politik-uang"][0] == "Politik uang / pemberian barang"
    assert CATEGORY_LABELS["keputusan"] == ("Keputusan / mutasi", "Decisions / transfers")
    assert STATUSES == ("baru", "diverifikasi", "diteruskan", "selesai", "ditolak")
    assert set(REJECT_REASONS) == {
        "bukan-asn", "bukti-kurang", "di-luar-wewenang", "duplikat", "tidak-jelas",
    }  # fmt: skip
    for mapping in (CATEGORY_LABELS, STATUS_LABELS, REJECT_REASONS):
        for pair in mapping.values():
            assert len(pair) == 2 and all(pair)
    assert label(CATEGORY_LABELS, "medsos", "en") == "Social media"
    assert label(CATEGORY_LABELS, "medsos") == "Media sosial"
    assert label(CATEGORY_LABELS, "nope") == "nope"


def test_transitions():
    assert can_transition("baru", "diverifikasi") and can_transition("baru", "ditolak")
    assert not can_transition("baru", "selesai") and not can_transition("baru", "diteruskan")
    assert {s for s in STATUSES if can_transition("diverifikasi", s)} == {
        "diteruskan", "selesai", "ditolak",
    }  # fmt: skip
    assert {s for s in STATUSES if can_transition("diteruskan", s)} == {"selesai", "ditolak"}
    for status in STATUSES:
        assert not can_transition(status, status)
    assert TRANSITIONS["selesai"] == TRANSITIONS["ditolak"] == frozenset()
    assert not can_transition("ditolak", "baru")
    assert not can_transition("nope", "baru")


def test_receipt_code_format_and_entropy():
    codes = [new_receipt_code() for _ in range(4000)]
    pattern = re.compile(r"^NTR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
    assert all(pattern.match(c) for c in codes)
    assert len(set(codes)) == len(codes)
    symbols = Counter(ch for c in codes for ch in c[4:].replace("-", ""))
    assert set(symbols) == set(CROCKFORD) and len(CROCKFORD) == 32
    # 8 symbols x 5 bits = 40 bits, and every position takes every value
    for pos in (4, 5, 6, 7, 9, 10, 11, 12):
        assert len({c[pos] for c in codes}) == 32
    # roughly uniform: no symbol far from its expected share
    expected = 4000 * 8 / 32
    assert all(0.7 * expected < n < 1.3 * expected for n in symbols.values())


def test_normalize_code_round_trip_and_typed_forms():
    for _ in range(200):
        code = new_receipt_code()
        assert normalize_code(code) == code
        assert normalize_code(code.lower()) == code
        assert normalize_code(code.replace("-", "")) == code
        assert normalize_code(code[4:]) == code
        assert normalize_code(" ".join(code.split("-"))) == code
    assert normalize_code("ntr 0ab1 c2de") == "NTR-0AB1-C2DE"
    assert normalize_code("NTR-OABI-C2DL") == "NTR-0AB1-C2D1"  # O→0, I→1, L→1
    assert normalize_code("oabi-c2dl") == "NTR-0AB1-C2D1"
    assert normalize_code("#NTR-0AB1-C2DE") == "NTR-0AB1-C2DE"
    for bad in ("", "NTR", "NTR-0AB1-C2D", "NTR-0AB1-C2DEF", "NTR-0AB1-C2DU", "XYZ-0AB1-C2DE",
                "hello world", "NTR-0AB1-C2D!"):  # fmt: skip
        assert normalize_code(bad) is None, bad


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hari ini", date(2024, 11, 20)),
        ("Today", date(2024, 11, 20)),
        ("kemarin", date(2024, 11, 19)),
        ("yesterday", date(2024, 11, 19)),
        ("kemarin lusa", date(2024, 11, 18)),
        ("3 hari lalu", date(2024, 11, 17)),
        ("3 hari yang lalu", date(2024, 11, 17)),
        ("5 days ago", date(2024, 11, 15)),
        ("1 day ago", date(2024, 11, 19)),
        ("dua hari lalu", date(2024, 11, 18)),
        ("seminggu lalu", date(2024, 11, 13)),
        ("seminggu yang lalu", date(2024, 11, 13)),
        ("minggu lalu", date(2024, 11, 13)),
        ("1 minggu lalu", date(2024, 11, 13)),
        ("2 minggu lalu", date(2024, 11, 6)),
        ("a week ago", date(2024, 11, 13)),
        ("12/11/2024", date(2024, 11, 12)),
        ("12-11-2024", date(2024, 11, 12)),
        ("12.11.2024", date(2024, 11, 12)),
        ("12/11/24", date(2024, 11, 12)),
        ("2/3/2024", date(2024, 3, 2)),
        ("2024-11-12", date(2024, 11, 12)),
        ("12 November", date(2024, 11, 12)),
        ("12 November 2024", date(2024, 11, 12)),
        ("12 Nov 2024", date(2024, 11, 12)),
        ("12 nov. 2024", date(2024, 11, 12)),
        ("12 nopember 2024", date(2024, 11, 12)),
        ("tanggal 12 November 2024", date(2024, 11, 12)),
        ("17 Agustus 2024", date(2024, 8, 17)),
        ("17 Agu 2024", date(2024, 8, 17)),
        ("17 agt 2024", date(2024, 8, 17)),
        ("17 August 2024", date(2024, 8, 17)),
        ("1 Mei 2024", date(2024, 5, 1)),
        ("1 May 2024", date(2024, 5, 1)),
        ("25 Desember 2023", date(2023, 12, 25)),
        ("25 des 2023", date(2023, 12, 25)),
        ("25 Dec 2023", date(2023, 12, 25)),
        ("5 Okt 2024", date(2024, 10, 5)),
        ("5 October 2024", date(2024, 10, 5)),
        ("14 Peb 2024", date(2024, 2, 14)),
        ("14 Feb 2024", date(2024, 2, 14)),
        ("14 Februari 2024", date(2024, 2, 14)),
        ("3 Januari 2024", date(2024, 1, 3)),
        ("November 12, 2024", date(2024, 11, 12)),
        ("1/1/2019", date(2019, 1, 1)),  # old, but the moderators judge that
    ],
)
def test_parse_date_forms(text, expected):
    assert parse_date(text, TODAY) == expected


def test_parse_date_without_year_rolls_back():
    assert parse_date("12 November", TODAY) == date(2024, 11, 12)
    assert parse_date("20 November", TODAY) == date(2024, 11, 20)
    assert parse_date("25 Desember", TODAY) == date(2023, 12, 25)  # would be in the future
    assert parse_date("21 Nov", TODAY) == date(2023, 11, 21)
    assert parse_date("25/12", TODAY) == date(2023, 12, 25)
    # 29 February with no year in a common year means the last leap year
    assert parse_date("29 Feb", date(2025, 3, 1)) == date(2024, 2, 29)


@pytest.mark.parametrize(
    "text",
    ["31/02/2024", "29 Februari 2023", "32 Januari 2024", "12/13/2024", "2024-02-30",
     "", "   ", "besok-besok", "kapan ya", "12 Blah 2024", "0/1/2024", "99999 hari lalu",
     "banyak hari lalu"],
)  # fmt: skip
def test_parse_date_unknown(text):
    with pytest.raises(DateError) as err:
        parse_date(text, TODAY)
    assert err.value.reason == "unknown"


@pytest.mark.parametrize("text", ["21/11/2024", "2025-01-01", "1 Desember 2024", "12/12/24"])
def test_parse_date_future(text):
    with pytest.raises(DateError) as err:
        parse_date(text, TODAY)
    assert err.value.reason == "future"


def test_extract_links():
    text = (
        "Lihat https://www.instagram.com/p/abc123/?igsh=x, juga instagram.com/budi.asn dan "
        "tiktok.com/@pakbudi. Kontak budi@gmail.com, Pak.Budi bilang http://x.id/a. "
        "Lagi: https://www.instagram.com/p/abc123/?igsh=x"
    )
    assert extract_links(text) == [
        "https://www.instagram.com/p/abc123/?igsh=x",
        "https://instagram.com/budi.asn",
        "https://tiktok.com/@pakbudi",
        "http://x.id/a",
    ]
    many = " ".join(f"https://example.com/{i}" for i in range(15))
    assert len(extract_links(many)) == 10
    assert extract_links("https://example.com/" + "a" * 600) == []
    assert extract_links("tidak ada tautan di sini. ok.") == []


def test_valid_nip():
    assert valid_nip("198501012010011001")
    assert valid_nip("19850101 201001 1 001")
    assert valid_nip("")  # optional field
    assert not valid_nip("1985010120100110")
    assert not valid_nip("19850101201001100X")
    assert not valid_nip("١٩٨٥٠١٠١٢٠١٠٠١١٠٠١")  # non-ASCII digits


def test_draft_json_round_trip_and_tolerance():
    draft = TipDraft(
        category="medsos",
        description="Kepala dinas membagikan poster paslon",
        asn_name="Budi",
        occurred_on="2024-11-12",
        evidence=[
            Evidence("photo", file_id="F1", file_unique_id="U1", media_group_id="g"),
            Evidence("link", url="https://instagram.com/x"),
        ],
        witnesses="dua orang rekan",
    )
    again = TipDraft.from_json(draft.to_json())
    assert again == draft
    assert TipDraft.from_json('{"category": "medsos", "future_field": 1}').category == "medsos"
    assert TipDraft.from_json('{"evidence": [{"kind": "photo", "new": 1}]}').evidence == [
        Evidence("photo")
    ]
    with pytest.raises(ValueError):
        TipDraft.from_json("[1, 2]")


def test_validate_draft():
    config = TipsConfig(max_evidence=2, max_text_length=50)
    good = TipDraft(category="medsos", description="x")
    assert validate_draft(good, config) == []
    assert validate_draft(TipDraft(), config) == ["category", "description"]
    bad = TipDraft(
        category="medsos",
        description="y" * 51,
        asn_nip="123",
        occurred_on="kemarin",
        evidence=[Evidence("photo"), Evidence("photo"), Evidence("sticker")],
    )
    assert validate_draft(bad, config) == ["too_long", "evidence", "evidence_kind", "nip", "date"]


def test_route_chat():
    routes = [
        Route(chat_id=-1, regions=["Kab. Bogor", "Jawa Barat"]),
        Route(chat_id=-2, regions=["Kota Bandung"], categories=["politik-uang"]),
        Route(chat_id=-3, regions=["Surabaya"]),
    ]
    assert route_chat(routes, -9, "Kabupaten Bogor", "medsos") == -1
    assert route_chat(routes, -9, "kab bogor", "medsos") == -1
    assert route_chat(routes, -9, "Bogor", "medsos") == -1  # no kind given: same name is enough
    assert route_chat(routes, -9, "Kota Bogor", "medsos") == -9  # a different place
    assert route_chat(routes, -9, "Kecamatan X, JAWA BARAT", "medsos") == -1
    assert route_chat(routes, -9, "Kota Surabaya", "medsos") == -3
    assert route_chat(routes, -9, "Bandung", "medsos") == -2
    assert route_chat(routes, -9, "Medan", "politik-uang") == -2
    assert route_chat(routes, -9, "Medan", "medsos") == -9
    assert route_chat(routes, None, "Medan", "medsos") is None
    assert route_chat([], None, "", "") is None
    # "Kotabaru" is a regency's name, not "Kota Baru"
    assert route_chat([Route(chat_id=-4, regions=["Kota Baru"])], -9, "Kotabaru", "") == -9


def test_find_code_in_prompts():
    from bot.tips import find_code, new_receipt_code

    code = new_receipt_code()
    assert find_code(f"❓ Pertanyaan untuk pelapor {code}: balas pesan ini") == code
    assert find_code(f"Tulis jawaban Anda (laporan {code.lower()}):") == code
    assert find_code("tanpa kode") is None
    assert find_code("NTR-12-34") is None
