"""The gold seed file: valid, complete, and faithful to the seed texts."""

from pathlib import Path

from labeling.iob import spans_to_tags, tags_to_spans
from labeling.labels import LABELS
from labeling.tokenize import tokenize

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_gold_has_the_five_seed_texts_verbatim(gold_records):
    assert len(gold_records) == 5
    for record in gold_records:
        assert record.text == (SEEDS / record.source).read_text(encoding="utf-8")


def test_gold_uses_all_four_labels(gold_records):
    assert {s.label for r in gold_records for s in r.spans} == set(LABELS)


def test_round_trip_gold_to_iob2_and_back_keeps_at_least_98_percent_of_spans(gold_records):
    total, kept, exceptions = 0, 0, []
    for record in gold_records:
        tokens = tokenize(record.text)
        back = set(tags_to_spans(record.text, tokens, spans_to_tags(tokens, record.spans)))
        total += len(record.spans)
        kept += sum(s in back for s in record.spans)
        exceptions += [f"{record.id}: {s.label} {s.text!r}" for s in record.spans if s not in back]
    print(f"round trip: {kept}/{total} gold spans exact", *exceptions, sep="\n")
    assert kept / total >= 0.98, exceptions
