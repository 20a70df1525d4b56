"""Label Studio import and export (its JSON task list with ``labels`` results).

Label Studio counts offsets in UTF-16 code units (JavaScript strings); our records
count code points. The two differ for characters outside the BMP (emoji), so offsets
are converted both ways. Only the labeled spans travel: version-2 deals and money readings
are not exported, and imported records are version 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from labeling.labels import LABELS
from labeling.records import BadJSONError, DataError, Problem, Record, Span, parse_json

FROM_NAME = "label"
TO_NAME = "text"

#: The labeling config to paste into a Label Studio project.
LABEL_CONFIG = (
    '<View>\n  <Labels name="label" toName="text">\n'
    + "".join(f'    <Label value="{label}"/>\n' for label in LABELS)
    + '  </Labels>\n  <Text name="text" value="$text"/>\n</View>\n'
)


def _utf16_offsets(text: str) -> list[int]:
    """``out[i]`` is the UTF-16 offset of code point ``i`` (with ``out[len(text)]`` at the end)."""
    out = [0]
    for ch in text:
        out.append(out[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return out


def record_to_task(record: Record, as_predictions: bool = False) -> dict:
    u16 = _utf16_offsets(record.text)
    results = [
        {
            "id": f"{record.id}-{i}",
            "from_name": FROM_NAME,
            "to_name": TO_NAME,
            "type": "labels",
            "value": {"start": u16[s.start], "end": u16[s.end], "text": s.text, "labels": [s.label]},
        }
        for i, s in enumerate(sorted(record.spans))
    ]
    key = "predictions" if as_predictions else "annotations"
    return {"data": {"text": record.text, "id": record.id, "source": record.source}, key: [{"result": results}]}


def to_labelstudio(records: Iterable[Record], as_predictions: bool = False) -> str:
    tasks = [record_to_task(r, as_predictions) for r in records]
    return json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"


def _chosen_result(task: dict) -> list:
    """The result of the last annotation that was not cancelled (skipped), else of the last prediction.

    A skipped task ends with a cancelled annotation with an empty result: taken, it would wipe the real spans.
    """
    annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    chosen = annotations or task.get("predictions") or []
    return chosen[-1].get("result", []) if chosen else []


def _task_spans(task: dict, text: str) -> list[Span]:
    """Spans of the chosen annotation of a task (see :func:`_chosen_result`)."""
    to_cp = {u: i for i, u in enumerate(_utf16_offsets(text))}
    spans = []
    for res in _chosen_result(task):
        if res.get("type") != "labels":
            continue
        value = res["value"]
        if type(value["start"]) is not int or type(value["end"]) is not int:  # True would be read as 1
            raise ValueError(
                f"offsets must be integers, got {type(value['start']).__name__}-{type(value['end']).__name__}"
            )
        labels = value["labels"]
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            raise ValueError("labels must be a list of strings")
        start, end = to_cp.get(value["start"]), to_cp.get(value["end"])
        if start is None or end is None:
            raise ValueError(f"offsets {value['start']}-{value['end']} split a character")
        for label in labels:
            spans.append(Span(start, end, label, text[start:end]))
    return spans


def _task_record(task: object, n: int) -> Record:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise ValueError("a task must be a JSON object with a 'data' object")
    data = task["data"]
    text, source = data["text"], data.get("source", "")
    for name, value in (("text", text), ("source", source)):
        if not isinstance(value, str):  # str() of a deeply nested list would overflow the stack
            raise ValueError(f"{name} must be a string, got {type(value).__name__}")
    given = data.get("id") or task.get("id") or f"ls-{n:04d}"
    if type(given) not in (str, int):  # str() of anything else (a deeply nested list) is no id, or overflows
        raise ValueError("id must be a string or an integer")
    return Record(str(given), text, sorted(_task_spans(task, text)), source)


def from_labelstudio(content: str, name: str = "<labelstudio>") -> list[Record]:
    """Parse a Label Studio JSON export; raise :class:`DataError` naming each bad task."""
    try:
        tasks = parse_json(content)
    except BadJSONError as exc:
        raise DataError([Problem(name, exc.line, None, str(exc))]) from None
    if not isinstance(tasks, list):
        raise DataError([Problem(name, 1, None, "expected a JSON list of tasks")])
    records, problems = [], []
    first_task: dict[str, int] = {}
    for n, task in enumerate(tasks, start=1):
        try:
            record = _task_record(task, n)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.append(Problem(name, n, None, f"task {n}: malformed ({exc!r})"))
            continue
        if record.id in first_task:
            message = f"task {n}: duplicate id (first in task {first_task[record.id]})"
            problems.append(Problem(name, n, record.id, message))
            continue
        first_task[record.id] = n
        records.append(record)
    if problems:
        raise DataError(problems)
    return records
