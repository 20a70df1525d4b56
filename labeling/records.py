"""The annotation record format (character spans in JSONL), its validation and atomic writes."""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from labeling.chars import is_boundary_junk, is_control, is_mark, is_space
from labeling.exceptions import BadJSONError, DataError
from labeling.labels import LABELS, is_money, labels_of_kind
from labeling.money import ISO_CURRENCIES, QUALIFIERS, MoneyValue


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


#: The keys of a span's money reading (version 2): all three or none.
MONEY_FIELDS: tuple[str, ...] = ("value", "currency", "qualifier")

#: A deal's lists (version 2) and the label of the spans each one lists.
DEAL_ROLES: dict[str, str] = {
    "investors": "INVESTOR",
    "amounts": "AMOUNT",
    "valuations": "VALUATION",
    "projects": "PROJECT",
}


@dataclass(frozen=True, order=True)
class Span:
    """A labeled stretch of text; ``money`` (version 2, AMOUNT and VALUATION only) is what the sum is worth.

    ``money`` takes no part in comparisons: a span is its place and label, so spans sort by offsets and a
    gold span with a value still matches the same span predicted without one.
    """

    start: int
    end: int
    label: str
    text: str
    money: MoneyValue | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label, "text": self.text}
        if self.money is not None:
            out.update(value=self.money.value, currency=self.money.currency, qualifier=self.money.qualifier)
        return out


@dataclass(frozen=True)
class Deal:
    """One investment event (version 2): indices into its record's ``spans``, one tuple per role."""

    investors: tuple[int, ...] = ()
    amounts: tuple[int, ...] = ()
    valuations: tuple[int, ...] = ()
    projects: tuple[int, ...] = ()

    def roles(self) -> list[tuple[str, tuple[int, ...]]]:
        return [(role, getattr(self, role)) for role in DEAL_ROLES]

    def is_empty(self) -> bool:
        return not any(indices for _, indices in self.roles())

    def to_json(self) -> dict:
        return {role: list(indices) for role, indices in self.roles()}

    def renumbered(self, new_index: Callable[[int], int | None]) -> Deal:
        """The deal with each index ``i`` replaced by ``new_index(i)``, dropped where that is None."""
        return Deal(*(tuple(j for j in map(new_index, indices) if j is not None) for _, indices in self.roles()))


@dataclass
class Record:
    """One passage and its spans; ``deals`` is None for a version-1 record (no "deals" key is written)."""

    id: str
    text: str
    spans: list[Span] = field(default_factory=list)
    source: str = ""
    extra: dict = field(default_factory=dict)
    deals: list[Deal] | None = None

    def to_json(self) -> dict:
        """The JSON object, spans in offset order (deal indices follow them); "deals" comes last."""
        record = sort_spans(self)
        out = {
            "id": record.id,
            "source": record.source,
            "text": record.text,
            "spans": [s.to_json() for s in record.spans],
        }
        out.update(record.extra)
        if record.deals is not None:
            out["deals"] = [d.to_json() for d in record.deals]
        return out


def sort_spans(record: Record) -> Record:
    """The record with its spans in offset order and every deal index moved with its span."""
    order = sorted(range(len(record.spans)), key=lambda i: record.spans[i])
    position = {old: new for new, old in enumerate(order)}
    spans = [record.spans[i] for i in order]
    if record.deals is None:
        return replace(record, spans=spans)
    return replace(record, spans=spans, deals=[d.renumbered(lambda i: position.get(i, i)) for d in record.deals])


def without_span(record: Record, index: int) -> Record:
    """The record less ``spans[index]``: it leaves its deals, later indices move down, a deal left empty goes."""
    spans = record.spans[:index] + record.spans[index + 1 :]
    if record.deals is None:
        return replace(record, spans=spans)
    deals = [d.renumbered(lambda i: None if i == index else i - (i > index)) for d in record.deals]
    kept = [new for new, old in zip(deals, record.deals) if not new.is_empty() or old.is_empty()]
    return replace(record, spans=spans, deals=kept)


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
    return Span(start, end, label, text, _parse_money(raw))


def _parse_money(raw: dict) -> MoneyValue | None:
    """The span's money reading, None when it has none; its values are checked by :func:`money_problems`."""
    present = [k for k in MONEY_FIELDS if k in raw]
    if not present:
        return None
    if len(present) < len(MONEY_FIELDS):
        absent = [k for k in MONEY_FIELDS if k not in raw]
        raise ValueError(
            f"span {raw['start']}-{raw['end']} {raw['label']} has {', '.join(present)} but not {', '.join(absent)}"
            f" (the money fields {', '.join(MONEY_FIELDS)} go together)"
        )
    return MoneyValue(raw["value"], raw["currency"], raw["qualifier"])


def _parse_deal(raw: object, n: int) -> Deal:
    if not isinstance(raw, dict):
        raise ValueError(f"deal {n} must be an object, got {type(raw).__name__}")
    if set(raw) != set(DEAL_ROLES):
        raise ValueError(f"deal {n} has the keys {', '.join(raw)}; a deal has exactly {', '.join(DEAL_ROLES)}")
    for role in DEAL_ROLES:
        if not isinstance(raw[role], list) or any(type(i) is not int for i in raw[role]):
            raise ValueError(f"deal {n}: {role} must be a list of span indices (integers), got {raw[role]!r}")
    return Deal(*(tuple(raw[role]) for role in DEAL_ROLES))


def _parse_deals(raw: object) -> list[Deal]:
    if not isinstance(raw, list):
        raise ValueError(f"record deals must be a list, got {type(raw).__name__}")
    return [_parse_deal(deal, n) for n, deal in enumerate(raw)]


def parse_record(raw: object) -> Record:
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
    extra = {k: v for k, v in raw.items() if k not in ("id", "source", "text", "spans", "deals")}
    deals = _parse_deals(raw["deals"]) if "deals" in raw else None
    return Record(raw["id"], raw["text"], [_parse_span(s) for s in raw["spans"]], source, extra, deals)


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
            record = parse_record(raw)
        except ValueError as exc:
            problems.append(Problem(name, lineno, rid, str(exc)))
            continue
        bad = record_problems(record)
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


def previous_directory(target: Path) -> Path:
    """Where :func:`swap_in_directory` keeps the directory it replaces between its two renames."""
    return target.parent / f".{target.name}.old"


def swap_in_directory(tmp: Path, target: Path) -> None:
    """Replace directory ``target`` by the finished ``tmp``: a crash leaves either one whole (the previous
    one as :func:`previous_directory`, which a reader may fall back to)."""
    old = previous_directory(target)
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def dump_records(records: Iterable[Record]) -> str:
    return "".join(json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in records)


def _is_positive_number(value: object) -> bool:
    """An int or float (a bool is not a number here) above zero and finite (JSON readers accept 1e999)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return value > 0 and not math.isinf(value)


def money_problems(spans: Iterable[Span]) -> list[str]:
    """Money readings on spans that cannot carry one, or with a value, currency or qualifier out of bounds."""
    problems = []
    for s in spans:
        if s.money is None:
            continue
        where = f"span {s.start}-{s.end} {s.label}"
        if s.label in LABELS and not is_money(s.label):
            kinds = " and ".join(labels_of_kind("money"))
            problems.append(f"{where}: money fields ({', '.join(MONEY_FIELDS)}) belong on {kinds} spans only")
        value, currency, qualifier = s.money.value, s.money.currency, s.money.qualifier
        if value is not None and not _is_positive_number(value):
            problems.append(f"{where}: value {value!r} is not a positive finite number or null")
        if not isinstance(currency, str) or (currency and currency not in ISO_CURRENCIES):
            problems.append(f'{where}: currency {currency!r} is not an ISO 4217 code or ""')
        if not isinstance(qualifier, str) or qualifier not in QUALIFIERS:
            problems.append(f"{where}: qualifier {qualifier!r} is not one of {', '.join(map(repr, QUALIFIERS))}")
    return problems


def deal_problems(spans: list[Span], deals: Iterable[Deal]) -> list[str]:
    """Deals that list no span, list a span twice in one role, or list a missing span or one of another label."""
    problems = []
    for n, deal in enumerate(deals):
        if deal.is_empty():
            problems.append(f"deal {n} lists no span")
        for role, indices in deal.roles():
            for i in dict.fromkeys(indices):
                if indices.count(i) > 1:
                    problems.append(f"deal {n}: {role} lists span {i} twice")
                if not 0 <= i < len(spans):
                    problems.append(f"deal {n}: {role} index {i} is out of range (the record has {len(spans)} spans)")
                elif spans[i].label != DEAL_ROLES[role]:
                    s = spans[i]
                    problems.append(
                        f"deal {n}: {role} index {i} is {s.label} span {s.start}-{s.end} {s.text!r},"
                        f" not {DEAL_ROLES[role]}"
                    )
    return problems


def record_problems(record: Record) -> list[str]:
    """Every way a record breaks the format rules: a control character in its id or source, invalid spans,
    money readings or deals."""
    fields = [one_line_problem(name, value) for name, value in (("id", record.id), ("source", record.source))]
    return (
        [m for m in fields if m]
        + span_problems(record.text, record.spans)
        + money_problems(record.spans)
        + deal_problems(record.spans, record.deals or [])
    )


def write_records(path: str | os.PathLike, records: Iterable[Record]) -> None:
    """Atomically write records as JSONL; refuses records that ``validate`` would reject."""
    records = list(records)
    problems = [Problem(str(path), i, r.id, msg) for i, r in enumerate(records, start=1) for msg in record_problems(r)]
    if problems:
        raise DataError(problems)
    atomic_write_text(path, dump_records(records))
