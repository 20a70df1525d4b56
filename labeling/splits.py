"""Train/dev/test splits by source page: one page never lands in two splits.

A page's split depends only on a hash of its address and the seed, so adding pages
later never moves the existing ones (the test split stays the test split).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from labeling.records import Record

SPLITS = ("train", "dev", "test")


def split_of(source: str, dev: float, test: float, seed: int) -> str:
    bucket = int(hashlib.sha1(f"{seed}:{source}".encode()).hexdigest(), 16) % 10_000 / 10_000
    if bucket < test:
        return "test"
    if bucket < test + dev:
        return "dev"
    return "train"


def split_by_source(
    records: list[Record], dev: float = 0.15, test: float = 0.25, seed: int = 13
) -> dict[str, list[Record]]:
    if not (0 <= dev < 1 and 0 <= test < 1 and dev + test < 1):
        raise ValueError("dev and test fractions must be in [0, 1) and sum to less than 1")
    out: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        out[split_of(r.source or r.id, dev, test, seed)].append(r)
    return {name: out.get(name, []) for name in SPLITS}
