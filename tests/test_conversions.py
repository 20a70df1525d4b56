import json

import pytest

from labeling.conll import from_conll, to_conll
from labeling.labelstudio import from_labelstudio, to_labelstudio
from labeling.records import DataError, Record, make_span

TEXT = "استثمرت «سوفت بنك» 😀 نحو ٢٫٥ مليار دولار في OpenAI. وقالت الشركة إنها راضية."


def record():
    spans = []
    for phrase, label in (("سوفت بنك", "INVESTOR"), ("٢٫٥ مليار دولار", "AMOUNT"), ("OpenAI", "PROJECT")):
        start = TEXT.index(phrase)
        spans.append(make_span(TEXT, start, start + len(phrase), label))
    return Record("doc-1", TEXT, spans, "https://example.com/a")


def test_conll_has_one_word_and_tag_per_line_and_a_blank_line_between_sentences():
    lines = to_conll([record()]).split("\n")
    assert lines[:2] == ["# id = doc-1", "# source = https://example.com/a"]
    assert "سوفت\tB-INVESTOR" in lines and "بنك\tI-INVESTOR" in lines and "OpenAI\tB-PROJECT" in lines
    assert lines[lines.index(".\tO") + 1] == ""


def test_conll_round_trip_keeps_id_words_and_span_texts():
    (back,) = from_conll(to_conll([record()]))
    assert back.id == "doc-1" and back.source == "https://example.com/a"
    assert [(s.label, s.text) for s in back.spans] == [(s.label, s.text) for s in record().spans]


def test_conll_import_reports_bad_lines_with_line_numbers():
    with pytest.raises(DataError) as err:
        from_conll("# id = d\nإنفيديا\tB-BUYER\nكلمة بلا وسم\n")
    assert [p.line for p in err.value.problems] == [2, 3]


def test_labelstudio_offsets_count_utf16_units_after_an_emoji():
    task = json.loads(to_labelstudio([record()]))[0]
    amount = [r["value"] for r in task["annotations"][0]["result"] if r["value"]["labels"] == ["AMOUNT"]][0]
    assert amount["start"] == TEXT.index("٢٫٥") + 1 and amount["text"] == "٢٫٥ مليار دولار"


def test_labelstudio_round_trip_gives_back_the_record():
    (back,) = from_labelstudio(to_labelstudio([record()]))
    assert back.to_json() == record().to_json()


def test_labelstudio_predictions_are_read_when_a_task_has_no_annotations():
    (back,) = from_labelstudio(to_labelstudio([record()], as_predictions=True))
    assert back.spans == record().spans


def test_labelstudio_import_rejects_a_malformed_task():
    with pytest.raises(DataError, match="task 1: malformed"):
        from_labelstudio('[{"annotations": []}]')
