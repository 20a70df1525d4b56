"""Augmentation of training records: swap names and rewrite money, offsets recomputed.

Five seed articles teach that the investor is Nvidia and the project is OpenAI. Swapping
each INVESTOR/PROJECT name for another of the same kind (Arabic or Latin script), and
each AMOUNT/VALUATION for a new value, scale, currency and digit style, makes the model
look at the context rather than the name. Applied to training documents only; every
augmented record passes the same validation as gold.

Augmented copies are version-1 records: no deals and no money readings (value, currency,
qualifier). A rewritten sum would need its reading rewritten too, and the training reads
neither, so both are dropped rather than kept half right.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from labeling.gazetteers import names_of
from labeling.labels import is_money, labels_of_kind
from labeling.records import Record, Span, span_problems

_ARABIC_INDIC = str.maketrans("0123456789.", "٠١٢٣٤٥٦٧٨٩٫")
_SCALES = ("مليون", "مليار", "ألف")
_PLURAL_SCALES = {"مليون": "ملايين", "مليار": "مليارات", "ألف": "آلاف"}
_NEW_CURRENCIES = (
    ("دولار", ""),
    ("دولار", "أمريكي"),
    ("ريال", "سعودي"),
    ("درهم", "إماراتي"),
    ("جنيه", "مصري"),
    ("يورو", ""),
    ("دينار", "كويتي"),
    ("ريال", "قطري"),
)
_MONEY = re.compile(r"^[\d٠-٩۰-۹][\d٠-٩۰-۹.,٫٬]*\s+\S+\s+(?:من\s+)?\S+")
#: Swap-in names for each name label, from its gazetteer (money labels are rewritten instead).
_NAMES: dict[str, list[str]] = {label: [n for n in names_of(label) if len(n) > 2] for label in labels_of_kind("name")}


@dataclass(frozen=True)
class AugmentConfig:
    copies: int = 0  # augmented copies per training record (0: off)
    swap_names: bool = True
    rewrite_money: bool = True
    seed: int = 13


def new_amount(rng: random.Random) -> str:
    """A plausible money phrase: value, scale, currency, in Western or Arabic-Indic digits."""
    value = rng.choice([rng.randint(2, 950), round(rng.uniform(1.1, 9.9), 1)])
    scale = rng.choice(_SCALES)
    if isinstance(value, int) and 3 <= value <= 10:
        scale = _PLURAL_SCALES[scale]
    number = str(value)
    if rng.random() < 0.35:
        number = number.translate(_ARABIC_INDIC)
    currency, adjective = rng.choice(_NEW_CURRENCIES)
    return " ".join(p for p in (number, scale, currency, adjective) if p)


def _replacement(span: Span, cfg: AugmentConfig, rng: random.Random) -> str | None:
    if span.label in _NAMES and cfg.swap_names:
        choices = [n for n in _NAMES[span.label] if n != span.text]
        return rng.choice(choices)
    if is_money(span.label) and cfg.rewrite_money and _MONEY.match(span.text):
        return new_amount(rng)
    return None


def augment_record(record: Record, copy: int, cfg: AugmentConfig) -> Record:
    """One augmented copy: each span replaced (when it has a replacement) and later offsets shifted; the copy
    carries no deals and no money readings (see the module docstring)."""
    rng = random.Random(f"{cfg.seed}:{record.id}:{copy}")
    pieces: list[str] = []
    spans: list[Span] = []
    cursor, shift = 0, 0
    for span in sorted(record.spans):
        new_text = _replacement(span, cfg, rng) or span.text
        pieces.append(record.text[cursor : span.start])
        start = span.start + shift
        pieces.append(new_text)
        spans.append(Span(start, start + len(new_text), span.label, new_text))
        shift += len(new_text) - (span.end - span.start)
        cursor = span.end
    pieces.append(record.text[cursor:])
    text = "".join(pieces)
    problems = span_problems(text, spans)
    if problems:  # a replacement must never produce an invalid record
        raise AssertionError(f"augmentation broke {record.id}: {problems[0]}")
    return Record(f"{record.id}-aug{copy}", text, spans, record.source, {"augmented_from": record.id})


def augment_records(records: list[Record], cfg: AugmentConfig) -> list[Record]:
    """``cfg.copies`` augmented copies of every record that has spans."""
    return [augment_record(r, k, cfg) for r in records if r.spans for k in range(cfg.copies)]
