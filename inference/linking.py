"""The learned deal linker: a pair classifier over spans, its features and its file.

For every pair of spans in a passage a logistic regression says whether they belong to one
deal; the pairs it accepts are joined, and each connected group is a deal. It learns from the
gold deals what the sentence baseline (``labeling.link``) cannot see: a sum in the next
sentence that continues a deal, a name repeated later, two co-investors with their own sums
in one sentence. Its weights are a small JSON file (``linker.json``) in the model directory,
written by ``training.linker``; no code is read from it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, product
from pathlib import Path

from labeling.exceptions import ConfigError
from labeling.labels import LABELS
from labeling.link import deal_of, sentence_index
from labeling.records import Deal, Span, atomic_write_text
from labeling.tokenize import split_sentences

LINKER_FILE = "linker.json"
_LABEL_PAIRS = sorted({tuple(sorted(pair)) for pair in product(LABELS, LABELS)})

#: The features of a span pair, in order (their weights are stored under these names).
FEATURES: tuple[str, ...] = (
    "bias",
    "same sentence",
    "next sentence",
    "two or more sentences apart",
    *(f"labels {a}+{b}" for a, b in _LABEL_PAIRS),
    "a span of the first one's label between",
    "a span of the second one's label between",
    "amounts between",
    "any span between",
    "log characters between",
    "same text",
    "same label, adjacent, same sentence",
    "other sentence has no amount",
    "own sentence has no amount",
    "other sentence has no party",
    "«بينما» or «فيما» between",
    "comma between",
    "«و» between",
)


@dataclass(frozen=True)
class _Context:
    """What the features of one passage share: its sentences and which sentence holds each span."""

    text: str
    spans: Sequence[Span]
    sentence_of: list[int]
    has_amount: set[int]
    has_party: set[int]


def _context(text: str, spans: Sequence[Span]) -> _Context:
    sentences = split_sentences(text)
    sentence_of = [sentence_index(sentences, s) for s in spans]
    has_amount = {k for k, s in zip(sentence_of, spans) if s.label == "AMOUNT"}
    has_party = {k for k, s in zip(sentence_of, spans) if s.label in ("INVESTOR", "PROJECT")}
    return _Context(text, spans, sentence_of, has_amount, has_party)


def pair_features(ctx: _Context, i: int, j: int) -> list[float]:
    """The features of spans ``i < j`` (in offset order), named by :data:`FEATURES`."""
    a, b = ctx.spans[i], ctx.spans[j]
    si, sj = ctx.sentence_of[i], ctx.sentence_of[j]
    apart = abs(si - sj)
    between = ctx.spans[i + 1 : j]
    pair = tuple(sorted((a.label, b.label)))
    mid = ctx.text[a.end : b.start]
    return [
        1.0,
        apart == 0,
        apart == 1,
        apart >= 2,
        *(pair == p for p in _LABEL_PAIRS),
        any(s.label == a.label for s in between),
        any(s.label == b.label for s in between),
        sum(s.label == "AMOUNT" for s in between),
        bool(between),
        math.log1p(max(b.start - a.end, 0)) / 5,
        a.text == b.text,
        apart == 0 and a.label == b.label and not between,
        apart > 0 and sj not in ctx.has_amount,
        apart > 0 and si not in ctx.has_amount,
        apart > 0 and sj not in ctx.has_party,
        "بينما" in mid or "فيما" in mid,
        "،" in mid or "," in mid,
        " و" in mid,
    ]


def pairs_of(text: str, spans: Sequence[Span]) -> list[tuple[int, int, list[float]]]:
    """``(i, j, features)`` of every pair of spans, ``spans`` in offset order."""
    ctx = _context(text, spans)
    return [(i, j, pair_features(ctx, i, j)) for i, j in combinations(range(len(spans)), 2)]


@dataclass(frozen=True)
class PairLinker:
    """Call it as a linker: ``linker(text, spans)`` gives the deals, indices into ``spans``."""

    weights: tuple[float, ...]
    threshold: float = 0.5

    def probability(self, features: Sequence[float]) -> float:
        z = sum(w * x for w, x in zip(self.weights, features))
        return 1 / (1 + math.exp(-max(min(z, 50.0), -50.0)))

    def __call__(self, text: str, spans: Sequence[Span]) -> list[Deal]:
        order = sorted(range(len(spans)), key=lambda k: (spans[k].start, spans[k].end))
        ordered = [spans[k] for k in order]
        parent = list(range(len(spans)))

        def root(k: int) -> int:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for i, j, features in pairs_of(text, ordered):
            if self.probability(features) > self.threshold:
                parent[root(i)] = root(j)
        groups: dict[int, list[int]] = {}
        for k in range(len(spans)):
            groups.setdefault(root(k), []).append(order[k])
        return [deal_of(spans, group) for group in sorted(groups.values(), key=min)]

    def save(self, model_dir: str | Path) -> Path:
        path = Path(model_dir) / LINKER_FILE
        content = {"type": "pair-logistic", "threshold": self.threshold, "weights": dict(zip(FEATURES, self.weights))}
        atomic_write_text(path, json.dumps(content, ensure_ascii=False, indent=2) + "\n")
        return path


def load_linker(model_dir: str | Path) -> PairLinker | None:
    """The model directory's learned linker, or None when it has none (the sentence baseline is used)."""
    path = Path(model_dir) / LINKER_FILE
    if not path.is_file():
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        weights = content["weights"]
        threshold = float(content["threshold"])
        values = tuple(float(weights[name]) for name in FEATURES)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a linker file of this version ({type(exc).__name__}: {exc})") from None
    if set(weights) != set(FEATURES) or not all(math.isfinite(v) for v in (*values, threshold)):
        raise ConfigError(f"{path}: the linker's features differ from this version's, or a weight is not finite")
    return PairLinker(values, threshold)
