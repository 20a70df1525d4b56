"""NER corpus readers: ANERcorp, NewsFANE and Wojood lines into IOB2 sentences over the shared labels."""

import pytest

from training.ner_corpora import (
    NerFormatError,
    NerSentence,
    detect_format,
    label_set,
    read_ner,
    read_sentences,
    repair_iob2,
    split_long,
)

ANERCORP = """\
فرانكفورت B-LOC
( O
أعلن O
اتحاد B-ORG
صناعة I-ORG
السيارات I-ORG
. O

قال O
محمد B-PERS
العبار I-PERS
"""

# NewsFANE: tab-separated, U+200E before Arabic tokens, a tab-only line between sentences, fine classes.
NEWSFANE = (
    "\u200eاستثمرت\tO\n"
    "\u200eنوكيا\tB-Commercial\n"
    "\u200eفي\tO\n"
    "\u200eقطر\tB-Nation\n"
    ".\tO\n"
    "\t\n"
    "\u200eقال\tO\n"
    "\u200eبيل\tB-Businessperson\n"
    "\u200eجيتس\tI-Businessperson\n"
    "\u200eلرويترز\tB-Media\n"
)

# Wojood: token, then nested tags outermost first; «$#$» ends a segment.
WOJOOD = """\
قال O
رئيس B-OCC
شركة I-OCC B-ORG
أرامكو I-OCC I-ORG
إن O
60 B-MONEY B-CARDINAL
مليون I-MONEY I-CARDINAL
دولار I-MONEY B-CURR
$#$ O

الأسد B-PERS
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_anercorp_lines_become_sentences_at_blank_lines(tmp_path):
    sentences = read_sentences(write(tmp_path, "a.txt", ANERCORP), "anercorp")
    assert sentences == [
        NerSentence(
            ["فرانكفورت", "(", "أعلن", "اتحاد", "صناعة", "السيارات", "."],
            ["B-LOC", "O", "O", "B-ORG", "I-ORG", "I-ORG", "O"],
        ),
        NerSentence(["قال", "محمد", "العبار"], ["O", "B-PERS", "I-PERS"]),
    ]


def test_anercorp_tag_glued_to_the_next_token_is_split_back(tmp_path):
    # ANERcorp's reconstructed train split has «. Oالإصابة O»: «. O» and «الإصابة O» lost their line break.
    path = write(tmp_path, "a.txt", "الإسبانية O\n. Oالإصابة O\nستبعد O\nإيتو B-PERS\n")
    [sentence] = read_sentences(path, "anercorp")
    assert sentence.words == ["الإسبانية", ".", "الإصابة", "ستبعد", "إيتو"]
    assert sentence.tags == ["O", "O", "O", "O", "B-PERS"]


def test_newsfane_fine_classes_fold_into_the_deal_relevant_set(tmp_path):
    sentences = read_sentences(write(tmp_path, "n.txt", NEWSFANE), "newsfane")
    assert sentences == [
        NerSentence(["استثمرت", "نوكيا", "في", "قطر", "."], ["O", "B-ORG_COMMERCIAL", "O", "B-LOC", "O"]),
        NerSentence(["قال", "بيل", "جيتس", "لرويترز"], ["O", "B-PERS", "I-PERS", "B-ORG"]),
    ]


def test_wojood_keeps_the_outermost_kept_tag_and_breaks_at_segment_marks(tmp_path):
    sentences = read_sentences(write(tmp_path, "w.txt", WOJOOD), "wojood")
    # OCC is dropped, so the ORG nested in it shows through; MONEY outranks CARDINAL and CURR.
    assert sentences == [
        NerSentence(
            ["قال", "رئيس", "شركة", "أرامكو", "إن", "60", "مليون", "دولار"],
            ["O", "O", "B-ORG", "I-ORG", "O", "B-MONEY", "I-MONEY", "I-MONEY"],
        ),
        NerSentence(["الأسد"], ["B-PERS"]),
    ]


def test_format_is_detected_from_content(tmp_path):
    detected = [
        detect_format(write(tmp_path, name, text))
        for name, text in (("a.txt", ANERCORP), ("n.txt", NEWSFANE), ("w.txt", WOJOOD))
    ]
    assert detected == ["anercorp", "newsfane", "wojood"]


def test_invalid_iob2_is_repaired():
    assert repair_iob2(["O", "I-PERS", "I-PERS", "I-ORG", "B-LOC", "I-LOC"]) == [
        "O",
        "B-PERS",
        "I-PERS",
        "B-ORG",
        "B-LOC",
        "I-LOC",
    ]


def test_reader_repairs_an_inside_tag_after_o(tmp_path):
    [sentence] = read_sentences(write(tmp_path, "a.txt", "قال O\nمحمد I-PERS\nالعبار I-PERS\n"), "anercorp")
    assert sentence.tags == ["O", "B-PERS", "I-PERS"]


def test_long_run_is_cut_at_sentence_ends_then_every_max_words_without_cutting_an_entity():
    words = ["أ", "ب", ".", "ج", "د", "صندوق", "الاستثمارات", "العامة", "هـ"]
    tags = ["O", "O", "O", "O", "O", "B-ORG", "I-ORG", "I-ORG", "O"]
    pieces = split_long(words, tags, max_words=4)
    assert [p.words for p in pieces] == [["أ", "ب", "."], ["ج", "د"], ["صندوق", "الاستثمارات", "العامة", "هـ"]]
    assert pieces[2].tags == ["B-ORG", "I-ORG", "I-ORG", "O"]


def test_file_format_suffix_and_bad_inputs(tmp_path):
    path = write(tmp_path, "w.txt", WOJOOD)
    assert read_ner(f"{path}:wojood")[1].tags == ["B-PERS"]
    with pytest.raises(NerFormatError, match="unknown NER format 'conll'"):
        read_ner(f"{path}:conll")
    with pytest.raises(NerFormatError, match="no such NER file"):
        read_ner(tmp_path / "missing.txt")


def test_label_set_puts_o_first_then_sorted_types():
    sentences = [NerSentence(["أ", "ب"], ["B-PERS", "O"]), NerSentence(["ج"], ["B-MONEY"])]
    assert label_set(sentences) == ["O", "B-MONEY", "I-MONEY", "B-PERS", "I-PERS"]
