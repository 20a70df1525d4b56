"""Trimming rules: from a word-aligned span to the guideline span.

A model labels whole words, so a predicted span covers «وأمازون» or «بعدة مليارات».
The guidelines want «أمازون» and «عدة مليارات»: no proclitic, no qualifier, no
punctuation at the ends. Inference and the IOB2 round trip both go through here.
"""

from __future__ import annotations

from labeling.chars import TATWEEL, is_arabic_letter, is_boundary_junk, is_mark
from labeling.gazetteers import AMOUNT_QUALIFIERS, NAME_WORDS, VAGUE_QUANTIFIERS
from labeling.labels import labels_of_kind

#: The rules below are written per kind of label; which labels are which is the schema's.
MONEY_LABELS: frozenset[str] = frozenset(labels_of_kind("money"))
NAME_LABELS: frozenset[str] = frozenset(labels_of_kind("name"))

#: Proclitic clusters, longest first so that «ول» is tried before «و».
PROCLITICS: tuple[str, ...] = ("وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل", "ك")
_NAME_PREFIX_WORDS = ("شركة", "لشركة", "بشركة", "وشركة")  # «الشركة X» is an official name: kept
_HAMZA_ALEFS = "أإآ"


def _strip_junk(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and is_boundary_junk(text[start]):
        start += 1
        while start < end and is_mark(text[start]):  # a mark goes with the character it sits on
            start += 1
    while end > start and is_boundary_junk(text[end - 1]):
        end -= 1
    return start, end


def _first_word_end(text: str, start: int, end: int) -> int:
    i = start
    while i < end and is_arabic_letter(text[i]):
        i += 1
    return i


def proclitic_length(word: str, label: str) -> int:
    """How many leading characters of ``word`` are a proclitic to drop (0 when none).

    A clitic before the article needs a word of at least three letters after «ال»: «وكالة» is not
    «وك» + «الة», nor «فالور» «ف» + «الور».
    """
    if word in NAME_WORDS:
        return 0
    for clitic in PROCLITICS:
        if not word.startswith(clitic):
            continue
        rest = word[len(clitic) :]
        if rest.startswith(TATWEEL):  # «لـ», «بـ»: the tatweel marks the clitic
            return len(clitic) + len(rest) - len(rest.lstrip(TATWEEL))
        if len(rest) < 2:
            continue
        if (
            rest in NAME_WORDS
            or (rest.startswith("ال") and not clitic.endswith("ل") and len(rest) >= 5)
            or (clitic[0] in "وف" and rest[0] in _HAMZA_ALEFS)
            or (label in MONEY_LABELS and rest in VAGUE_QUANTIFIERS)
        ):
            return len(clitic)
    return 0


def _strip_leading_words(text: str, start: int, end: int, words: tuple[str, ...]) -> int:
    """Drop leading phrases from ``words`` (longest match first), repeatedly."""
    phrases = sorted(words, key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for phrase in phrases:
            stop = start + len(phrase)
            if text.startswith(phrase, start) and stop < end and not is_arabic_letter(text[stop]):
                start, _ = _strip_junk(text, stop, end)
                changed = True
                break
    return start


def trim_span(text: str, start: int, end: int, label: str) -> tuple[int, int] | None:
    """The guideline span inside ``text[start:end]``, or None when nothing is left."""
    start, end = _strip_junk(text, start, end)
    if label in NAME_LABELS:
        start = _strip_leading_words(text, start, end, _NAME_PREFIX_WORDS)
    elif label in MONEY_LABELS:
        start = _strip_leading_words(text, start, end, AMOUNT_QUALIFIERS)
    word_end = _first_word_end(text, start, end)
    if word_end > start:
        start += proclitic_length(text[start:word_end], label)
    start, end = _strip_junk(text, start, end)
    if label in MONEY_LABELS:
        start = _strip_leading_words(text, start, end, AMOUNT_QUALIFIERS)
    return (start, end) if start < end else None
