"""Apply a second annotator's review to a records file.

A review is a JSON list of changes, each located by a verbatim ``context`` that occurs
once in the record text, so changes survive re-ordering and never depend on counted
offsets::

    {"id": "newsA-012", "action": "ADD" | "REMOVE" | "RELABEL" | "BOUNDARY",
     "label": "INVESTOR", "span": "أمازون", "context": "... وأمازون ...",
     "new_label": "PROJECT", "new_span": "...", "reason": "..."}
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from labeling.exceptions import ReviewError
from labeling.labels import LABELS, is_money
from labeling.records import Record, Span, make_span, record_problems, sort_spans, without_span

ACTIONS = ("ADD", "REMOVE", "RELABEL", "BOUNDARY")


@dataclass(frozen=True)
class Change:
    id: str
    action: str
    label: str
    span: str
    context: str
    new_label: str | None = None
    new_span: str | None = None
    reason: str = ""

    @classmethod
    def from_json(cls, raw: object) -> Change:
        """A change from its JSON object; anything else, or a field that is not a string, is a :class:`ReviewError`
        (a list as an id, a number as a context would otherwise fail deep inside :func:`apply_review`)."""
        if not isinstance(raw, dict):
            raise ReviewError(f"a change must be a JSON object, got {type(raw).__name__}")
        known = {
            k: raw[k]
            for k in ("id", "action", "label", "span", "context", "new_label", "new_span", "reason")
            if k in raw
        }
        if "id" not in known and "doc" in raw:
            known["id"] = raw["doc"]
        try:
            change = cls(**known)
        except TypeError as exc:
            raise ReviewError(f"malformed change: {exc}") from None
        strings = [change.id, change.action, change.label, change.span, change.context, change.reason]
        optional = [change.new_label, change.new_span]
        if not all(isinstance(v, str) for v in strings) or not all(v is None or isinstance(v, str) for v in optional):
            raise ReviewError("malformed change: its fields must be strings")
        if change.action not in ACTIONS:
            raise ReviewError(f"{change.id}: unknown action {change.action!r}")
        return change


def _locate(text: str, context: str, phrase: str, where: str) -> tuple[int, int]:
    if text.count(context) != 1:
        raise ReviewError(f"{where}: context occurs {text.count(context)} times, expected once: {context!r}")
    offset = context.find(phrase)
    if offset < 0:
        raise ReviewError(f"{where}: {phrase!r} is not inside its context")
    start = text.index(context) + offset
    return start, start + len(phrase)


def _replaced(old: Span, new: Span) -> Span:
    """``new`` in place of ``old``: a relabeled money span keeps its money reading; a moved boundary drops it,
    since the value was read from the old text."""
    moved = (new.start, new.end) != (old.start, old.end)
    if old.money is None or moved or new.label not in LABELS or not is_money(new.label):
        return new
    return replace(new, money=old.money)


def apply_change(record: Record, change: Change) -> Record:
    """The record with one change applied. A removed span leaves its deals (a deal left empty goes); a
    relabeled or re-bounded span keeps its place in its deals, so a label its role no longer allows is an error.
    """
    where = f"{change.id} {change.action} {change.label} {change.span!r}"
    start, end = _locate(record.text, change.context, change.span, where)
    spans = list(record.spans)
    if change.action == "ADD":
        spans.append(make_span(record.text, start, end, change.label))
        changed = replace(record, spans=spans)
    else:
        index = next(
            (i for i, s in enumerate(spans) if s.start == start and s.end == end and s.label == change.label), None
        )
        if index is None:
            raise ReviewError(f"{where}: no such span in the record")
        if change.action == "REMOVE":
            changed = without_span(record, index)
        else:
            if change.action == "RELABEL":
                new = Span(start, end, change.new_label or "", record.text[start:end])
            else:
                ns, ne = _locate(record.text, change.context, change.new_span or "", where)
                new = make_span(record.text, ns, ne, change.new_label or change.label)
            spans[index] = _replaced(spans[index], new)
            changed = replace(record, spans=spans)
    problems = record_problems(changed)
    if problems:
        raise ReviewError(f"{where}: {problems[0]}")
    return replace(sort_spans(changed), extra=dict(record.extra))


def apply_review(records: list[Record], changes: list[Change]) -> tuple[list[Record], list[str]]:
    """Records with every applicable change applied, and a message for each change that was not."""
    by_id = {r.id: r for r in records}
    failures = []
    for change in changes:
        if change.id not in by_id:
            failures.append(f"{change.id}: no such record")
            continue
        try:
            by_id[change.id] = apply_change(by_id[change.id], change)
        except ReviewError as exc:
            failures.append(str(exc))
    return [by_id[r.id] for r in records], failures
