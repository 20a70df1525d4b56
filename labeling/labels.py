"""The label set and each label's facts: defined here once, imported everywhere else.

Adding a label is one ``LabelSpec`` in ``SCHEMA`` (plus, for a name label, its gazetteer
tuple in ``labeling.gazetteers``): trimming, augmentation, pre-annotation, colours and
error analysis all read it from here. Append new labels at the end: the model's
id2label follows this order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["name", "money"]
Rgb = tuple[int, int, int]

#: The kinds of label; the trimming and augmentation rules are written per kind.
KINDS: tuple[Kind, ...] = ("name", "money")


@dataclass(frozen=True)
class LabelSpec:
    """What the pipeline needs to know about a label.

    ``kind`` picks the rules: a name loses a leading «شركة» and its proclitic, and is swapped
    for another name of ``gazetteer`` in augmentation; money loses qualifiers («نحو», «ما يصل
    إلى») and the «ب» of «بعدة», and gets a new value, scale and currency in augmentation.
    ``gazetteer`` (name labels only) names the tuple in ``labeling.gazetteers`` that holds the
    label's known names, for pre-annotation and name swaps. ``colour`` is its HTML highlight.
    """

    name: str
    kind: Kind
    colour: Rgb
    gazetteer: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"label {self.name}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if (self.kind == "name") != (self.gazetteer is not None):
            raise ValueError(f"label {self.name}: a name label names its gazetteer, a money label has none")


SCHEMA: tuple[LabelSpec, ...] = (
    LabelSpec("INVESTOR", "name", (255, 209, 102), gazetteer="INVESTORS"),
    LabelSpec("AMOUNT", "money", (6, 214, 160)),
    LabelSpec("VALUATION", "money", (17, 138, 178)),
    LabelSpec("PROJECT", "name", (239, 71, 111), gazetteer="PROJECTS"),
)

SPECS: dict[str, LabelSpec] = {spec.name: spec for spec in SCHEMA}

LABELS: tuple[str, ...] = tuple(spec.name for spec in SCHEMA)

#: IOB2 tags in a fixed order; the model's id2label follows this order.
TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{label}" for label in LABELS for p in ("B", "I"))

TAG2ID: dict[str, int] = {tag: i for i, tag in enumerate(TAGS)}
ID2TAG: dict[int, str] = {i: tag for tag, i in TAG2ID.items()}


def tag_label(tag: str) -> str | None:
    """The entity label of an IOB2 tag, or None for ``O``."""
    return None if tag == "O" else tag[2:]


def spec_of(label: str) -> LabelSpec:
    """The facts of ``label``; an unknown label is an error, never a silent default."""
    try:
        return SPECS[label]
    except KeyError:
        raise KeyError(
            f"unknown label {label!r} (expected one of {', '.join(LABELS)}; add it to SCHEMA in labeling/labels.py)"
        ) from None


def kind_of(label: str) -> Kind:
    """``"name"`` or ``"money"``: which trimming and augmentation rules apply to ``label``."""
    return spec_of(label).kind


def labels_of_kind(kind: Kind) -> tuple[str, ...]:
    """The labels of one kind, in ``LABELS`` order, e.g. ``("AMOUNT", "VALUATION")`` for money."""
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    return tuple(spec.name for spec in SCHEMA if spec.kind == kind)


def is_money(label: str) -> bool:
    """True for a money label (AMOUNT, VALUATION); an unknown label raises KeyError."""
    return kind_of(label) == "money"


def is_name(label: str) -> bool:
    """True for a name label (INVESTOR, PROJECT); an unknown label raises KeyError."""
    return kind_of(label) == "name"
