"""Arabic word tokenizer with character offsets into the original string.

Words are split on white space and punctuation. A word is a run of one script: Arabic
letters (with their diacritics and tatweel), or Latin/other letters and digits, or a
number. Numbers keep their decimal and grouping separators (``1.4``, ``30,000``,
``٢٫٥``); Latin names keep inner hyphens (``GPT-4``); a script change splits a word, so
``لـChatGPT`` gives ``لـ`` and ``ChatGPT`` and ``وAnthropic`` gives ``و`` and
``Anthropic``. Every other visible character is a one-character token; white space and
invisible format characters (ZWNJ, bidi marks) separate words and are never tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from labeling.chars import TATWEEL, is_arabic_letter, is_digit, is_mark, is_space, is_word_char

_NUMBER_SEPARATORS = ".,٫٬"
_LATIN_JOINERS = "-'’&"
_SENTENCE_END = re.compile(r"[.!?؟]+(?=\s)|\n+")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def _kind(ch: str) -> str:
    if is_space(ch):
        return "space"
    if is_digit(ch):
        return "digit"
    if is_arabic_letter(ch):
        return "arabic"
    if is_word_char(ch):
        return "latin"
    return "punct"


def _scan_arabic(text: str, i: int) -> int:
    n = len(text)
    while i < n and (is_arabic_letter(text[i]) or (is_mark(text[i]))):
        i += 1
    return i


def _scan_number(text: str, i: int) -> int:
    n = len(text)
    while i < n:
        if is_digit(text[i]) or is_mark(text[i]):
            i += 1
        elif text[i] in _NUMBER_SEPARATORS and i + 1 < n and is_digit(text[i + 1]) and i > 0 and is_digit(text[i - 1]):
            i += 1
        else:
            break
    return i


def _scan_latin(text: str, i: int) -> int:
    """Latin (or other non-Arabic) letters and digits, with inner joiners and number separators."""
    n = len(text)
    while i < n:
        kind = _kind(text[i])
        if kind in ("latin", "digit") or is_mark(text[i]):
            i += 1
        elif (
            (text[i] in _LATIN_JOINERS or text[i] in _NUMBER_SEPARATORS)
            and i + 1 < n
            and _kind(text[i + 1]) in ("latin", "digit")
            and (text[i] in _LATIN_JOINERS or (is_digit(text[i - 1]) and is_digit(text[i + 1])))
        ):
            i += 1
        else:
            break
    return i


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into words, each with its ``(start, end)`` offsets."""
    if not isinstance(text, str):
        raise TypeError(f"tokenize() expects str, got {type(text).__name__}")
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        kind = _kind(ch)
        if kind == "space":
            i += 1
            continue
        if kind == "arabic":
            end = _scan_arabic(text, i)
            if all(c == TATWEEL or is_mark(c) for c in text[i:end]):
                # A standalone tatweel is a separator, not a word.
                i = end
                continue
        elif kind == "digit":
            end = _scan_number(text, i)
            if end < n and _kind(text[end]) == "latin":
                end = _scan_latin(text, i)  # 3D, 100B, H100 stay whole
        elif kind == "latin":
            end = _scan_latin(text, i)
        else:
            end = i + 1
            while end < n and is_mark(text[end]):
                end += 1
        tokens.append(Token(text[i:end], i, end))
        i = end
    return tokens


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence ``(start, end)`` offsets: a break after . ! ? ؟ followed by white space, and at newlines.

    Decimal points (``1.4``) never break a sentence. Sentences are stripped of
    surrounding white space and empty ones are dropped.
    """
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end() if m.group().strip() else m.start()
        bounds.append((start, end))
        start = m.end()
    bounds.append((start, len(text)))
    result = []
    for s, e in bounds:
        while s < e and is_space(text[s]):
            s += 1
        while e > s and is_space(text[e - 1]):
            e -= 1
        if s < e:
            result.append((s, e))
    return result
