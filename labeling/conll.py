"""CoNLL export and import: ``word<TAB>TAG`` lines, a blank line between sentences.

Each document starts with ``# id = ...`` and ``# source = ...`` comment lines, so a file
holds many documents and they come back with their ids. CoNLL keeps words, not
spacing: on import the text is rebuilt with one space between words and a newline
between sentences, and the spans are recomputed on that text. Version-2 fields (deals, money
readings) have no place in CoNLL and are not exported.
"""

from __future__ import annotations

from collections.abc import Iterable

from labeling.iob import spans_to_tags, tags_to_spans
from labeling.labels import TAGS
from labeling.records import DataError, Problem, Record, one_line_problem
from labeling.tokenize import Token, split_sentences, tokenize


def record_to_conll(record: Record) -> str:
    """One document; refuses an id or source with a control character, whose newline would inject lines."""
    bad = [m for m in (one_line_problem("id", record.id), one_line_problem("source", record.source)) if m]
    if bad:
        raise DataError([Problem("<records>", 0, None, message) for message in bad])
    lines = [f"# id = {record.id}", f"# source = {record.source}"]
    tokens = tokenize(record.text)
    tags = spans_to_tags(tokens, record.spans)
    by_start = {tok.start: (tok, tag) for tok, tag in zip(tokens, tags)}
    for s, e in split_sentences(record.text):
        for tok, tag in (by_start[t.start] for t in tokens if s <= t.start < e):
            lines.append(f"{tok.text}\t{tag}")
        lines.append("")
    return "\n".join(lines) + "\n"


def to_conll(records: Iterable[Record]) -> str:
    return "".join(record_to_conll(r) for r in records)


def _build_record(rid: str, source: str, sentences: list[list[tuple[str, str]]]) -> Record:
    pieces: list[str] = []
    tokens: list[Token] = []
    tags: list[str] = []
    pos = 0
    for si, sentence in enumerate(sentences):
        if si:
            pieces.append("\n")
            pos += 1
        for wi, (word, tag) in enumerate(sentence):
            if wi:
                pieces.append(" ")
                pos += 1
            tokens.append(Token(word, pos, pos + len(word)))
            tags.append(tag)
            pieces.append(word)
            pos += len(word)
    text = "".join(pieces)
    return Record(rid, text, tags_to_spans(text, tokens, tags), source)


def from_conll(content: str, name: str = "<conll>") -> list[Record]:
    """Parse CoNLL text; raise :class:`DataError` with line numbers for malformed lines."""
    records: list[Record] = []
    problems: list[Problem] = []
    rid, source = None, ""
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    auto = 0

    def flush_doc() -> None:
        nonlocal sentences, current, auto
        if current:
            sentences.append(current)
            current = []
        if sentences:
            doc_id = rid or f"conll-{auto:04d}"
            auto += 1
            records.append(_build_record(doc_id, source, sentences))
        sentences = []

    # Lines end at \n only, as written: str.splitlines would also end one at U+0085, U+2028 or \x1c.
    for lineno, raw in enumerate(content.removeprefix("\ufeff").split("\n"), start=1):
        line = raw.rstrip("\r")
        if line.startswith("# id = "):
            flush_doc()
            rid, source = line[len("# id = ") :].strip(), ""
        elif line.startswith("# source = "):
            source = line[len("# source = ") :].strip()
        elif not line.strip():
            if current:
                sentences.append(current)
                current = []
        else:
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0] or any(c.isspace() for c in parts[0]):
                problems.append(Problem(name, lineno, rid, f"expected 'word<TAB>TAG', got {line!r}"))
            elif parts[1] not in TAGS:
                problems.append(Problem(name, lineno, rid, f"unknown tag {parts[1]!r}"))
            else:
                current.append((parts[0], parts[1]))
    flush_doc()
    if problems:
        raise DataError(problems)
    return records
