"""Scores of predicted spans against gold spans: word level (seqeval strict IOB2) and exact spans.

Both sides go through ``labeling``'s tokenizer and span→IOB2 conversion, so gold and
predicted words are cut the same way whatever produced the spans.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations

from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from labeling.iob import spans_to_tags
from labeling.labels import LABELS, is_money
from labeling.link import Linker, link_by_sentence
from labeling.money import read_money
from labeling.records import Record, Span
from labeling.tokenize import tokenize


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def pair_records(gold: Sequence[Record], pred: Sequence[Record]) -> list[tuple[Record, Record]]:
    by_id = {r.id: r for r in pred}
    missing = [g.id for g in gold if g.id not in by_id]
    if missing:
        raise ValueError(f"no prediction for document(s): {', '.join(missing[:5])}")
    pairs = [(g, by_id[g.id]) for g in gold]
    for g, p in pairs:
        if g.text != p.text:
            raise ValueError(f"document {g.id}: predicted text differs from gold text")
    return pairs


def word_tags(records_pairs: Sequence[tuple[Record, Record]]) -> tuple[list[list[str]], list[list[str]]]:
    gold_tags, pred_tags = [], []
    for g, p in records_pairs:
        tokens = tokenize(g.text)
        gold_tags.append(spans_to_tags(tokens, g.spans))
        pred_tags.append(spans_to_tags(tokens, p.spans))
    return gold_tags, pred_tags


def word_scores(gold_tags: list[list[str]], pred_tags: list[list[str]]) -> dict:
    report = classification_report(gold_tags, pred_tags, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    micro = report.get("micro avg", {"precision": 0.0, "recall": 0.0, "f1-score": 0.0})
    per_label = {}
    for label in LABELS:
        row = report.get(label, {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0})
        per_label[label] = {
            "precision": float(row["precision"]),
            "recall": float(row["recall"]),
            "f1": float(row["f1-score"]),
            "support": int(row["support"]),
        }
    return {
        "precision": float(micro["precision"]),
        "recall": float(micro["recall"]),
        "f1": float(micro["f1-score"]),
        "per_label": per_label,
    }


def span_scores(pairs: Sequence[tuple[Record, Record]]) -> dict:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in pairs:
        gold = {(s.start, s.end, s.label) for s in g.spans}
        pred = {(s.start, s.end, s.label) for s in p.spans}
        for _, _, label in gold & pred:
            tp[label] += 1
        for _, _, label in pred - gold:
            fp[label] += 1
        for _, _, label in gold - pred:
            fn[label] += 1
    per_label = {label: {**_prf(tp[label], fp[label], fn[label]), "support": tp[label] + fn[label]} for label in LABELS}
    return {**_prf(sum(tp.values()), sum(fp.values()), sum(fn.values())), "per_label": per_label}


def score(gold: Sequence[Record], pred: Sequence[Record]) -> dict:
    """``{"word": {...}, "span": {...}, "n_docs": n}`` with precision, recall, f1 and per_label."""
    pairs = pair_records(gold, pred)
    gold_tags, pred_tags = word_tags(pairs)
    return {"word": word_scores(gold_tags, pred_tags), "span": span_scores(pairs), "n_docs": len(pairs)}


SpanKey = tuple[int, int, str]


def deal_links(record: Record) -> set[frozenset[SpanKey]]:
    """Every pair of spans that share a deal (guidelines: each such pair is one link)."""
    keys = [(s.start, s.end, s.label) for s in record.spans]
    links: set[frozenset[SpanKey]] = set()
    for deal in record.deals or []:
        members = sorted({keys[i] for _, indices in deal.roles() for i in indices})
        links.update(frozenset(pair) for pair in combinations(members, 2))
    return links


def link_scores(pairs: Sequence[tuple[Record, Record]]) -> dict:
    """Deal-link precision, recall and F1 over all documents; a link counts when both its spans match exactly."""
    tp = fp = fn = 0
    for g, p in pairs:
        gold, pred = deal_links(g), deal_links(p)
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
    return {**_prf(tp, fp, fn), "support": tp + fn}


def money_scores(pairs: Sequence[tuple[Record, Record]]) -> dict:
    """How often the money reading of a gold money span is right, where the other side has that span with one.

    ``accuracy`` counts value, currency and qualifier all right; each field has its own figure too.
    """
    n = 0
    right: Counter[str] = Counter()
    for g, p in pairs:
        predicted = {(s.start, s.end, s.label): s.money for s in p.spans if s.money is not None}
        for s in g.spans:
            other = predicted.get((s.start, s.end, s.label))
            if s.money is None or other is None:
                continue
            n += 1
            right["accuracy"] += other == s.money
            for name in ("value", "currency", "qualifier"):
                right[name] += getattr(other, name) == getattr(s.money, name)
    return {"n": n, **{k: right[k] / n if n else 0.0 for k in ("accuracy", "value", "currency", "qualifier")}}


def deal_scores(gold: Sequence[Record], pred: Sequence[Record], linker: Linker = link_by_sentence) -> dict | None:
    """Money values and deal links, for the gold documents that have deals (version 2); None if none has.

    ``money``: the money parser on the gold money spans. ``links_gold_spans``: the linker on the gold
    spans (the linker alone). ``links_end_to_end``: the linker on the predicted spans.
    """
    pairs = [(g, p) for g, p in pair_records(gold, pred) if g.deals is not None]
    if not pairs:
        return None
    read = [(g, Record(g.id, g.text, [with_money_value(g.text, s) for s in g.spans])) for g, _ in pairs]
    on_gold = [(g, Record(g.id, g.text, g.spans, deals=linker(g.text, g.spans))) for g, _ in pairs]
    end_to_end = [(g, Record(p.id, p.text, p.spans, deals=linker(p.text, p.spans))) for g, p in pairs]
    return {
        "n_docs": len(pairs),
        "money": money_scores(read),
        "links_gold_spans": link_scores(on_gold),
        "links_end_to_end": link_scores(end_to_end),
    }


def with_money_value(text: str, span: Span) -> Span:
    """The span with the money parser's reading, for AMOUNT and VALUATION spans."""
    if not is_money(span.label):
        return span
    return replace(span, money=read_money(text, span.start, span.end))
