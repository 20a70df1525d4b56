"""Model cards written from measured results, never by hand.

``model_card.md`` has marked sections (``<!-- BEGIN name -->`` ... ``<!-- END name -->``) that
commands rewrite from what they just measured, and Hugging Face front matter whose
``model-index`` holds the last evaluation's figures. Prose outside the markers is
left as written. :func:`directory_card` is the ``README.md`` training writes into every model
directory, from the run's own dev scores, so a directory shared alone still says what it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from inference.encoding import WindowSettings
from labeling.labels import LABELS
from labeling.records import atomic_write_text


def _split_front_matter(content: str) -> tuple[dict, str]:
    if content.startswith("---\n"):
        end = content.index("\n---\n", 4)
        return yaml.safe_load(content[4:end]) or {}, content[end + 5 :]
    return {}, content


def replace_section(body: str, name: str, markdown: str) -> str:
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    block = f"{begin}\n{markdown.rstrip()}\n{end}"
    if begin in body and end in body:
        return body[: body.index(begin)] + block + body[body.index(end) + len(end) :]
    return body.rstrip() + "\n\n" + block + "\n"


def model_index(
    metrics: dict, dataset: str, model_name: str = "arabic-deal-extraction", split: str | None = None
) -> list[dict]:
    """Hugging Face ``model-index`` results. Word-level figures carry seqeval's names (``precision``, ``recall``,
    ``f1``, ``accuracy`` when measured), the names users compare across token classifiers; exact-span figures
    are ``span_precision``, ``span_recall`` and ``span_f1``."""
    results = []
    for level, prefix in (("word", ""), ("span", "span_")):
        m = metrics[level]
        results += [
            {"type": prefix + k, "value": round(m[k], 4), "name": f"{level}-level {k} ({metrics['backbone']})"}
            for k in ("precision", "recall", "f1", "accuracy")
            if k in m
        ]
    data = {"type": "json", "name": dataset, **({"split": split} if split else {})}
    return [
        {
            "name": model_name,
            "results": [
                {
                    "task": {"type": "token-classification", "name": "Token Classification"},
                    "dataset": data,
                    "metrics": results,
                }
            ],
        }
    ]


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
    head = f"| system ({level} level) | P | R | F1 | " + " | ".join(f"{label} F1" for label in LABELS) + " |"
    sep = "|---|" + "---:|" * (3 + len(LABELS))
    lines = [head, sep]
    for name, m in rows.items():
        s = m[level]
        per = " | ".join(f"{s['per_label'][label]['f1']:.3f}" for label in LABELS)
        lines.append(f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {per} |")
    return "\n".join(lines)


def deals_table(rows: dict[str, dict]) -> str:
    """A markdown table of money values and deal links, one row per system (its ``deal_scores``)."""
    lines = [
        "| system | money values right (gold spans) | link P / R / F1, gold spans | link P / R / F1, end to end |",
        "|---|---:|---:|---:|",
    ]
    for name, d in rows.items():
        gold, e2e = d["links_gold_spans"], d["links_end_to_end"]
        lines.append(
            f"| {name} | {d['money']['accuracy']:.3f} ({d['money']['n']}) "
            f"| {gold['precision']:.3f} / {gold['recall']:.3f} / {gold['f1']:.3f} "
            f"| {e2e['precision']:.3f} / {e2e['recall']:.3f} / {e2e['f1']:.3f} |"
        )
    return "\n".join(lines)


#: What each label marks (ANNOTATION_GUIDELINES.md has the full rules).
LABEL_MEANINGS: dict[str, str] = {
    "INVESTOR": "the party that gives, commits or negotiates to give money: company, fund, bank, government or person",
    "AMOUNT": "a sum of money invested, committed, raised or sought (not revenue, prices, costs or market sizes)",
    "VALUATION": "the value put on the company or project by the deal or the round",
    "PROJECT": "what the money goes into: the company that raises or receives it, or the named project it funds",
}
#: A backbone built from nothing has no base model to point to (``training.backbone.SCRATCH``).
SCRATCH = "scratch"
EXAMPLE = "استثمرت مبادلة ٥٠٠ مليون دولار في شركة تمارا"


@dataclass(frozen=True)
class TrainingRun:
    """What a training run knows when it saves a model: the directory's card is written from this alone."""

    backbone: str  # the backbone actually used: a hub id, an offline name, a local directory, scratch
    settings: WindowSettings
    train_files: tuple[str, ...]
    dev_files: tuple[str, ...]  # empty: the dev documents were held out of the training files
    n_train: int  # training documents, augmented copies included
    n_dev: int
    best_epoch: int
    dev: dict | None  # the dev scores of inference.metrics.score; None when there was no dev set
    location: str  # the directory, as the user named it (for the usage lines)
    augment_copies: int = 0
    note: str = ""  # why the backbone is not the one asked for, if it is not


def _documents(n: int) -> str:
    return f"{n} document" + ("" if n == 1 else "s")


def base_model(backbone: str) -> str | None:
    """The card's ``base_model``: a hub id or an offline name; none for scratch or a local directory."""
    return None if backbone == SCRATCH or Path(backbone).expanduser().exists() else backbone


def dev_data(run: TrainingRun) -> str | None:
    if run.dev is None:
        return None
    if run.dev_files:
        return ", ".join(run.dev_files)
    return f"{_documents(run.n_dev)} held out of " + ", ".join(run.train_files)


def card_front_matter(run: TrainingRun) -> dict:
    front: dict[str, Any] = {
        "language": "ar",
        "license": "apache-2.0",
        "library_name": "transformers",
        "pipeline_tag": "token-classification",
        "tags": ["token-classification", "ner", "arabic", "finance", "deal-extraction"],
    }
    if base_model(run.backbone):
        front["base_model"] = base_model(run.backbone)
    if run.dev is not None:
        front["model-index"] = model_index({**run.dev, "backbone": run.backbone}, dev_data(run) or "dev", split="dev")
    return front


def dev_scores_table(dev: dict) -> str:
    """Per label and overall: word-level precision, recall and F1 (seqeval strict IOB2), exact-span F1, gold spans."""
    word, span = dev["word"], dev["span"]
    lines = ["| label | word P | word R | word F1 | span F1 | gold spans |", "|---|---:|---:|---:|---:|---:|"]
    for label in LABELS:
        w, s = word["per_label"][label], span["per_label"][label]
        lines.append(
            f"| `{label}` | {w['precision']:.3f} | {w['recall']:.3f} | {w['f1']:.3f} | {s['f1']:.3f} | {w['support']} |"
        )
    total = sum(word["per_label"][label]["support"] for label in LABELS)
    lines.append(
        f"| all (micro) | {word['precision']:.3f} | {word['recall']:.3f} | {word['f1']:.3f} "
        f"| {span['f1']:.3f} | {total} |"
    )
    return "\n".join(lines)


def _dev_line(run: TrainingRun) -> str:
    if run.dev is None:
        return "- Dev data: none"
    if run.dev_files:
        return "- Dev data: " + ", ".join(f"`{f}`" for f in run.dev_files) + f" ({_documents(run.n_dev)})"
    return f"- Dev data: {_documents(run.n_dev)} held out of the training files (whole documents, seeded)"


def _training_section(run: TrainingRun) -> list[str]:
    reads = "whole documents" if run.settings.context == "document" else "one sentence at a time"
    augmented = f", augmented copies included: `augment_copies: {run.augment_copies}`" if run.augment_copies else ""
    files = ", ".join(f"`{f}`" for f in run.train_files)
    kept = (
        f"epoch {run.best_epoch}, the one with the best dev word F1"
        if run.dev is not None
        else f"epoch {run.best_epoch}, the last one (no dev set to choose by)"
    )
    return [
        "## Training",
        "",
        f"- Backbone: `{run.backbone}`" + (f" ({run.note})" if run.note else ""),
        f"- Windows: at most {run.settings.max_length} sub-tokens, {run.settings.stride} shared by neighbouring "
        f"windows; it reads {reads} (`windows` in `config.json`, which inference reads)",
        f"- Training data: {files} ({_documents(run.n_train)}{augmented})",
        _dev_line(run),
        f"- Kept: {kept}",
    ]


def _scores_section(run: TrainingRun) -> list[str]:
    if run.dev is None:
        command = f"python -m inference.evaluate --model {run.location} --data GOLD.jsonl --out EVAL_DIR"
        return [
            "## Dev scores",
            "",
            "This run had no dev documents, so this card gives no scores. To measure it:",
            "",
            f"```bash\n{command}\n```",
        ]
    return [
        "## Dev scores",
        "",
        f"Dev-split figures, measured by the training run itself when it saved this model (epoch "
        f"{run.best_epoch}) on {dev_data(run)}: not a test-set evaluation, and the dev split chose the epoch. "
        "Word level is seqeval's strict IOB2 (the `model-index` above); span level counts exact character spans.",
        "",
        dev_scores_table(run.dev),
    ]


def _usage_section(run: TrainingRun) -> list[str]:
    where, text = (json.dumps(s, ensure_ascii=False) for s in (run.location, EXAMPLE))
    return [
        "## Use",
        "",
        "With this project's `inference` package installed:",
        "",
        "```python",
        "from inference import load_model",
        "",
        f"model = load_model({where})",
        f'model.predict({text})    # [{{"label", "text", "start", "end", "score"}}]',
        "```",
        "",
        "```python",
        'import inference.pipeline                     # registers the task "deal-extraction"',
        "from transformers import pipeline",
        "",
        f'pipe = pipeline("deal-extraction", model={where})',
        f'pipe({text})    # [{{"entity_group", "score", "word", "start", "end"}}]',
        "```",
        "",
        'Both give the same spans. The stock `pipeline("token-classification")` loads this directory too, but '
        "groups sub-words itself and returns fragments.",
    ]


def directory_card(run: TrainingRun) -> str:
    """The ``README.md`` of a trained model directory: Hugging Face front matter (with the dev scores as
    ``model-index``), what the model extracts, how it was trained, its dev scores and how to use it."""
    header = yaml.safe_dump(card_front_matter(run), allow_unicode=True, sort_keys=False)
    labels = ["| label | marks |", "|---|---|"] + [f"| `{label}` | {LABEL_MEANINGS[label]} |" for label in LABELS]
    body = [
        f"# Arabic deal extraction ({run.backbone})",
        "",
        "A token classifier for Arabic business news. It marks four kinds of character spans:",
        "",
        *labels,
        "",
        *_training_section(run),
        "",
        *_scores_section(run),
        "",
        *_usage_section(run),
    ]
    return f"---\n{header}---\n" + "\n".join(body) + "\n"
