"""Model output to spans: the one predict path.

``DealExtractor.predict_batch``, training's dev scoring, cross-validation and evaluation
all call :func:`predict_spans`, so a score printed during training is the score a user
gets from ``predict()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from inference.encoding import Forward, WindowSettings, word_probabilities
from labeling.iob import decode, decode_probabilities
from labeling.labels import TAG2ID
from labeling.records import Record, Span
from labeling.tokenize import tokenize


@dataclass(frozen=True)
class PredictedSpan:
    """A span with the model's confidence: the mean probability of its words' chosen tags."""

    label: str
    text: str
    start: int
    end: int
    score: float

    def as_dict(self) -> dict:
        return {"label": self.label, "text": self.text, "start": self.start, "end": self.end, "score": self.score}

    def as_span(self) -> Span:
        return Span(self.start, self.end, self.label, self.text)


def check_threshold(threshold: float) -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be a number between 0 and 1, got {threshold!r}")
    return float(threshold)


def predict_spans(
    forward: Forward,
    tokenizer,
    texts: Sequence[str],
    settings: WindowSettings,
    batch_size: int = 16,
    threshold: float = 0.0,
) -> list[list[PredictedSpan]]:
    """Spans of each text, sorted by start: valid-IOB2 decoding, labeling's trimming, spans scoring
    below ``threshold`` dropped."""
    threshold = check_threshold(threshold)
    token_lists = [tokenize(t) if t.strip() else [] for t in texts]
    probs = word_probabilities(
        forward, tokenizer, [[tok.text for tok in toks] for toks in token_lists], settings, batch_size=batch_size
    )
    results = []
    for text, tokens, p in zip(texts, token_lists, probs):
        spans = []
        if tokens:
            tags = decode_probabilities(p)
            chosen = np.array([TAG2ID[t] for t in tags])
            for run, span in decode(text, tokens, tags):
                words = np.arange(run.first, run.last + 1)
                score = round(float(np.mean(p[words, chosen[words]])), 4)
                if score >= threshold:
                    spans.append(PredictedSpan(span.label, span.text, span.start, span.end, score))
        results.append(sorted(spans, key=lambda s: s.start))
    return results


def predict_records(
    forward: Forward,
    tokenizer,
    records: Sequence[Record],
    settings: WindowSettings,
    batch_size: int = 16,
    threshold: float = 0.0,
) -> list[Record]:
    """Records holding the predicted spans of ``records``' texts (ids and sources kept)."""
    predicted = predict_spans(forward, tokenizer, [r.text for r in records], settings, batch_size, threshold)
    return [Record(r.id, r.text, [s.as_span() for s in spans], r.source) for r, spans in zip(records, predicted)]
