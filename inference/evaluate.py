"""Score a model (and/or the rules baseline) on a gold JSONL file.

    python -m inference.evaluate --model runs/default --input seeds/annotations.jsonl --output-dir runs/eval \\
        --baseline rules

Writes to ``--output-dir``: ``metrics.json`` (word level: seqeval strict IOB2; span level: exact
character spans), ``report.md`` (seqeval report, per-label table, errors grouped by kind
with their sentences) and ``predictions.jsonl`` (valid record format). With
``--baseline rules`` the rules pre-annotator is scored the same way and shown beside
the model (``baseline_metrics.json``, ``baseline_predictions.jsonl``); with ``--html``,
``report.html`` shows gold and predicted spans side by side with the errors marked.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from inference.encoding import CONTEXTS
from inference.error_analysis import KINDS, error_patterns, find_errors, pattern_of, remedy
from inference.metrics import pair_records, score, word_tags
from inference.model import as_spans, load_model
from inference.model_card import metrics_table, model_index, update_model_card
from labeling.cli import (
    Parser,
    add_common,
    add_input,
    add_model,
    add_output_dir,
    check_output_dir,
    command_line,
    parse,
    run,
)
from labeling.exceptions import UsageError
from labeling.preannotate import preannotate
from labeling.records import Record, Span, atomic_write_text, dump_records, load_records

PROG = "python -m inference.evaluate"
RULES = "rules"
MAX_EXAMPLES_PER_KIND = 60
#: Every file evaluate() may write into its folder.
OUTPUT_FILES = (
    "metrics.json",
    "predictions.jsonl",
    "report.md",
    "report.html",
    "baseline_metrics.json",
    "baseline_predictions.jsonl",
)


def predict_records(model, records: Sequence[Record], batch_size: int = 16) -> list[Record]:
    outputs = model.predict_batch([r.text for r in records], batch_size=batch_size)
    return [Record(r.id, r.text, as_spans(spans), r.source) for r, spans in zip(records, outputs)]


def rules_records(records: Sequence[Record]) -> list[Record]:
    return [Record(r.id, r.text, preannotate(r.text), r.source) for r in records]


def _fmt_span(s: Span | None) -> str:
    return "—" if s is None else f"{s.label} «{s.text}»"


def render_report(
    name: str, data: str, gold: Sequence[Record], pred: Sequence[Record], metrics: dict, baseline: dict | None
) -> str:
    gold_tags, pred_tags = word_tags(pair_records(gold, pred))
    seqeval_text = classification_report(gold_tags, pred_tags, mode="strict", scheme=IOB2, digits=3, zero_division=0)
    rows = {name: metrics}
    if baseline is not None:
        rows[RULES] = baseline
    errors = find_errors(gold, pred)
    out = [
        f"# Evaluation of `{name}` on `{data}`",
        "",
        f"Documents: {metrics['n_docs']}. Backbone: `{metrics['backbone']}`.",
        "",
        "## Scores",
        "",
        metrics_table(rows, "word"),
        "",
        metrics_table(rows, "span"),
        "",
        "## seqeval classification report (word level, strict IOB2)",
        "",
        "```",
        seqeval_text.rstrip(),
        "```",
        "",
        "## Ten most frequent error patterns",
        "",
        "| error | label | count | examples (gold / predicted) | what would fix it |",
        "|---|---|---:|---|---|",
    ]
    for pattern, n in error_patterns(errors)[:10]:
        examples = [e for e in errors if pattern_of(e) == pattern][:3]
        shown = "; ".join(f"{_fmt_span(e.gold)} / {_fmt_span(e.pred)}" for e in examples).replace("|", "\\|")
        out.append(f"| {pattern[0]} | {pattern[1]} | {n} | {shown} | {remedy(pattern)} |")
    for kind in KINDS:
        group = [e for e in errors if e.kind == kind]
        out += ["", f"## {kind.capitalize()} ({len(group)})", ""]
        if group:
            out += ["| doc | gold | predicted | sentence |", "|---|---|---|---|"]
        for e in group[:MAX_EXAMPLES_PER_KIND]:
            sentence = " ".join(e.sentence.split()).replace("|", "\\|")
            out.append(f"| {e.doc_id} | {_fmt_span(e.gold)} | {_fmt_span(e.pred)} | {sentence} |")
        if len(group) > MAX_EXAMPLES_PER_KIND:
            out.append(f"\n… and {len(group) - MAX_EXAMPLES_PER_KIND} more.")
    return "\n".join(out) + "\n"


def evaluate(
    model_dir: str | None,
    data: str,
    out: str,
    baseline: str | None = None,
    model_card: str | None = None,
    html: bool = False,
    context: str | None = None,
    command: str | None = None,
) -> dict:
    """Score on the gold file ``data``, write the files into ``out``; return the metrics.

    ``command`` is the command line shown in the model card as how the figures were made
    (the caller knows it; by default an equivalent one is spelled out).
    """
    gold = load_records(data)
    out_dir = Path(out)
    base_metrics = None
    if baseline == RULES:
        base_pred = rules_records(gold)
        base_metrics = {**score(gold, base_pred), "backbone": RULES}
    if model_dir is not None:
        model = load_model(model_dir, context=context)
        pred = predict_records(model, gold)
        metrics = {**score(gold, pred), "backbone": model.backbone, "context": model.context}
        name = str(model_dir)
        if base_metrics is not None:
            atomic_write_text(out_dir / "baseline_metrics.json", json.dumps(base_metrics, indent=2))
            atomic_write_text(out_dir / "baseline_predictions.jsonl", dump_records(base_pred))
    elif base_metrics is not None:
        pred, metrics, name, base_metrics = base_pred, base_metrics, RULES, None
    else:
        raise UsageError("give --model DIR, --baseline rules, or both")
    atomic_write_text(out_dir / "metrics.json", json.dumps(metrics, indent=2))
    atomic_write_text(out_dir / "predictions.jsonl", dump_records(pred))
    atomic_write_text(out_dir / "report.md", render_report(name, data, gold, pred, metrics, base_metrics))
    if html:
        from inference.render import render_page

        atomic_write_text(out_dir / "report.html", render_page(pred, gold, title=f"{name} on {data}"))
    if model_card:
        rows = {f"model ({metrics['backbone']})": metrics}
        if base_metrics is not None:
            rows[RULES] = base_metrics
        command = command or f"{PROG} --model {model_dir} --input {data} --output-dir {out}"
        section = "\n".join(
            [
                f"Evaluation on `{data}` ({metrics['n_docs']} documents), written by:",
                "",
                f"```bash\n{command}\n```",
                "",
                metrics_table(rows, "word"),
                "",
                metrics_table(rows, "span"),
            ]
        )
        update_model_card(model_card, "evaluation", section, model_index(metrics, data))
    return metrics


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description=__doc__)
    add_model(parser, "model directory", required=False)
    add_input(parser, "gold JSONL file", aliases=["--data"])
    add_output_dir(parser, "folder for metrics.json, report.md and predictions.jsonl", aliases=["--out"])
    parser.add_argument("--baseline", choices=[RULES], default=None, help="also score the rules pre-annotator")
    parser.add_argument(
        "--model-card", default=None, metavar="FILE", help="update this model card's evaluation section"
    )
    parser.add_argument("--html", action="store_true", help="also write report.html: gold and predicted side by side")
    parser.add_argument(
        "--context",
        choices=CONTEXTS,
        default=None,
        help="read each document whole or sentence by sentence (default: as the model was trained)",
    )
    add_common(parser)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parse(parser, argv)
    check_output_dir(args.output_dir, args.force, [args.input], writes=OUTPUT_FILES)
    metrics = evaluate(
        args.model,
        args.input,
        args.output_dir,
        args.baseline,
        args.model_card,
        args.html,
        args.context,
        command=command_line(PROG, parser.modernize(argv)[0]),
    )
    print(
        f"{metrics['backbone']}: word F1 {metrics['word']['f1']:.4f}, span F1 {metrics['span']['f1']:.4f} "
        f"on {metrics['n_docs']} documents; wrote {args.output_dir}/metrics.json, report.md, predictions.jsonl"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
