"""Arabic named-entity gold for intermediate training: three file formats read into IOB2 sentences.

The corpora are inputs given on the command line (``training.intermediate``); nothing here knows
where they live. Each reader gives :class:`NerSentence` objects with valid IOB2 tags over one
shared, small label set, so the corpora can be mixed:

``anercorp``
    ANERcorp (CAMeL Lab split) and any two-column CoNLL file: ``token TAG`` per line, blank lines
    between sentences. Tags are kept as they are (ANERcorp: PERS, LOC, ORG, MISC). A tag glued to
    the next token by a lost line break (``. Oالإصابة O``) is split back into two lines.
``newsfane``
    NewsFANE Gold: ``token<TAB>TAG`` with 50 fine-grained classes, the tokens prefixed with
    U+200E marks (removed here). Classes are folded by :data:`NEWSFANE_MAP`.
``wojood``
    Wojood (SinaLab): ``token TAG [TAG ...]``, nested entities outermost first; ``$#$`` lines
    mark segment ends. Each token keeps its outermost tag whose type :data:`WOJOOD_MAP` keeps,
    so an organisation inside an occupation (``رئيس شركة أرامكو``: OCC > ORG) stays an ORG.

Blank lines end sentences. A run longer than ``max_words`` words is cut after «.», «؟» or «!»
tokens, and what is still longer every ``max_words`` words (moved back so that no entity is cut
when possible). Invalid IOB2 (an ``I-`` that continues nothing) becomes ``B-``.

NewsFANE is a re-annotation of ANERcorp's newswire: the two share most of their sentences, so
mix one of them, not both, with the other corpora.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from labeling.exceptions import NerFormatError

FORMATS: tuple[str, ...] = ("anercorp", "newsfane", "wojood")
MAX_WORDS = 64
SENTENCE_END = frozenset({".", "؟", "!", "?"})
#: Invisible marks some corpora put around tokens (NewsFANE prefixes every Arabic token with U+200E).
INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\ufeff\u200b\u202a\u202b\u202c\u202d\u202e"))
WOJOOD_SEGMENT_END = "$#$"

#: ANERcorp's four classes, unchanged.
ANERCORP_TYPES: frozenset[str] = frozenset({"PERS", "LOC", "ORG", "MISC"})

#: NewsFANE's fine classes (Alotaibi & Lee 2014, ACE-like two-level taxonomy) → the shared label set.
#: Persons of every kind are PERS (a Businessperson invests as a person, a Politician signs for a
#: state). Companies are ORG_COMMERCIAL, apart from every other organisation (ORG: governments,
#: NGOs, media, clubs, universities ...), because investors are mostly companies and a news agency
#: is a source, not a party. Places and facilities are LOC, as in ANERcorp. Groups of people
#: (nationalities, «العرب»), products, vehicles and weapons are MISC. Every class seen in
#: NewsFANE_Gold_2014_170K.txt is listed; the taxonomy's others are listed by their coarse class.
NEWSFANE_MAP: dict[str, str] = {
    # PER
    "Businessperson": "PERS",
    "Politician": "PERS",
    "Artist": "PERS",
    "Athlete": "PERS",
    "Scientist": "PERS",
    "Engineer": "PERS",
    "Lawyer": "PERS",
    "Police": "PERS",
    "Religious_PER": "PERS",
    "Other_PER": "PERS",
    "Group": "MISC",  # «العرب», «المسلمين», «الاسرائيليين»: groups, not persons
    # ORG
    "Commercial": "ORG_COMMERCIAL",  # «نوكيا», «اعمار», «مايكروسوفت», «للبنك التجاري»
    "Government": "ORG",
    "Non-Governmental": "ORG",
    "Media": "ORG",
    "Educational": "ORG",
    "Sports": "ORG",
    "Entertainment": "ORG",
    "Medical-Science": "ORG",
    "Religious_ORG": "ORG",
    # GPE
    "Nation": "LOC",
    "Population-Center": "LOC",
    "State-or-Province": "LOC",
    "County-or-District": "LOC",
    "Continent": "LOC",
    "GPE-Cluster": "LOC",
    "Special": "LOC",
    # LOC
    "Land-Region-Natural": "LOC",
    "Water-Body": "LOC",
    "Celestial": "LOC",
    "Boundary": "LOC",
    "Address": "LOC",
    "Region-General": "LOC",
    "Region-International": "LOC",
    # FAC
    "Airport": "LOC",
    "Building-Grounds": "LOC",
    "Path": "LOC",
    "Plant": "LOC",
    "Subarea-Facility": "LOC",
    # VEH, WEA, PRO (products: «فيراري», «بوينج 737», «ويندوز»)
    "Air": "MISC",
    "Land": "MISC",
    "Water": "MISC",
    "Subarea-Vehicle": "MISC",
    "Underspecified": "MISC",
    "Blunt": "MISC",
    "Exploding": "MISC",
    "Sharp": "MISC",
    "Chemical": "MISC",
    "Biological": "MISC",
    "Shooting": "MISC",
    "Projectile": "MISC",
    "Nuclear": "MISC",
    "Book": "MISC",
    "Movie": "MISC",
    "Sound": "MISC",
    "Hardware": "MISC",
    "Software": "MISC",
    "Food": "MISC",
    "Drug": "MISC",
    "Other": "MISC",
}

#: Wojood's 21 types → the shared label set; "O" drops a type (a nested kept type then shows through).
#: Money, currency and numbers are kept apart because they are what AMOUNT and VALUATION are made of.
WOJOOD_MAP: dict[str, str] = {
    "MONEY": "MONEY",
    "CURR": "CURR",
    "CARDINAL": "CARDINAL",
    "ORG": "ORG",
    "PERS": "PERS",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "LANGUAGE": "MISC",
    "LAW": "MISC",
    "WEBSITE": "MISC",
    "OCC": "O",
    "DATE": "O",
    "TIME": "O",
    "ORDINAL": "O",
    "PERCENT": "O",
    "QUANTITY": "O",
    "UNIT": "O",
}

_TAG = re.compile(r"^(?:O|[BI]-\S+)$")
_GLUED = re.compile(r"^(O|[BI]-[A-Za-z_]+)([^\x00-\x7f]\S*)$")  # «Oالإصابة»: a tag, then an Arabic token


@dataclass
class NerSentence:
    words: list[str]
    tags: list[str]


def repair_iob2(tags: Sequence[str]) -> list[str]:
    """Valid IOB2: an ``I-X`` that does not continue a ``B-X``/``I-X`` becomes ``B-X``."""
    out: list[str] = []
    previous = "O"
    for tag in tags:
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        out.append(tag)
        previous = tag
    return out


def _is_tag(field: str) -> bool:
    return bool(_TAG.match(field))


def _map_tag(tag: str, mapping: dict[str, str] | None, default: str | None) -> str:
    """``tag`` with its type mapped; a type absent from ``mapping`` goes to ``default`` (None: kept)."""
    if tag == "O" or mapping is None:
        return tag
    label = mapping.get(tag[2:], default if default is not None else tag[2:])
    return "O" if label == "O" else tag[:2] + label


def split_long(words: list[str], tags: list[str], max_words: int = MAX_WORDS) -> list[NerSentence]:
    """One run of words as sentences of at most ``max_words``: cut after sentence-final
    punctuation, then every ``max_words`` words (earlier, if that would cut an entity)."""
    if len(words) <= max_words:
        return [NerSentence(words, repair_iob2(tags))] if words else []
    pieces, start = [], 0
    for i, word in enumerate(words):
        if word in SENTENCE_END and not (i + 1 < len(words) and tags[i + 1].startswith("I-")):
            pieces.append((start, i + 1))
            start = i + 1
    if start < len(words):
        pieces.append((start, len(words)))
    out = []
    for a, b in pieces:
        while b - a > max_words:
            cut = a + max_words
            while cut > a + 1 and tags[cut].startswith("I-"):
                cut -= 1
            if cut == a + 1:  # one entity longer than max_words: cut it anyway
                cut = a + max_words
            out.append(NerSentence(words[a:cut], repair_iob2(tags[a:cut])))
            a = cut
        out.append(NerSentence(words[a:b], repair_iob2(tags[a:b])))
    return out


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with open(path, encoding="utf-8-sig", newline=None) as f:
        for n, line in enumerate(f, 1):
            yield n, line.rstrip("\r\n")


def _rows(path: Path, fmt: str) -> Iterator[tuple[str, list[str]] | None]:
    """``(word, tags)`` per token line, None at a sentence break."""
    for n, line in _lines(path):
        fields = line.split("\t") if fmt == "newsfane" else line.split()
        fields = [f.translate(INVISIBLE).strip() for f in fields]
        fields = [f for f in fields if f]
        if not fields:
            yield None
            continue
        if (
            fmt == "anercorp"
            and len(fields) == 3
            and _is_tag(fields[2])
            and _GLUED.match(fields[1])
            and not _is_tag(fields[1])
        ):
            glued = _GLUED.match(fields[1])  # «. Oالإصابة O»: a lost line break
            assert glued is not None, "checked by the condition above"
            tag, word = glued.groups()
            yield fields[0], [tag]
            yield word, [fields[2]]
            continue
        if fmt == "wojood":
            if fields[0] == WOJOOD_SEGMENT_END:
                yield None
                continue
            word, tags = fields[0], fields[1:]
        elif len(fields) == 2:
            word, tags = fields[0], fields[1:]
        else:
            raise NerFormatError(f"{path}:{n}: expected 'token TAG' ({fmt}), got {line.strip()[:60]!r}")
        if not tags or not all(_is_tag(t) for t in tags):
            raise NerFormatError(f"{path}:{n}: not an IOB2 tag in {line.strip()[:60]!r}")
        yield word, tags


def _wojood_tag(tags: list[str]) -> str:
    """The outermost of a token's nested tags whose type :data:`WOJOOD_MAP` keeps (types it lacks are MISC)."""
    for tag in tags:
        mapped = _map_tag(tag, WOJOOD_MAP, "MISC")
        if mapped != "O":
            return mapped
    return "O"


def read_sentences(path: str | Path, fmt: str, max_words: int = MAX_WORDS) -> list[NerSentence]:
    """The sentences of one file in format ``fmt`` (one of :data:`FORMATS`), in the shared label set."""
    if fmt not in FORMATS:
        raise NerFormatError(f"unknown NER format {fmt!r} (known: {', '.join(FORMATS)})")
    path = Path(path)
    sentences: list[NerSentence] = []
    words: list[str] = []
    tags: list[str] = []
    for row in _rows(path, fmt):
        if row is None:
            sentences.extend(split_long(words, tags, max_words))
            words, tags = [], []
            continue
        word, raw = row
        if fmt == "wojood":
            tag = _wojood_tag(raw)
        elif fmt == "newsfane":
            tag = _map_tag(raw[0], NEWSFANE_MAP, "MISC")
        else:
            tag = raw[0]
        words.append(word)
        tags.append(tag)
    sentences.extend(split_long(words, tags, max_words))
    return sentences


def detect_format(path: str | Path, sample_lines: int = 5000) -> str:
    """The format of a file from its first ``sample_lines`` lines: tabs and NewsFANE classes,
    nested tags, Wojood types or ``$#$`` marks, else ANERcorp's two columns."""
    path = Path(path)
    types: set[str] = set()
    tabs = nested = marks = 0
    for n, line in _lines(path):
        if n > sample_lines:
            break
        fields = line.translate(INVISIBLE).split()
        if len(fields) < 2:
            continue
        tabs += "\t" in line
        marks += fields[0] == WOJOOD_SEGMENT_END
        tags = [f for f in fields[1:] if _is_tag(f)]
        nested += len(tags) > 1 and len(tags) == len(fields) - 1
        types.update(t[2:] for t in tags if t != "O")
    if tabs and types & (set(NEWSFANE_MAP) - set(WOJOOD_MAP) - ANERCORP_TYPES):
        return "newsfane"
    if nested or marks or types & (set(WOJOOD_MAP) - ANERCORP_TYPES):
        return "wojood"
    if types and types <= ANERCORP_TYPES:
        return "anercorp"
    raise NerFormatError(f"cannot tell the NER format of {path}; name it as {path}:FORMAT ({', '.join(FORMATS)})")


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``FILE`` or ``FILE:FORMAT`` → (file, format or None)."""
    head, sep, tail = spec.rpartition(":")
    if sep and tail in FORMATS:
        return head, tail
    if sep and head and re.fullmatch(r"[A-Za-z0-9_-]+", tail) and not Path(spec).exists():
        raise NerFormatError(f"unknown NER format {tail!r} in {spec!r} (known: {', '.join(FORMATS)})")
    return spec, None


def read_ner(spec: str | Path, fmt: str | None = None, max_words: int = MAX_WORDS) -> list[NerSentence]:
    """The sentences of ``FILE[:FORMAT]``; without a format, it is detected from the content."""
    path, named = parse_spec(str(spec))
    fmt = fmt or named
    if not Path(path).is_file():
        raise NerFormatError(f"no such NER file: {path}")
    try:
        return read_sentences(path, fmt or detect_format(path), max_words)
    except UnicodeDecodeError as exc:
        raise NerFormatError(f"{path}: not UTF-8 text ({exc.reason})") from None


def tag_counts(sentences: Iterable[NerSentence]) -> Counter[str]:
    return Counter(tag for s in sentences for tag in s.tags)


def entity_counts(sentences: Iterable[NerSentence]) -> Counter[str]:
    """Entities (B- tags) per type."""
    return Counter(tag[2:] for s in sentences for tag in s.tags if tag.startswith("B-"))


def label_set(sentences: Iterable[NerSentence]) -> list[str]:
    """The tags of the data's types, ``O`` first, then B-/I- of each type in sorted order."""
    types = sorted({tag[2:] for s in sentences for tag in s.tags if tag != "O"})
    return ["O"] + [f"{p}-{t}" for t in types for p in ("B", "I")]
