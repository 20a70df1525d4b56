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
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from inference.encoding import CONTEXTS
from inference.error_analysis import KINDS, error_patterns, find_errors, pattern_of, remedy
from inference.linking import PairLinker
from inference.metrics import deal_scores, pair_records, score, word_tags
from inference.model import as_spans, load_model
from inference.model_card import deals_table, metrics_table, model_index, update_model_card
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
from labeling.link import Linker, link_by_sentence
from labeling.preannotate import preannotate
from labeling.records import Record, Span, atomic_write_text, dump_records, load_records

log = logging.getLogger(__name__)

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
    """Predicted records; where the gold has deals (version 2), the predicted spans are linked into deals too."""
    outputs = model.predict_batch([r.text for r in records], batch_size=batch_size)
    return [_linked(r, as_spans(spans), model.linker) for r, spans in zip(records, outputs)]


def rules_records(records: Sequence[Record]) -> list[Record]:
    return [_linked(r, preannotate(r.text), link_by_sentence) for r in records]


def _linked(gold: Record, spans: list[Span], linker: Linker) -> Record:
    deals = linker(gold.text, spans) if gold.deals is not None else None
    return Record(gold.id, gold.text, spans, gold.source, deals=deals)


def linker_name(linker: Linker) -> str:
    return "pair linker" if isinstance(linker, PairLinker) else "sentence linker"


def _deal_metrics(gold: Sequence[Record], pred: Sequence[Record], linker: Linker) -> dict:
    """``{"deals": ...}`` when the gold has deals (version 2), else nothing; a learned linker is also shown
    beside the sentence baseline on the same spans (``"deals_by_sentence"``)."""
    deals = deal_scores(gold, pred, linker)
    if not deals:
        return {}
    out = {"deals": {"linker": linker_name(linker), **deals}}
    if linker is not link_by_sentence:
        out["deals_by_sentence"] = {"linker": linker_name(link_by_sentence), **(deal_scores(gold, pred) or {})}
    return out


def deal_rows(name: str, metrics: dict, baseline: dict | None) -> dict[str, dict]:
    """The rows of the deals table: the model with its linker (and the sentence baseline), the rules."""
    rows = {}
    for key in ("deals", "deals_by_sentence"):
        if metrics.get(key):
            rows[f"{name} + {metrics[key]['linker']}"] = metrics[key]
    if baseline is not None and baseline.get("deals"):
        rows[f"{RULES} + {baseline['deals']['linker']}"] = baseline["deals"]
    return rows


def seen_in_training(model_dir: str | Path, gold: Sequence[Record]) -> list[str]:
    """Ids of ``gold`` documents used in training the model: its ``metrics.json`` ``train_ids`` and ``dev_ids``.

    Scores on training documents overstate what the model does on new text, so evaluate says so.
    Development documents count too: they chose the epoch kept. Augmented copies count as their
    original (``newsA-001-aug0`` is ``newsA-001``).
    """
    path = Path(model_dir) / "metrics.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        train_ids = [*stored.get("train_ids", []), *stored.get("dev_ids", [])]
    except (OSError, ValueError, AttributeError, TypeError):
        return []  # a model without training metrics (exported, converted): nothing to check
    seen = {str(i) for i in train_ids} | {re.sub(r"-aug\d+$", "", str(i)) for i in train_ids}
    return [r.id for r in gold if r.id in seen]


def overlap_warning(seen: Sequence[str], n_docs: int) -> str:
    shown = ", ".join(seen[:5]) + (", …" if len(seen) > 5 else "")
    return (
        f"{len(seen)} of {n_docs} evaluated documents were used in training this model, as training or "
        f"development documents ({shown}); these scores overstate its quality on new text: evaluate on "
        "documents it never saw (data/splits/test.jsonl)"
    )


def _fmt_span(s: Span | None) -> str:
    return "—" if s is None else f"{s.label} «{s.text}»"


def seqeval_report(gold_tags: list[list[str]], pred_tags: list[list[str]]) -> str:
    """seqeval's report, or a line saying why there is none: it fails when neither side has a span."""
    if not any(tag != "O" for tags in (*gold_tags, *pred_tags) for tag in tags):
        return "no spans in the gold or the predictions: nothing to report per label"
    return classification_report(gold_tags, pred_tags, mode="strict", scheme=IOB2, digits=3, zero_division=0)


def render_report(
    name: str, data: str, gold: Sequence[Record], pred: Sequence[Record], metrics: dict, baseline: dict | None
) -> str:
    gold_tags, pred_tags = word_tags(pair_records(gold, pred))
    seqeval_text = seqeval_report(gold_tags, pred_tags)
    rows = {name: metrics}
    if baseline is not None:
        rows[RULES] = baseline
    errors = find_errors(gold, pred)
    out = [
        f"# Evaluation of `{name}` on `{data}`",
        "",
        f"Documents: {metrics['n_docs']}. Backbone: `{metrics['backbone']}`.",
        "",
        *(
            [f"> **Warning: {overlap_warning(metrics['seen_in_training'], metrics['n_docs'])}**", ""]
            if metrics.get("seen_in_training")
            else []
        ),
        "## Scores",
        "",
        metrics_table(rows, "word"),
        "",
        metrics_table(rows, "span"),
        "",
        *(
            [
                "## Deals: money values and links",
                "",
                "Money values: the parser on the gold AMOUNT and VALUATION spans (value, currency and qualifier "
                "all right). Links: every pair of spans in one deal; with gold spans the linker alone is scored, "
                "end to end it links the predicted spans.",
                "",
                deals_table(deal_rows(name, metrics, baseline)),
                "",
            ]
            if metrics.get("deals")
            else []
        ),
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
        base_metrics.update(_deal_metrics(gold, base_pred, link_by_sentence))
    if model_dir is not None:
        model = load_model(model_dir, context=context)
        pred = predict_records(model, gold)
        metrics = {**score(gold, pred), "backbone": model.backbone, "context": model.context}
        metrics.update(_deal_metrics(gold, pred, model.linker))
        seen = seen_in_training(model_dir, gold)
        if seen:
            metrics["seen_in_training"] = seen
            log.warning(overlap_warning(seen, len(gold)))
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
                *(
                    ["", deals_table(deal_rows(f"model ({metrics['backbone']})", metrics, base_metrics))]
                    if metrics.get("deals")
                    else []
                ),
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
    if metrics.get("deals"):
        deals = metrics["deals"]
        print(
            f"deals ({deals['linker']}): money values right {deals['money']['accuracy']:.4f} "
            f"on {deals['money']['n']} gold sums; "
            f"link F1 {deals['links_gold_spans']['f1']:.4f} with gold spans, "
            f"{deals['links_end_to_end']['f1']:.4f} end to end"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
