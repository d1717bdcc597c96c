import textwrap
from pathlib import Path

import pytest

from bot.rulebook import RulebookError, load_rulebook

META = """\
version: "t1"
date: "2026-01-01"
categories:
  - id: medsos
    title: {id: "Media sosial", en: "Social media"}
"""

RULE = """\
  - id: {rid}
    category: medsos
    verdict: {verdict}
    confidence: explicit
    title: {{id: "Judul {rid}", en: "Title {rid}"}}
    phrasings:
      id: ["boleh like postingan paslon {rid}"]
      en: ["can i like a candidate post {rid}"]
    keywords: [like, calon]
    answer: {{id: "Jawaban.", en: "Answer."}}
    legal_basis: ["SKB 2/2022 Lampiran II A4/B6"]
    sanction: {{id: "Sanksi.", en: "Sanction."}}
    sources: [1]
"""


def write_book(root: Path, rules: str, meta: str = META) -> Path:
    (root / "rules").mkdir(parents=True, exist_ok=True)
    (root / "meta.yaml").write_text(meta, encoding="utf-8")
    (root / "slang.yaml").write_text("canonical:\n  like: [ngelike]\nstopwords: [boleh]\n")
    (root / "rules" / "a.yaml").write_text("rules:\n" + rules, encoding="utf-8")
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(RulebookError) as exc:
        load_rulebook(root)
    return [str(p) for p in exc.value.problems if p.level == "error"]


def test_valid_minimal_book(tmp_path):
    rb = load_rulebook(write_book(tmp_path, RULE.format(rid="r1", verdict="prohibited")))
    assert [r.id for r in rb.rules] == ["r1"]
    assert rb.version == "t1"
    # rows 2-67 are not covered: a warning, not an error
    assert any("not covered" in w.message for w in rb.warnings)


def test_unknown_verdict_reports_file_and_line(tmp_path):
    book = write_book(tmp_path, RULE.format(rid="r1", verdict="maybe"))
    (msg,) = problems(book)
    assert msg.startswith("rules/a.yaml:4: error:")
    assert "unknown verdict 'maybe'" in msg


def test_missing_citation(tmp_path):
    text = RULE.format(rid="r1", verdict="prohibited").replace(
        '    legal_basis: ["SKB 2/2022 Lampiran II A4/B6"]\n', "    legal_basis: []\n"
    )
    (msg,) = problems(write_book(tmp_path, text))
    assert "rules/a.yaml:12" in msg and "legal_basis" in msg


def test_duplicate_id_names_both_places(tmp_path):
    text = RULE.format(rid="r1", verdict="prohibited") + RULE.format(rid="r1", verdict="prohibited")
    msgs = problems(write_book(tmp_path, text))
    assert any("duplicate id 'r1' (first at rules/a.yaml:2)" in m for m in msgs)


def test_empty_phrasings(tmp_path):
    text = RULE.format(rid="r1", verdict="prohibited").replace(
        '      en: ["can i like a candidate post r1"]', "      en: []"
    )
    (msg,) = problems(write_book(tmp_path, text))
    assert "phrasings.en' is empty" in msg


def test_bad_yaml_has_a_line(tmp_path):
    book = write_book(tmp_path, RULE.format(rid="r1", verdict="prohibited"))
    (book / "rules" / "b.yaml").write_text("rules:\n  - id: x\n    title: [unclosed\n")
    msgs = problems(book)
    assert any(m.startswith("rules/b.yaml:") and "bad YAML" in m for m in msgs)


def test_conditional_needs_condition_and_unconfirmed_needs_note(tmp_path):
    text = RULE.format(rid="r1", verdict="conditional") + RULE.format(
        rid="r2", verdict="prohibited").replace("confidence: explicit", "confidence: unconfirmed")
    msgs = problems(write_book(tmp_path, text))
    assert any("r1" in m and "missing 'condition'" in m for m in msgs)
    assert any("r2" in m and "missing 'unconfirmed'" in m for m in msgs)


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    text = RULE.format(rid="Bad Id", verdict="nope") + RULE.format(rid="r2", verdict="allowed")
    text = text.replace("category: medsos", "category: nowhere", 1)
    msgs = problems(write_book(tmp_path, text))
    assert len(msgs) >= 3


def test_unknown_field_and_see_also(tmp_path):
    text = (RULE.format(rid="r1", verdict="prohibited") + "    verdit: allowed\n"
            + RULE.format(rid="r2", verdict="prohibited") + "    see_also: [ghost]\n")
    msgs = problems(write_book(tmp_path, text))
    assert any("unknown field 'verdit'" in m for m in msgs)
    assert any("unknown rule 'ghost'" in m for m in msgs)


def test_same_phrasing_in_two_rules(tmp_path):
    a = RULE.format(rid="r1", verdict="prohibited")
    b = RULE.format(rid="r2", verdict="prohibited").replace("paslon r2", "paslon r1")
    msgs = problems(write_book(tmp_path, a + b))
    assert any("also in 'r1'" in m for m in msgs)


def test_bundled_rulebook_is_valid_and_cites_everything():
    rb = load_rulebook()
    assert len(rb.rules) >= 60
    assert not [w for w in rb.warnings if "not covered" in w.message]
    for rule in rb.rules:
        assert rule.legal_basis and all(c.strip() for c in rule.legal_basis), rule.id
        assert len(rule.id) <= 60  # fits Telegram's 64-byte callback data with a prefix
        if rule.confidence in ("contested", "unconfirmed"):
            assert rule.unconfirmed is not None, rule.id


def test_meta_problems(tmp_path):
    book = write_book(tmp_path, RULE.format(rid="r1", verdict="prohibited"),
                      meta=textwrap.dedent("""\
                      version: ""
                      date: "yesterday"
                      categories: []
                      """))
    msgs = problems(book)
    assert any("meta.yaml" in m and "date" in m for m in msgs)
    assert any("no categories" in m for m in msgs)


def test_one_bad_rule_does_not_cascade_into_see_also_errors(tmp_path):
    text = (RULE.format(rid="r1", verdict="maybe")
            + RULE.format(rid="r2", verdict="prohibited").replace("paslon r2", "paslon x")
            + "    see_also: [r1]\n")
    msgs = problems(write_book(tmp_path, text))
    assert len(msgs) == 1 and "unknown verdict" in msgs[0]


def test_overrides_must_name_a_stricter_rule(tmp_path):
    condition = '    condition: {id: "Syarat.", en: "Condition."}\n'
    text = (RULE.format(rid="r1", verdict="conditional") + condition
            + RULE.format(rid="r2", verdict="prohibited") + "    overrides: [r1, ghost]\n")
    msgs = problems(write_book(tmp_path, text))
    assert any("overrides names unknown rule 'ghost'" in m for m in msgs)
    assert any("overrides 'r1', which is less strict" in m for m in msgs)


def test_sheet_exceptions_answer_before_their_general_rules(shared_qa_rulebook):
    from bot.matcher import Matcher

    m = Matcher(shared_qa_rulebook)
    d = m.decide("suami saya nyaleg dan saya sudah ambil CLTN, boleh antar dia daftar ke KPU?")
    assert d.verdict == "conditional" and d.rule.id == "keluarga-dampingi-pasangan-calon"
    assert "kampanye-antar-calon-daftar-kpu" not in {r.id for r in d.also}


def test_yaml_booleans_in_word_lists_are_errors(tmp_path):
    book = write_book(tmp_path, RULE.format(rid="r1", verdict="prohibited"))
    (book / "slang.yaml").write_text("canonical:\n  like: [ngelike]\nstopwords: [boleh]\n"
                                     "negators: [tidak, no]\n")
    msgs = problems(book)
    assert any("'negators' must be a list of words (quote yes/no/on/off)" in m for m in msgs)
