"""Agreement between two annotators, scored with the evaluation's own span, link and money scores."""

import json

from inference.agreement import agreement, paired
from inference.agreement import main as agreement_main
from labeling.money import MoneyValue
from labeling.records import Deal, Record, Span, make_span

TEXT = "استحوذت أرامكو على حصة في رونغشنغ مقابل 3.6 مليار دولار."


def span(phrase: str, label: str, money: MoneyValue | None = None) -> Span:
    start = TEXT.index(phrase)
    plain = make_span(TEXT, start, start + len(phrase), label)
    return Span(plain.start, plain.end, plain.label, plain.text, money)


ARAMCO, RONGSHENG = span("أرامكو", "INVESTOR"), span("رونغشنغ", "PROJECT")
SUM = span("3.6 مليار دولار", "AMOUNT", MoneyValue(3_600_000_000, "USD", ""))
FIRST = Record("d1", TEXT, [ARAMCO, RONGSHENG, SUM], deals=[Deal((0,), (2,), (), (1,))])


def test_a_span_read_with_another_label_lowers_that_labels_agreement_only():
    as_investor = span("رونغشنغ", "INVESTOR")
    second = Record("d1", TEXT, [ARAMCO, as_investor, SUM], deals=[Deal((0, 1), (2,), (), ())])
    result = agreement([(FIRST, second)])
    assert result["spans"]["per_label"]["AMOUNT"]["f1"] == 1.0
    assert result["spans"]["per_label"]["PROJECT"]["f1"] == 0.0
    assert result["spans"]["f1"] == 2 / 3
    # links: first {A-R, A-S, R-S}; second {A-R', A-S, R'-S}: one of three shared
    assert result["links"]["f1"] == 1 / 3


def test_money_agreement_compares_the_sums_both_marked():
    other = span("3.6 مليار دولار", "AMOUNT", MoneyValue(3_600_000_000, "SAR", ""))
    second = Record("d1", TEXT, [ARAMCO, RONGSHENG, other], deals=FIRST.deals)
    assert agreement([(FIRST, second)])["money"]["currency"] == 0.0


def test_only_passages_both_annotated_are_compared():
    other = Record("d2", "نص آخر", [])
    assert paired([FIRST, other], [FIRST], "second.jsonl") == [(FIRST, FIRST)]


def test_a_passage_whose_text_differs_is_an_error(tmp_path, capsys):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps(FIRST.to_json(), ensure_ascii=False) + "\n", encoding="utf-8")
    second.write_text(json.dumps({"id": "d1", "text": TEXT + " ", "spans": []}, ensure_ascii=False) + "\n")
    assert agreement_main(["--first-annotator", str(first), "--second-annotator", str(second)]) == 1
    assert "texts differ" in capsys.readouterr().err
