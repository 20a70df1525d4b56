"""Error analysis: each prediction and gold span classified as correct, missed, spurious,
wrong boundary or wrong label, with the sentence it sits in."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from labeling.labels import kind_of
from labeling.records import Record, Span
from labeling.tokenize import split_sentences

KINDS = ("missed", "spurious", "wrong boundary", "wrong label")


@dataclass(frozen=True)
class SpanError:
    kind: str
    doc_id: str
    gold: Span | None
    pred: Span | None
    sentence: str


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _sentence(text: str, pos: int) -> str:
    for s, e in split_sentences(text):
        if s <= pos < e:
            return text[s:e]
    return text[max(0, pos - 80) : pos + 80]


def find_errors(gold: Sequence[Record], pred: Sequence[Record]) -> list[SpanError]:
    by_id = {r.id: r for r in pred}
    errors: list[SpanError] = []
    for g in gold:
        p = by_id.get(g.id)
        pred_spans = list(p.spans) if p else []
        exact = set(g.spans) & set(pred_spans)
        for ps in pred_spans:
            if ps in exact:
                continue
            hits = [gs for gs in g.spans if _overlaps(gs, ps) and gs not in exact]
            if not hits:
                errors.append(SpanError("spurious", g.id, None, ps, _sentence(g.text, ps.start)))
            else:
                gs = hits[0]
                kind = "wrong boundary" if gs.label == ps.label else "wrong label"
                errors.append(SpanError(kind, g.id, gs, ps, _sentence(g.text, ps.start)))
        for gs in g.spans:
            if gs not in exact and not any(_overlaps(gs, ps) for ps in pred_spans):
                errors.append(SpanError("missed", g.id, gs, None, _sentence(g.text, gs.start)))
    return errors


def pattern_of(error: SpanError) -> tuple[str, str]:
    """(kind, label), with ``GOLD→PRED`` as the label of a wrong-label error."""
    if error.kind == "wrong label" and error.gold and error.pred:
        return error.kind, f"{error.gold.label}→{error.pred.label}"
    span = error.gold or error.pred
    assert span is not None, "an error has a gold span, a predicted span or both"
    return error.kind, span.label


def error_patterns(errors: Sequence[SpanError]) -> list[tuple[tuple[str, str], int]]:
    """Most frequent (kind, label) pairs, e.g. ``(("missed", "PROJECT"), 12)``."""
    return Counter(pattern_of(e) for e in errors).most_common()


#: What usually fixes each kind of error on each kind of label (the schema's ``kind``), shown beside
#: the most frequent patterns in reports.
REMEDIES: dict[tuple[str, str], str] = {
    ("missed", "name"): "more varied names in training (real passages, name-swap augmentation); a pre-trained "
    "backbone (AraBERT) that knows names it has not seen",
    ("spurious", "name"): "hard negatives where the same names appear outside a deal (competitors, products, "
    "titles); more context per window",
    ("wrong boundary", "name"): "multi-word names in training (gazetteer swaps with long names); «شركة»/proclitic "
    "rules in labeling.trim for the cases the model gets right by word",
    ("missed", "money"): "more money styles in training (amount rewriting: digits, scales, currencies)",
    ("spurious", "money"): "hard negatives with revenue, profit, price and market-size figures",
    ("wrong boundary", "money"): "amounts with number words, ranges and currency adjectives in training; "
    "qualifier list in labeling.trim",
    ("wrong label", "money"): "more VALUATION examples with their cues («تقييم», «قيمتها السوقية») and money "
    "that is not a deal",
    ("wrong label", "name"): "examples of the same name in both roles (investor in one deal, project in another)",
}


def remedy(pattern: tuple[str, str]) -> str:
    """The usual fix for a (kind, label) pattern, chosen by the kind of the gold label."""
    kind, label = pattern
    gold_label = label.split("→")[0]
    return REMEDIES.get((kind, kind_of(gold_label)), "")
