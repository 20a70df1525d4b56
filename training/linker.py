"""Train the deal linker (``inference.linking.PairLinker``) on gold deals and write ``linker.json``.

    python -m training.linker --input seeds/annotations.jsonl data/splits/train.jsonl --output-dir runs/default

A logistic regression over span-pair features, fitted by full-batch gradient descent from zero
weights: the same files give the same weights, with no random state. Training a model
(``training.train``) writes one too, from its training files; this command adds one to an
existing model directory.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from inference.linking import FEATURES, LINKER_FILE, PairLinker, pairs_of
from inference.metrics import deal_links
from labeling.cli import Parser, add_common, add_output_dir, check_output, parse, run
from labeling.exceptions import UsageError
from labeling.records import Record, load_records


def training_pairs(records: Sequence[Record]) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels (1: the two spans share a gold deal) of every span pair of records with deals."""
    rows, labels = [], []
    for record in records:
        if record.deals is None:
            continue
        spans = sorted(record.spans)
        linked = deal_links(record)
        for i, j, features in pairs_of(record.text, spans):
            a, b = spans[i], spans[j]
            rows.append(features)
            labels.append(frozenset(((a.start, a.end, a.label), (b.start, b.end, b.label))) in linked)
    return np.array(rows, dtype=np.float64).reshape(-1, len(FEATURES)), np.array(labels, dtype=np.float64)


def fit_linker(
    records: Sequence[Record], l2: float = 0.01, steps: int = 3000, learning_rate: float = 0.5
) -> PairLinker:
    """A :class:`PairLinker` fitted on the gold deals of ``records``."""
    x, y = training_pairs(records)
    if not len(y) or y.min() == y.max():
        raise UsageError("the linker needs gold deals (version 2) with both linked and unlinked span pairs")
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w)))
        w -= learning_rate * (x.T @ (p - y) / len(y) + l2 * w)
    return PairLinker(tuple(float(v) for v in w))


def build_parser() -> Parser:
    parser = Parser(prog="python -m training.linker", description=__doc__)
    parser.add_argument("--input", nargs="+", required=True, metavar="FILE", help="gold JSONL with deals")
    add_output_dir(parser, f"model directory to write {LINKER_FILE} into")
    add_common(parser)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    args = parse(build_parser(), argv)
    check_output(str(Path(args.output_dir) / LINKER_FILE), args.force, args.input)
    records = [r for path in args.input for r in load_records(path)]
    path = fit_linker(records).save(args.output_dir)
    print(f"wrote {path} (from {sum(r.deals is not None for r in records)} documents with deals)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
