"""The annotation record format (character spans in JSONL), its validation and atomic writes."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from labeling.chars import is_boundary_junk
from labeling.exceptions import DataError
from labeling.labels import LABELS


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    record_id: str | None
    message: str

    def __str__(self) -> str:
        rid = f" [{self.record_id}]" if self.record_id is not None else ""
        return f"{self.file}:{self.line}{rid}: {self.message}"


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    label: str
    text: str


@dataclass
class Record:
    id: str
    text: str
    spans: list[Span] = field(default_factory=list)
    source: str = ""
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {
            "id": self.id,
            "source": self.source,
            "text": self.text,
            "spans": [asdict(s) for s in sorted(self.spans)],
        }
        out.update(self.extra)
        return out


def has_lone_surrogate(text: str) -> bool:
    """JSON escapes such as ``\\ud800`` decode to code points that cannot be written as UTF-8."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def make_span(text: str, start: int, end: int, label: str) -> Span:
    return Span(start, end, label, text[start:end])


def span_problems(text: str, spans: Iterable[Span]) -> list[str]:
    """Every way ``spans`` break the format rules for ``text``; empty when they are valid."""
    problems: list[str] = []
    ordered = sorted(spans)
    for s in ordered:
        where = f"span {s.start}-{s.end} {s.label}"
        if s.label not in LABELS:
            problems.append(f"{where}: unknown label {s.label!r} (expected one of {', '.join(LABELS)})")
        if not (0 <= s.start < s.end <= len(text)):
            problems.append(f"{where}: offsets out of range for text of length {len(text)}")
            continue
        if text[s.start : s.end] != s.text:
            problems.append(f"{where}: text[start:end] is {text[s.start : s.end]!r} but span text is {s.text!r}")
        if is_boundary_junk(text[s.start]) or is_boundary_junk(text[s.end - 1]):
            problems.append(f"{where}: {text[s.start : s.end]!r} starts or ends with white space or punctuation")
    for a, b in zip(ordered, ordered[1:]):
        if b.start < a.end:
            problems.append(f"spans {a.start}-{a.end} {a.label} and {b.start}-{b.end} {b.label} overlap")
    return problems


def _parse_span(raw: object) -> Span:
    if not isinstance(raw, dict):
        raise ValueError(f"span must be an object, got {type(raw).__name__}")
    missing = [k for k in ("start", "end", "label", "text") if k not in raw]
    if missing:
        raise ValueError(f"span {raw!r} lacks {', '.join(missing)}")
    start, end, label, text = raw["start"], raw["end"], raw["label"], raw["text"]
    if type(start) is not int or type(end) is not int:
        raise ValueError(f"span offsets must be integers, got {start!r}, {end!r}")
    if not isinstance(label, str) or not isinstance(text, str):
        raise ValueError(f"span label and text must be strings in {raw!r}")
    return Span(start, end, label, text)


def _parse_record(raw: object) -> Record:
    if not isinstance(raw, dict):
        raise ValueError(f"a record must be a JSON object, got {type(raw).__name__}")
    for key in ("id", "text", "spans"):
        if key not in raw:
            raise ValueError(f"record lacks {key!r}")
    if not isinstance(raw["id"], str) or not raw["id"]:
        raise ValueError(f"record id must be a non-empty string, got {raw['id']!r}")
    if not isinstance(raw["text"], str):
        raise ValueError(f"record text must be a string, got {type(raw['text']).__name__}")
    if not isinstance(raw["spans"], list):
        raise ValueError("record spans must be a list")
    if has_lone_surrogate(raw["text"]):
        raise ValueError("record text holds lone surrogate code points (not valid Unicode)")
    source = raw.get("source", "")
    if not isinstance(source, str):
        raise ValueError("record source must be a string")
    extra = {k: v for k, v in raw.items() if k not in ("id", "source", "text", "spans")}
    return Record(raw["id"], raw["text"], [_parse_span(s) for s in raw["spans"]], source, extra)


def check_records(path: str | os.PathLike) -> tuple[list[Record], list[Problem]]:
    """Read a JSONL file, returning the valid records and every problem found (file, line, id)."""
    name = str(path)
    records: list[Record] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    try:
        handle = open(path, encoding="utf-8", errors="strict")
    except OSError as exc:
        return [], [Problem(name, 0, None, f"cannot read file: {exc.strerror or exc}")]
    with handle:
        try:
            lines = list(handle)
        except UnicodeDecodeError as exc:
            return [], [Problem(name, 0, None, f"not valid UTF-8: {exc}")]
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(name, lineno, None, f"bad JSON: {exc.msg} at column {exc.colno}"))
            continue
        except RecursionError:
            problems.append(Problem(name, lineno, None, "bad JSON: nested too deeply"))
            continue
        rid = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        try:
            record = _parse_record(raw)
        except ValueError as exc:
            problems.append(Problem(name, lineno, rid, str(exc)))
            continue
        bad = span_problems(record.text, record.spans)
        problems.extend(Problem(name, lineno, record.id, msg) for msg in bad)
        if record.id in seen:
            problems.append(Problem(name, lineno, record.id, f"duplicate id (first on line {seen[record.id]})"))
        else:
            seen[record.id] = lineno
        if not bad:
            records.append(record)
    return records, problems


def load_records(path: str | os.PathLike) -> list[Record]:
    """Load a JSONL file of records; raise :class:`DataError` listing every problem."""
    records, problems = check_records(path)
    if problems:
        raise DataError(problems)
    return records


def iter_jsonl(path: str | os.PathLike) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def atomic_write_text(path: str | os.PathLike, content: str) -> None:
    """Write via a temporary file in the same folder, then rename: a crash never leaves half a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def dump_records(records: Iterable[Record]) -> str:
    return "".join(json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in records)


def write_records(path: str | os.PathLike, records: Iterable[Record]) -> None:
    """Atomically write records as JSONL; refuses records whose spans are invalid."""
    records = list(records)
    problems = [
        Problem(str(path), i, r.id, msg)
        for i, r in enumerate(records, start=1)
        for msg in span_problems(r.text, r.spans)
    ]
    if problems:
        raise DataError(problems)
    atomic_write_text(path, dump_records(records))
