"""Keep ``model_card.md`` in step with measured results.

The card has marked sections (``<!-- BEGIN name -->`` ... ``<!-- END name -->``) that
commands rewrite from what they just measured, and Hugging Face front matter whose
``model-index`` holds the last evaluation's figures. Prose outside the markers is
left as written.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from labeling.labels import LABELS
from labeling.records import atomic_write_text


def _split_front_matter(content: str) -> tuple[dict, str]:
    if content.startswith("---\n"):
        end = content.index("\n---\n", 4)
        return yaml.safe_load(content[4:end]) or {}, content[end + 5:]
    return {}, content


def replace_section(body: str, name: str, markdown: str) -> str:
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    block = f"{begin}\n{markdown.rstrip()}\n{end}"
    if begin in body and end in body:
        return body[:body.index(begin)] + block + body[body.index(end) + len(end):]
    return body.rstrip() + "\n\n" + block + "\n"


def model_index(metrics: dict, dataset: str, model_name: str = "arabic-deal-extraction") -> list[dict]:
    results = []
    for level in ("word", "span"):
        m = metrics[level]
        results += [{"type": f"{level}_{k}", "value": round(m[k], 4), "name": f"{level}-level {k} ({metrics['backbone']})"}
                    for k in ("precision", "recall", "f1")]
    return [{"name": model_name, "results": [{
        "task": {"type": "token-classification", "name": "Token Classification"},
        "dataset": {"type": "json", "name": dataset},
        "metrics": results}]}]


def update_model_card(path: str | Path, section: str, markdown: str, index: list[dict] | None = None) -> None:
    path = Path(path)
    content = path.read_text(encoding="utf-8") if path.exists() else ""
    front, body = _split_front_matter(content)
    front.setdefault("language", ["ar"])
    front.setdefault("license", "apache-2.0")
    front.setdefault("pipeline_tag", "token-classification")
    front.setdefault("tags", ["ner", "token-classification", "arabic", "finance"])
    if index is not None:
        front["model-index"] = index
    body = replace_section(body, section, markdown)
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    atomic_write_text(path, f"---\n{header}---\n{body.lstrip()}")


def metrics_table(rows: dict[str, dict], level: str) -> str:
    """A markdown table: one row per system, F1 overall and per label."""
    head = f"| system ({level} level) | P | R | F1 | " + " | ".join(f"{l} F1" for l in LABELS) + " |"
    sep = "|---|" + "---:|" * (3 + len(LABELS))
    lines = [head, sep]
    for name, m in rows.items():
        s = m[level]
        per = " | ".join(f"{s['per_label'][l]['f1']:.3f}" for l in LABELS)
        lines.append(f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {per} |")
    return "\n".join(lines)
