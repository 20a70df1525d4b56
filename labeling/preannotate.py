"""Rule-based pre-annotator: proposals for an annotator to correct, and the baseline model.

Money is found by pattern (number or vague quantifier, scale word, currency) and labeled
VALUATION after a valuation cue, skipped after a revenue/price cue, and AMOUNT in a
sentence that talks about a deal. Names come from the gazetteers, in deal sentences
only; a name right after «في» or «لـ» (the thing invested in) becomes PROJECT.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from labeling.chars import is_digit
from labeling.gazetteers import (
    CURRENCIES,
    CURRENCY_ADJECTIVES,
    DEAL_CUES,
    NON_DEAL_CUES,
    SCALE_WORDS,
    VAGUE_QUANTIFIERS,
    VALUATION_CUES,
    names_of,
)
from labeling.labels import labels_of_kind
from labeling.records import Record, Span, make_span, sort_spans
from labeling.tokenize import Token, split_sentences, tokenize
from labeling.trim import proclitic_length, trim_span

_PROJECT_MARKERS = frozenset({"في", "لـ", "ل", "بـ", "على", "لصالح"})
_A_MONEY_LABEL = labels_of_kind("money")[0]  # money labels share the proclitic rule («بعدة» -> «عدة»)


@dataclass(frozen=True)
class _Name:
    words: tuple[str, ...]
    label: str


def _bare(word: str) -> str:
    """A word without its proclitic, for lookups («وأمازون» -> «أمازون», «بعدة» -> «عدة»)."""
    return word[proclitic_length(word, _A_MONEY_LABEL) :]


def _names() -> dict[str, list[_Name]]:
    """Gazetteer names of every name label, indexed by first word, longest first."""
    index: dict[str, list[_Name]] = {}
    for label in labels_of_kind("name"):
        for name in names_of(label):
            words = tuple(t.text for t in tokenize(name))
            index.setdefault(words[0], []).append(_Name(words, label))
    for entries in index.values():
        entries.sort(key=lambda n: -len(n.words))
    return index


_NAME_INDEX = _names()
_CUE_PHRASES = tuple(tuple(c.split()) for c in VALUATION_CUES)


def _is_number(word: str) -> bool:
    return any(is_digit(c) for c in word)


def _match_money(toks: list[Token], i: int) -> int | None:
    """End index (exclusive) of a money phrase starting at token ``i``, or None."""
    j, n = i, len(toks)
    first = _bare(toks[i].text)
    if _is_number(toks[i].text):
        j += 1
    elif first in VAGUE_QUANTIFIERS or first in SCALE_WORDS:
        j += 1
    else:
        return None
    while j < n and toks[j].text in SCALE_WORDS:
        j += 1
    if j < n and toks[j].text == "من":
        j += 1
    if j < n and toks[j].text in CURRENCIES:
        j += 1
        if j < n and toks[j].text in CURRENCY_ADJECTIVES:
            j += 1
        return j
    return None


def _has_cue(words: list[str], cues: tuple[str, ...]) -> bool:
    cue_set = set(cues)
    return any(w in cue_set or _bare(w) in cue_set for w in words)


def _money_label(before: list[str], deal: bool) -> str | None:
    window = before[-6:]
    joined = " ".join(window)
    if _has_cue(window, VALUATION_CUES) or any(" ".join(c) in joined for c in _CUE_PHRASES):
        return "VALUATION"
    if _has_cue(before[-5:], NON_DEAL_CUES):
        return None
    return "AMOUNT" if deal else None


def _match_name(toks: list[Token], i: int) -> tuple[int, str] | None:
    word = toks[i].text
    for key in (word, _bare(word)):
        for name in _NAME_INDEX.get(key, ()):
            k = len(name.words)
            rest = tuple(t.text for t in toks[i + 1 : i + k])
            if rest == name.words[1:]:
                return i + k, name.label
    return None


def preannotate(text: str) -> list[Span]:
    """Proposed spans for ``text``, in the record format, sorted and non-overlapping."""
    tokens = tokenize(text)
    spans: list[Span] = []
    for s, e in split_sentences(text):
        toks = [t for t in tokens if s <= t.start < e]
        words = [t.text for t in toks]
        deal = _has_cue(words, DEAL_CUES)
        i = 0
        while i < len(toks):
            end = _match_money(toks, i)
            label = _money_label(words[:i], deal) if end else None
            if end is None:
                match = _match_name(toks, i) if deal else None
                if match:
                    end, label = match
                    if i > 0 and words[i - 1] in _PROJECT_MARKERS:
                        label = "PROJECT"
            if end is None:
                i += 1
                continue
            if label is not None:
                bounds = trim_span(text, toks[i].start, toks[end - 1].end, label)
                if bounds:
                    spans.append(make_span(text, bounds[0], bounds[1], label))
            i = end
    return spans


def suggest(record: Record) -> Record:
    """The record with proposals added only where they overlap no existing (gold) span; deals and money
    readings stay as they are (a proposal joins no deal)."""
    kept = list(record.spans)
    for span in preannotate(record.text):
        if all(span.end <= g.start or g.end <= span.start for g in kept):
            kept.append(span)
    return sort_spans(replace(record, spans=kept, extra=dict(record.extra)))
