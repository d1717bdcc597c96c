"""Matcher decisions on the bundled rulebook, and the safety logic on a tiny synthetic one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import MatcherConfig
from bot.matcher import Matcher
from bot.normalize import SlangTable
from bot.rulebook import Category, Rule, Rulebook, Text


@pytest.fixture(scope="module")
def matcher(shared_qa_rulebook) -> Matcher:
    return Matcher(shared_qa_rulebook, MatcherConfig())


@pytest.mark.parametrize(
    ("question", "verdict", "row"),
    [
        ("min boleh gak sih saya ngelike postingan cabup di IG?", "prohibited", 1),
        ("Can a civil servant share a candidate's post on Facebook?", "prohibited", 3),
        ("bolehkah ASN menjadi anggota partai politik", "prohibited", 36),
        ("boleh jadi timses paslon?", "prohibited", 29),
        ("PNS boleh nyoblos di TPS kan?", "allowed", 56),
        ("saya PPPK, aturan netralitas ini berlaku juga?", "info", 63),
    ],
)
def test_clear_questions_are_answered(matcher, question, verdict, row):
    d = matcher.decide(question)
    assert d.kind == "answer", (d.kind, [c.rule.id for c in d.suggestions])
    assert d.verdict == verdict
    assert row in d.rule.sources


def test_english_is_detected(matcher):
    assert matcher.decide("Can I follow a candidate on Instagram?").lang == "en"
    assert matcher.decide("boleh follow akun capres?").lang == "id"
    assert matcher.decide("follow", lang_hint="en").lang == "en"


def test_compound_question_answers_the_stricter_first_and_names_the_other(matcher):
    d = matcher.decide("boleh nyoblos dan like postingan paslon?")
    assert d.kind == "answer"
    assert d.verdict == "prohibited"
    assert {r.verdict for r in d.also} == {"allowed"}


def test_unrelated_and_out_of_scope_are_declined(matcher):
    assert matcher.decide("resep rendang padang").kind == "abstain"
    assert matcher.decide("🙂🙂🙂").kind == "abstain"
    assert matcher.decide("").kind == "abstain"
    assert matcher.decide("Anggota Polri boleh like postingan capres?").kind == "abstain"
    # naming a civil servant keeps the question in scope
    d = matcher.decide("Saya PNS, suami saya polisi. Boleh saya like postingan capres?")
    assert d.verdict == "prohibited"


def test_short_query_does_not_match_long_phrasing_perfectly(matcher):
    # the WRatio / token_set_ratio trap: one word is a subset of many phrasings
    d = matcher.decide("foto")
    assert d.kind != "answer" or d.score < 100


def rule(rid: str, verdict: str, phrasing: str) -> Rule:
    t = Text(rid, rid)
    return Rule(id=rid, category="c", verdict=verdict, confidence="explicit", title=t,
                phrasings={"id": (phrasing,), "en": (phrasing,)}, keywords=tuple(phrasing.split()),
                answer=t, legal_basis=("X",), sanction=t, sources=(1,),
                condition=t if verdict == "conditional" else None)


def tiny(*rules: Rule, slang: SlangTable | None = None) -> Matcher:
    slang = slang or SlangTable.from_mapping({}, ["boleh"])
    book = Rulebook("v", "2026-01-01", [Category("c", Text("c", "c"))], list(rules), slang, "mem")
    return Matcher(book, MatcherConfig())


def test_allowed_needs_more_confidence_than_prohibited():
    m = tiny(rule("a", "allowed", "follow akun resmi kpu"),
             rule("p", "prohibited", "follow akun calon presiden"))
    d = m.decide("boleh follow akun")  # ambiguous between the two
    assert d.kind == "suggest"
    assert m.decide("boleh follow akun resmi kpu").verdict == "allowed"
    assert m.decide("boleh follow akun calon presiden").verdict == "prohibited"


def test_stricter_rule_close_behind_an_allowed_one_makes_the_bot_ask():
    m = tiny(rule("a", "allowed", "nonton debat calon di tv"),
             rule("p", "prohibited", "nonton debat calon di lokasi"))
    d = m.decide("nonton debat calon")
    assert d.kind == "suggest"
    assert {c.rule.id for c in d.suggestions} == {"a", "p"}


def test_a_permission_question_lowers_the_bar_for_stricter_answers_only():
    rules = [rule("p", "prohibited", "like postingan calon presiden di instagram")]
    m = tiny(*rules, slang=SlangTable.from_mapping({}, ["boleh"], permission_words=["boleh"]))
    cfg = m.config
    d = m.decide("like calon")
    assert cfg.permission_threshold <= d.score < cfg.answer_threshold, d.score
    assert d.kind == "suggest"  # no permission asked: ask back
    assert m.decide("boleh like calon?").verdict == "prohibited"


def test_context_words_of_stricter_rules_do_not_block_a_clear_allowed_answer(matcher):
    # "rumah" is a keyword of a prohibited rule (banners at home), which is no reading here
    assert matcher.decide("nonton debat capres di tv dari rumah").verdict == "allowed"
    # a stricter action next to the allowed one still blocks "boleh"
    d = matcher.decide("nonton debat capres di tv dari rumah terus pasang spanduk capres")
    assert d.verdict != "allowed"


def test_a_fact_question_is_not_answered_by_an_action_rule(matcher):
    # the saksi rule says whether an ASN may be a party witness, not what witnesses earn
    assert matcher.decide("berapa honor saksi partai di tps?").kind != "answer"
    assert matcher.decide("cara upload story biar fotonya tajam?").kind != "answer"
    # asking permission keeps the action rules in play
    assert matcher.decide("boleh jadi saksi partai di tps?").verdict == "prohibited"
    # and info rules still answer facts
    d = matcher.decide("berapa persen tukin dipotong kalau kena hukdis sedang?")
    assert d.verdict == "info"


def test_a_negated_action_is_not_the_action(matcher):
    d = matcher.decide("nonton debat capres di youtube, gak komen apa-apa")
    assert d.verdict == "allowed"
    assert matcher.decide("nonton debat capres di youtube terus komen").verdict != "allowed"


def test_a_generic_word_does_not_make_a_compound_question(matcher):
    # "atau" joins two ways of watching, and "calon" is in most rules: no second action here
    d = matcher.decide("ASN boleh menyaksikan debat calon lewat televisi atau streaming?")
    assert d.verdict == "allowed"


def test_a_story_is_settled_by_its_last_sentences():
    m = tiny(rule("p", "prohibited", "repost video kampanye calon"),
             rule("q", "prohibited", "posting jadwal kampanye calon"))
    story = (
        "Minggu lalu kantor ramai sekali, teman kirim meme lucu, lagu dangdut, resep masakan, "
        "dan ramalan cuaca di grup alumni yang anggotanya banyak pensiunan guru. "
        "Saya repost video kampanye calon. Boleh?"
    )
    assert m._decide(story, None).kind == "suggest"  # the whole story is too diffuse
    d = m.decide(story)
    assert d.kind == "answer" and d.rule.id == "p"
    assert d.question == story


def test_a_story_tail_never_turns_a_question_into_boleh(matcher):
    story = "Teman follow akun capres dan like semua postingannya. Saya follow akun KPU. Boleh?"
    assert matcher.decide(story).verdict != "allowed"


def test_a_phrasing_that_says_the_opposite_is_no_match():
    m = tiny(rule("c", "conditional", "foto bareng calon tanpa pose"),
             rule("p", "prohibited", "foto bareng calon pose jari"),
             slang=SlangTable.from_mapping({}, ["tanpa", "boleh"], negators=["tanpa"]))
    assert m.decide("foto bareng calon tanpa pose").rule.id == "c"
    d = m.decide("foto bareng calon pose")
    assert [c.rule.id for c in d.ranked] == ["p"]  # "tanpa pose" contradicts "pose"


def test_a_post_only_civil_servants_hold_keeps_the_question_in_scope(matcher):
    d = matcher.decide("Saya camat. Boleh saya ajak para kepala desa memilih calon petahana?")
    assert d.kind == "answer" and d.verdict == "prohibited"
    assert matcher.decide("Kepala desa boleh ajak warga memilih calon petahana?").kind == "abstain"


def test_people_the_asker_takes_along_keep_the_question_in_scope(matcher):
    # students, journalists and RT heads are outside the rules as actors, not as the people an
    # ASN takes along or gives to
    d = matcher.decide("boleh saya ngajak pelajar ikut kampanye paslon?")
    assert d.kind == "answer" and d.verdict == "prohibited"
    d = matcher.decide("saya foto bareng wartawan sambil pose dua jari, boleh?")
    assert d.kind == "answer" and d.verdict == "prohibited"
    d = matcher.decide("boleh saya kasih sembako ke ketua RT biar milih paslon?")
    assert d.kind == "answer" and d.verdict == "prohibited"
    assert matcher.decide("pelajar boleh ikut kampanye paslon?").kind == "abstain"
    assert matcher.decide("wartawan boleh pose dua jari?").kind == "abstain"


def test_where_to_report_someone_elses_act_is_a_reporting_question(matcher):
    for question in (
        "kemarin saya lihat camat like postingan cabup, lapor gimana?",
        "I saw a civil servant sharing campaign posts, where do I report it?",
    ):
        d = matcher.decide(question)
        assert d.kind == "answer" and d.rule.id == "pelaporan-ke-mana", question
    # asking permission is still about the act
    assert matcher.decide("Boleh nggak PNS like postingan cabup? gimana aturannya").verdict == (
        "prohibited"
    )


def test_unknown_place_names_do_not_dilute_a_question(matcher):
    from bot.matcher import _proper_names

    assert _proper_names("Follow akun Pemkab Sikka dan NTT. Boleh?") >= {"pemkab", "sika", "ntt"}
    assert _proper_names("BOLEH LIKE PASLON?") == frozenset()
    plain = matcher.decide("follow akun resmi pemerintah kabupaten aman kah")
    named = matcher.decide("follow akun resmi pemerintah kabupaten Halmahera Tengah aman kah")
    assert named.score == plain.score


def test_words_typed_without_vowels_or_with_a_clitic_are_read(matcher):
    assert matcher.query_tokens("nntn debat") == matcher.query_tokens("nonton debat")
    assert "komentar" in matcher.query_tokens("komennya di ig paslon")
    # three consonants are as often an acronym as a word: left alone
    assert "jkt" in matcher.query_tokens("pns di jkt")


def test_a_reduplicated_word_reads_as_the_word(matcher):
    assert matcher.query_tokens("liat2 kampanye") == matcher.query_tokens("liat-liat kampanye")
    # "apa2" is "anything": it does not make the next "ga" a question tag
    toks = matcher.query_tokens("ikut foto tp ga pose apa2 & ga ku upload")
    assert "posting" not in toks and "tidakposting" in toks


def padded(*rules: Rule, permission: bool = False) -> Matcher:
    """A tiny rulebook with unrelated rules around, so the real ones' words are distinctive."""
    others = [rule(f"z{i}", "info", f"topik{i} lain{i}") for i in range(12)]
    slang = SlangTable.from_mapping({}, ["boleh"], permission_words=["boleh"] if permission else [])
    return tiny(*rules, *others, slang=slang)


def test_but_joins_a_second_action_that_breaks_the_condition():
    m = padded(rule("c", "conditional", "foto bareng calon acara resmi"),
               rule("p", "prohibited", "upload foto calon instagram"))
    d = m.decide("foto bareng calon acara resmi tapi upload instagram")
    assert d.rule.id == "p" and [r.id for r in d.also] == ["c"]


def test_an_info_rule_close_to_the_action_asked_about_is_no_rival_verdict():
    rules = [rule("a", "allowed", "nyoblos di tps"), rule("i", "info", "honorer")]
    d = padded(*rules, permission=True).decide("honorer boleh nyoblos tps")
    assert d.kind == "answer" and d.rule.id == "a" and [r.id for r in d.also] == ["i"]
    # without a permission word the two readings make the bot ask back
    assert padded(*rules).decide("honorer nyoblos tps").kind == "suggest"


def test_a_stricter_best_match_answers_over_a_milder_rival_but_never_the_reverse():
    question = "share jadwal nyoblos kpu"
    m = padded(rule("c", "conditional", "share jadwal pemilu resmi kpu"),
               rule("a", "allowed", "nyoblos jadwal tps"))
    d = m.decide(question)
    assert [c.rule.id for c in d.ranked[:2]] == ["c", "a"]
    assert d.ranked[0].score - d.ranked[1].score <= m.config.margin
    assert d.kind == "answer" and d.rule.id == "c" and [r.id for r in d.also] == ["a"]
    # the same scores with the verdicts swapped: the "allowed" best match never answers
    m = padded(rule("c", "allowed", "share jadwal pemilu resmi kpu"),
               rule("a", "conditional", "nyoblos jadwal tps"))
    d = m.decide(question)
    assert d.ranked[0].rule.id == "c" and d.verdict != "allowed"


def test_who_and_where_do_not_block_boleh_but_actions_do(matcher):
    # "pasangan" and "dinas" are keywords of stricter rules, but only say who or where
    assert {"pasangan", "dinas"} <= matcher.normalizer.slang.context_words
    d = matcher.decide("Suami saya juga mau nonton debat capres di TV bareng saya, boleh?")
    assert d.verdict == "allowed"
    assert matcher.decide("saya pegawai dinas, boleh nonton debat cagub di tv?").verdict == (
        "allowed"
    )
    assert matcher.decide("Suami saya timses, saya ikut nonton debat di TV, boleh?").verdict != (
        "allowed"
    )
    assert matcher.decide("nonton debat di kantor pakai proyektor kantor boleh?").verdict != (
        "allowed"
    )


def test_an_exception_whose_condition_is_denied_does_not_apply(matcher):
    # row 32 (a speaker with a surat tugas) is the exception to row 35 (party events)
    d = matcher.decide("boleh jadi narasumber di acara partai kalau ada surat tugas?")
    assert d.rule.id == "kampanye-narasumber-acara-partai"
    d = matcher.decide("boleh jadi narasumber di acara partai walau tidak ada surat tugas?")
    assert d.verdict == "prohibited"


def test_two_allowed_actions_are_not_read_as_a_third_stricter_one(matcher):
    d = matcher.decide("Boleh nonton debat paslon di TV terus follow akun KPU?")
    assert d.verdict == "allowed"
    assert "medsos-follow-akun-kpu-bawaslu" in [r.id for r in d.also]
    # the same words with the candidate's account: a second, prohibited action
    assert matcher.decide("Boleh nonton debat di TV terus follow akun paslon?").verdict != (
        "allowed"
    )


def test_a_rule_about_one_year_does_not_answer_for_another():
    m = padded(rule("j", "info", "jadwal pemungutan suara pemilu 2024"))
    assert m.decide("jadwal pemungutan suara pemilu 2024").rule.id == "j"
    assert m.decide("jadwal pemungutan suara pemilu 2029").kind == "abstain"
    # "berikutnya" (the slang table's token for "next", "mendatang") is another year too
    assert m.decide("jadwal pemungutan suara pemilu berikutnya").kind == "abstain"


def test_a_relative_who_is_the_civil_servant_is_asked_about_as_one(matcher):
    assert "pasangan" not in matcher.query_tokens("Suami saya PNS ditawari jadi timses caleg")
    d = matcher.decide("Suami saya PNS ditawari jadi timses caleg, boleh diterima?")
    assert d.verdict == "prohibited" and d.rule.id == "kampanye-jadi-timses-relawan"
    # a relative who is running keeps the family rules in play
    assert "pasangan" in matcher.query_tokens("Suami saya nyaleg, saya PNS, boleh dampingi?")


def test_a_stricter_sole_reading_answers_a_permission_question_below_the_bar():
    p = rule("p", "prohibited", "ajak rekan kerja ikut kampanye calon bupati di lapangan")
    question = "ajak teman ruangan ikut kampanye naik bus rame rame bayar sendiri"
    d = padded(p, permission=True).decide(f"boleh {question}?")
    assert d.score < padded(p).config.permission_threshold
    assert d.kind == "answer" and d.rule.id == "p"
    # no permission asked, or another verdict close behind: ask back
    assert padded(p, permission=True).decide(question).kind == "suggest"
    rival = rule("c", "conditional", "ajak teman bus ke acara resmi")
    assert padded(p, rival, permission=True).decide(f"boleh {question}?").kind == "suggest"


def test_two_allowed_actions_explain_each_others_words():
    # "datang" is the stricter rule's keyword, but the voting rule's phrasing explains it
    vote = replace(rule("b", "allowed", "datang nyoblos tps"), keywords=("tps", "nyoblos"))
    m = padded(rule("a", "allowed", "nonton debat calon tv"), vote,
               rule("p", "prohibited", "datang langsung lokasi debat calon gedung"),
               permission=True)
    d = m.decide("boleh nonton debat calon tv lalu datang nyoblos tps?")
    assert d.verdict == "allowed" and [r.id for r in d.also] == ["b"]
    # a word neither allowed action explains still blocks "boleh"
    assert m.decide("boleh nonton debat calon tv lalu datang lokasi nyoblos tps?").verdict != (
        "allowed"
    )


def test_an_incidental_rare_word_does_not_hide_the_rule_asked_about(matcher):
    # "face" is a word of one rule only (a reporter facing the reported person at a hearing);
    # when candidates came from such words alone, the sanctions rule was never scored
    d = matcher.decide("What sanctions can a civil servant face for violating election neutrality?")
    assert d.kind == "answer" and d.rule.id == "sanksi-ringkasan"
    d = matcher.decide("Bagaimana prosedur melaporkan staf yang diduga tidak netral ke Bawaslu?")
    assert d.verdict == "info" and d.rule.category == "pelaporan"
