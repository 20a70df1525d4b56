"""Label Studio import and export (its JSON task list with ``labels`` results).

Label Studio counts offsets in UTF-16 code units (JavaScript strings); our records
count code points. The two differ for characters outside the BMP (emoji), so offsets
are converted both ways.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from labeling.labels import LABELS
from labeling.records import DataError, Problem, Record, Span

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


def _task_spans(task: dict, text: str) -> list[Span]:
    """Spans of the last annotation of a task (or of its last prediction when it has none)."""
    chosen = task.get("annotations") or task.get("predictions") or []
    if not chosen:
        return []
    results = chosen[-1].get("result", [])
    to_cp = {u: i for i, u in enumerate(_utf16_offsets(text))}
    spans = []
    for res in results:
        if res.get("type") != "labels":
            continue
        value = res["value"]
        start, end = to_cp.get(value["start"]), to_cp.get(value["end"])
        if start is None or end is None:
            raise ValueError(f"offsets {value['start']}-{value['end']} split a character")
        for label in value["labels"]:
            spans.append(Span(start, end, label, text[start:end]))
    return spans


def from_labelstudio(content: str, name: str = "<labelstudio>") -> list[Record]:
    """Parse a Label Studio JSON export; raise :class:`DataError` naming each bad task."""
    try:
        tasks = json.loads(content)
    except json.JSONDecodeError as exc:
        raise DataError([Problem(name, exc.lineno, None, f"bad JSON: {exc.msg}")]) from None
    if not isinstance(tasks, list):
        raise DataError([Problem(name, 1, None, "expected a JSON list of tasks")])
    records, problems = [], []
    for n, task in enumerate(tasks, start=1):
        try:
            data = task["data"]
            text = data["text"]
            rid = str(data.get("id") or task.get("id") or f"ls-{n:04d}")
            records.append(Record(rid, text, sorted(_task_spans(task, text)), str(data.get("source", ""))))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(Problem(name, n, None, f"task {n}: malformed ({exc!r})"))
    if problems:
        raise DataError(problems)
    return records
