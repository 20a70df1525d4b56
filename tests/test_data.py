"""The news corpus and its committed splits."""

from pathlib import Path

import pytest

from labeling.records import load_records
from labeling.splits import split_by_source

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def news():
    return load_records(DATA / "news.jsonl")


def test_news_has_enough_real_passages_pages_and_hard_negatives(news):
    pages = {r.source for r in news}
    negatives = [r for r in news if not r.spans]
    assert len(news) >= 150 and len(pages) >= 60
    assert len(negatives) / len(news) >= 0.25
    assert all(r.source.startswith("http") for r in news)


def test_committed_splits_are_exactly_the_split_command_output(news):
    expected = split_by_source(news, dev=0.15, test=0.25, seed=13)
    for name, records in expected.items():
        committed = load_records(DATA / "splits" / f"{name}.jsonl")
        assert [r.to_json() for r in committed] == [r.to_json() for r in records]


def test_no_page_is_in_two_splits():
    owners = {}
    for name in ("train", "dev", "test"):
        for r in load_records(DATA / "splits" / f"{name}.jsonl"):
            assert owners.setdefault(r.source, name) == name


def test_news_round_trip_through_iob2_keeps_at_least_98_percent_of_spans(news):
    from labeling.iob import spans_to_tags, tags_to_spans
    from labeling.tokenize import tokenize

    total = kept = 0
    for r in news:
        tokens = tokenize(r.text)
        back = set(tags_to_spans(r.text, tokens, spans_to_tags(tokens, r.spans)))
        total += len(r.spans)
        kept += sum(s in back for s in r.spans)
    print(f"news round trip: {kept}/{total}")
    assert kept / total >= 0.98
