"""The money parser against the hand-checked values of every gold money span (issue 11).

The values were written by reading each passage (two annotators, then adjudication: data/README.md),
never by running the parser, so this table measures it.
"""

from conftest import ROOT

from labeling.money import read_money
from labeling.records import load_records

GOLD_FILES = [ROOT / "data" / "news.jsonl", ROOT / "seeds" / "annotations.jsonl"]


def gold_money_spans():
    for path in GOLD_FILES:
        for record in load_records(path):
            for span in record.spans:
                if span.money is not None:
                    yield record, span


def test_the_hand_checked_table_holds_at_least_150_real_amount_strings():
    assert len(list(gold_money_spans())) >= 150


def test_value_currency_and_qualifier_are_all_right_on_at_least_95_percent_of_the_gold_money_spans():
    right = [read_money(r.text, s.start, s.end) == s.money for r, s in gold_money_spans()]
    assert sum(right) / len(right) >= 0.95


def test_the_parser_never_raises_on_any_span_of_the_data():
    for path in GOLD_FILES:
        for record in load_records(path):
            for span in record.spans:
                read_money(record.text, span.start, span.end)
