"""Character classes shared by the tokenizer, the validator and the trimming rules."""

from __future__ import annotations

import unicodedata

TATWEEL = "\u0640"

_ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x0870, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)


def is_arabic_letter(ch: str) -> bool:
    """Arabic-script letters, diacritics and tatweel (not Arabic digits or punctuation)."""
    cp = ord(ch)
    if not any(lo <= cp <= hi for lo, hi in _ARABIC_RANGES):
        return False
    return unicodedata.category(ch)[0] in ("L", "M")


def is_digit(ch: str) -> bool:
    """Any decimal digit: Western, Arabic-Indic (٠-٩) and Persian (۰-۹)."""
    return unicodedata.category(ch) == "Nd"


def is_mark(ch: str) -> bool:
    """Combining marks (diacritics); they attach to the preceding character."""
    return unicodedata.category(ch) in ("Mn", "Mc", "Me")


def is_control(ch: str) -> bool:
    """C0/C1 controls (newline, CR, tab, NUL, U+0085) and the Unicode line and paragraph separators.

    None belongs in a one-line field such as an id: written to CoNLL or a log it starts a new line.
    """
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp")


def is_word_char(ch: str) -> bool:
    """Letters, digits and marks of any script."""
    return unicodedata.category(ch)[0] in ("L", "N", "M")


def is_space(ch: str) -> bool:
    """White space and invisible format characters (ZWNJ, bidi marks, BOM)."""
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp")


def is_currency_symbol(ch: str) -> bool:
    """$, €, £, ﷼ ...: part of an amount such as «$5 مليارات»."""
    return unicodedata.category(ch) == "Sc"


def is_boundary_junk(ch: str) -> bool:
    """What may never start or end a span: white space, punctuation, symbols, tatweel."""
    return ch == TATWEEL or not (is_word_char(ch) or is_currency_symbol(ch))
