"""The annotation record format (character spans in JSONL), its validation and atomic writes."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from labeling.chars import is_boundary_junk, is_control, is_mark, is_space
from labeling.exceptions import BadJSONError, DataError
from labeling.labels import LABELS


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    record_id: str | None
    message: str

    def __str__(self) -> str:
        unsafe = self.record_id is not None and any(is_control(ch) for ch in self.record_id)
        shown = repr(self.record_id) if unsafe else self.record_id
        rid = f" [{shown}]" if self.record_id is not None else ""
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


def parse_json(text: str) -> Any:
    """``json.loads`` that skips a leading BOM and fails only with :class:`BadJSONError`.

    json.loads also raises a plain ValueError (an integer over 4,300 digits) and RecursionError
    (``[[[[...]]]]``): uncaught, one such line would stop a whole run.
    """
    try:
        return json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise BadJSONError(f"bad JSON: {exc.msg} at column {exc.colno}", exc.lineno) from None
    except RecursionError:
        raise BadJSONError("bad JSON: nested too deeply") from None
    except ValueError as exc:
        raise BadJSONError(f"bad JSON: {str(exc).split(';')[0]}") from None


def open_jsonl(path: str | os.PathLike, errors: str = "strict") -> IO[str]:
    """Open a JSONL file for reading: a leading UTF-8 BOM is skipped and lines end at ``\\n`` only.

    Universal newlines would also end a line at a raw CR, splitting one JSON line in two.
    """
    return open(path, encoding="utf-8-sig", errors=errors, newline="\n")


def one_line_problem(name: str, value: str) -> str | None:
    """Ids and sources are one line of text: a newline in one injects lines into CoNLL files and logs."""
    bad = next((ch for ch in value if is_control(ch)), None)
    return None if bad is None else f"record {name} {value!r} holds the control character U+{ord(bad):04X}"


def splits_from_mark(text: str, pos: int) -> bool:
    """True when offset ``pos`` falls between a character and the combining mark on it («بَ» cut after «ب»)."""
    return 0 < pos < len(text) and is_mark(text[pos]) and not is_space(text[pos - 1])


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
        for side, pos in (("start", s.start), ("end", s.end)):
            if splits_from_mark(text, pos):
                problems.append(
                    f"{where}: the {side} separates {text[pos - 1]!r} from its diacritic U+{ord(text[pos]):04X}"
                )
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
    for name, value in (("id", raw["id"]), ("source", source)):
        message = one_line_problem(name, value)
        if message:
            raise ValueError(message)
    extra = {k: v for k, v in raw.items() if k not in ("id", "source", "text", "spans")}
    return Record(raw["id"], raw["text"], [_parse_span(s) for s in raw["spans"]], source, extra)


def check_records(path: str | os.PathLike) -> tuple[list[Record], list[Problem]]:
    """Read a JSONL file, returning the valid records and every problem found (file, line, id)."""
    name = str(path)
    records: list[Record] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    try:
        handle = open_jsonl(path)
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
            raw = parse_json(line)
        except BadJSONError as exc:
            problems.append(Problem(name, lineno, None, str(exc)))
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


def iter_jsonl(path: str | os.PathLike) -> Iterator[Any]:
    """The JSON values of a file's non-blank lines; a bad line raises :class:`DataError` naming it."""
    with open_jsonl(path) as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield parse_json(line)
            except BadJSONError as exc:
                raise DataError([Problem(str(path), lineno, None, str(exc))]) from None


def _create_beside(target: Path) -> tuple[int, Path]:
    """A new temporary file next to ``target``, mode 0666 less the umask, as ``open(path, "w")`` makes it.

    tempfile.mkstemp would make it 0600, and the rename would carry that mode over to the target.
    """
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
        except OSError as exc:  # name the file the user asked for, not the temporary one (OSError() picks the subclass)
            raise OSError(exc.errno, exc.strerror, str(target)) from None


def atomic_write_text(path: str | os.PathLike, content: str) -> None:
    """Write via a temporary file in the same folder, then rename: a crash never leaves half a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_beside(target)
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


def record_problems(record: Record) -> list[str]:
    """Every way a record breaks the format rules: a control character in its id or source, invalid spans."""
    fields = [one_line_problem(name, value) for name, value in (("id", record.id), ("source", record.source))]
    return [m for m in fields if m] + span_problems(record.text, record.spans)


def write_records(path: str | os.PathLike, records: Iterable[Record]) -> None:
    """Atomically write records as JSONL; refuses records that ``validate`` would reject."""
    records = list(records)
    problems = [Problem(str(path), i, r.id, msg) for i, r in enumerate(records, start=1) for msg in record_problems(r)]
    if problems:
        raise DataError(problems)
    atomic_write_text(path, dump_records(records))
