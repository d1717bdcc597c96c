from bot.normalize import Normalizer, SlangTable, basic_normalize


def table() -> SlangTable:
    return SlangTable.from_mapping(
        {
            "like": ["ngelike", "nge like", "love", "react"],
            "calon": ["paslon", "pasangan calon", "cabup", "candidate"],
            "story": ["sw", "status wa"],
        },
        ["boleh", "gak", "nggak", "saya", "sih", "min", "can", "i", "a", "to"],
    )


def test_basic_normalize_unicode_case_and_punctuation():
    assert basic_normalize("  BOLEH\u200bH  nge-LIKE?!  ") == "boleh ngelike"
    assert basic_normalize("Ｐａｓｌｏｎ") == "paslon"
    assert basic_normalize("café\u0301") == "cafe"
    assert basic_normalize("\u202epaslon\u202c") == "paslon"


def test_repeated_letters_are_folded_on_both_sides():
    n = Normalizer(table())
    assert n.normalize("bolehhhh gaaak ngelikeee paslonnn") == "like calon"
    assert n.normalize("nggak") == ""  # a stopword, whichever way it is spelled


def test_multiword_variants_win_over_single_words():
    n = Normalizer(table())
    assert n.tokens("upload di status wa") == ["upload", "di", "story"]
    assert n.tokens("nge like pasangan calon") == ["like", "calon"]


def test_english_maps_to_the_same_canonical_tokens():
    n = Normalizer(table())
    assert n.normalize("can I react to a candidate") == n.normalize("boleh saya ngelike paslon")


def test_keep_stopwords_for_conjunction_detection():
    n = Normalizer(table())
    assert n.tokens("boleh like", keep_stopwords=True) == ["boleh", "like"]


def test_empty_and_symbol_only_input():
    n = Normalizer(table())
    assert n.tokens("") == []
    assert n.tokens("🙂🙂 ??? <b>&amp;</b>") == ["b", "amp", "b"]


def test_acronyms_keep_their_letters():
    assert basic_normalize("PPPK PPK PPS KPPS") == "pppk ppk pps kpps"
    assert basic_normalize("wkwkwk mantappp") == "wkwkwk mantap"


def negating() -> Normalizer:
    return Normalizer(
        SlangTable.from_mapping(
            {"posting": ["upload", "diupload"], "pose": ["berpose"], "like": ["ngelike"]},
            ["saya", "boleh", "gak", "tanpa", "no", "ya"],
            negators=["gak", "tanpa", "no"],
            negation_skip=["saya"],
            negation_hosts=["boleh"],
        )
    )


def test_negation_marks_the_governed_words_alike():
    n = negating()
    assert n.tokens("foto tanpa pose") == n.tokens("foto gak berpose") == ["foto", "tidakpose"]
    assert n.tokens("no pose") == ["tidakpose"]
    assert n.tokens("gak saya upload") == ["tidakposting"]  # a pronoun may stand between


def test_negation_after_a_permission_word_is_a_question_tag():
    n = negating()
    assert n.tokens("boleh gak saya ngelike postingan") == ["like", "postingan"]


def test_negation_stops_at_the_end_of_its_clause():
    n = negating()
    assert n.tokens("upload gak? ya, saya ngelike") == ["posting", "like"]
    assert n.tokens("gak") == []


def test_dropping_a_stopword_never_forms_a_phrase():
    n = Normalizer(SlangTable.from_mapping(
        {"calon": ["pasangan calon", "cabup"], "pasangan": ["istri", "suami"]}, ["saya"]))
    assert n.tokens("pasangan calon") == ["calon"]  # "paslon"
    assert n.tokens("istri saya cabup") == ["pasangan", "calon"]  # a spouse who runs
