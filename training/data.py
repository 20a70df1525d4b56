"""Training documents: records read through ``labeling``, split by document, cut into words."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from labeling.iob import spans_to_tags
from labeling.records import Record, load_records
from labeling.tokenize import Token, tokenize


@dataclass
class Document:
    record: Record
    tokens: list[Token]
    tags: list[str]

    @property
    def words(self) -> list[str]:
        return [t.text for t in self.tokens]


def to_document(record: Record) -> Document:
    tokens = tokenize(record.text)
    return Document(record, tokens, spans_to_tags(tokens, record.spans))


def load_documents(paths: Sequence[str]) -> list[Document]:
    return [to_document(r) for path in paths for r in load_records(path)]


def split_by_document(docs: list[Document], dev_fraction: float, seed: int) -> tuple[list[Document], list[Document]]:
    """Whole documents go to dev (never one article on both sides), chosen by a seeded shuffle."""
    if len(docs) < 2 or dev_fraction <= 0:
        return docs, []
    order = sorted(range(len(docs)), key=lambda i: docs[i].record.id)
    random.Random(seed).shuffle(order)
    n_dev = min(len(docs) - 1, max(1, round(len(docs) * dev_fraction)))
    dev_idx = set(order[:n_dev])
    return ([d for i, d in enumerate(docs) if i not in dev_idx], [d for i, d in enumerate(docs) if i in dev_idx])
