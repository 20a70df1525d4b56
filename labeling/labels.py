"""The label set: defined here once, imported everywhere else."""
from __future__ import annotations

LABELS: tuple[str, ...] = ("INVESTOR", "AMOUNT", "VALUATION", "PROJECT")

#: IOB2 tags in a fixed order; the model's id2label follows this order.
TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{label}" for label in LABELS for p in ("B", "I"))

TAG2ID: dict[str, int] = {tag: i for i, tag in enumerate(TAGS)}
ID2TAG: dict[int, str] = {i: tag for tag, i in TAG2ID.items()}


def tag_label(tag: str) -> str | None:
    """The entity label of an IOB2 tag, or None for ``O``."""
    return None if tag == "O" else tag[2:]
