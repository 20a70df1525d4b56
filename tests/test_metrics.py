import pytest

from inference.metrics import score
from labeling.records import Record, make_span

TEXT = "استثمرت إنفيديا 30 مليار دولار في OpenAI"


def rec(*items, text=TEXT):
    spans = []
    for phrase, label in items:
        start = text.index(phrase)
        spans.append(make_span(text, start, start + len(phrase), label))
    return Record("d", text, spans)


GOLD = rec(("إنفيديا", "INVESTOR"), ("30 مليار دولار", "AMOUNT"), ("OpenAI", "PROJECT"))


def test_perfect_prediction_scores_one_everywhere():
    m = score([GOLD], [GOLD])
    assert m["word"]["f1"] == m["span"]["f1"] == 1.0
    assert m["span"]["per_label"]["AMOUNT"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}


def test_one_boundary_error_and_one_label_error_by_hand():
    # right: إنفيديا; boundary error: «مليار دولار» for «30 مليار دولار»; label error: OpenAI as INVESTOR.
    pred = rec(("إنفيديا", "INVESTOR"), ("مليار دولار", "AMOUNT"), ("OpenAI", "INVESTOR"))
    m = score([GOLD], [pred])
    for level in ("word", "span"):
        assert m[level]["precision"] == pytest.approx(1 / 3)
        assert m[level]["recall"] == pytest.approx(1 / 3)
        assert m[level]["f1"] == pytest.approx(1 / 3)
        inv = m[level]["per_label"]["INVESTOR"]
        assert (inv["precision"], inv["recall"], inv["f1"]) == pytest.approx((0.5, 1.0, 2 / 3))
        assert m[level]["per_label"]["PROJECT"]["f1"] == 0.0


def test_a_proclitic_left_in_the_span_is_right_by_word_and_wrong_by_character():
    text = "استثمرت إنفيديا وأمازون"
    gold = rec(("أمازون", "INVESTOR"), text=text)
    pred = rec(("وأمازون", "INVESTOR"), text=text)
    m = score([gold], [pred])
    assert m["word"]["f1"] == 1.0 and m["span"]["f1"] == 0.0


def test_missing_prediction_for_a_document_is_an_error():
    with pytest.raises(ValueError, match="no prediction"):
        score([GOLD], [])
