"""A self-contained right-to-left HTML page with each span highlighted in its label's colour.

    python -m inference.render --model runs/default --input news.jsonl --output page.html
    python -m inference.render --predictions runs/eval/predictions.jsonl --gold seeds/annotations.jsonl \\
        --output eval.html

With ``--gold``, gold and predicted spans are shown side by side and errors are marked
(missed: dashed outline on the gold side; spurious, wrong boundary, wrong label: red
outline on the predicted side). A span's label and score show on hover.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Sequence
from pathlib import Path

from inference.error_analysis import find_errors
from inference.model import as_spans, load_model
from labeling.cli import Parser, add_common, add_input, add_model, add_output, check_output, parse, run
from labeling.exceptions import UsageError
from labeling.labels import LABELS, spec_of
from labeling.records import Record, Span, atomic_write_text, load_records

#: Label colours, from the schema (solid backgrounds, so a screenshot can find them).
COLOURS: dict[str, tuple[int, int, int]] = {label: spec_of(label).colour for label in LABELS}

_CSS = """
body { font-family: 'Noto Naskh Arabic', 'DejaVu Sans', Arial, sans-serif; margin: 2em; line-height: 2; }
.doc { border-bottom: 1px solid #ccc; padding: 1em 0; }
.text { white-space: pre-wrap; font-size: 18px; }
.pair { display: flex; gap: 2em; } .pair > div { flex: 1; }
mark { padding: 0 2px; border-radius: 3px; color: #000; }
mark.error { outline: 3px solid #d00000; } mark.missed { outline: 3px dashed #d00000; }
.legend mark { margin-inline-end: 1em; } h2 { font-size: 14px; color: #555; direction: ltr; text-align: left; }
""" + "".join(f"mark.{label} {{ background: rgb{COLOURS[label]}; }}\n" for label in LABELS)


def _marked(
    text: str,
    spans: Sequence[Span],
    scores: dict[tuple[int, int, str], float],
    flagged: dict[tuple[int, int, str], str],
) -> str:
    out, cursor = [], 0
    for s in sorted(spans):
        key = (s.start, s.end, s.label)
        title = s.label + (f" {scores[key]:.2f}" if key in scores else "")
        if key in flagged:
            title += f" ({flagged[key]})"
        cls = f"{s.label} {'missed' if flagged.get(key) == 'missed' else 'error' if key in flagged else ''}".strip()
        out.append(html.escape(text[cursor : s.start]))
        out.append(f'<mark class="{cls}" title="{html.escape(title)}">{html.escape(text[s.start : s.end])}</mark>')
        cursor = s.end
    out.append(html.escape(text[cursor:]))
    return "".join(out)


def render_page(
    predicted: Sequence[Record],
    gold: Sequence[Record] | None = None,
    scores: dict[str, dict[tuple[int, int, str], float]] | None = None,
    title: str = "Deal spans",
) -> str:
    scores = scores or {}
    legend = " ".join(f'<mark class="{label}">{label}</mark>' for label in LABELS)
    head = f'<head><meta charset="utf-8"><title>{html.escape(title)}</title>'
    parts = [
        f'<!DOCTYPE html>\n<html dir="rtl" lang="ar">{head}',
        f"<style>{_CSS}</style></head><body>",
        f'<div class="legend">{legend}</div>',
    ]
    gold_by_id = {r.id: r for r in gold} if gold is not None else {}
    for rec in predicted:
        doc_scores = scores.get(rec.id, {})
        parts.append(f'<div class="doc"><h2>{html.escape(rec.id)}</h2>')
        if rec.id in gold_by_id:
            g = gold_by_id[rec.id]
            errors = find_errors([g], [rec])
            pred_flags = {(e.pred.start, e.pred.end, e.pred.label): e.kind for e in errors if e.pred is not None}
            gold_flags = {
                (e.gold.start, e.gold.end, e.gold.label): e.kind
                for e in errors
                if e.kind == "missed" and e.gold is not None
            }
            parts.append(
                '<div class="pair"><div><h2>gold</h2><div class="text">'
                + _marked(g.text, g.spans, {}, gold_flags)
                + '</div></div><div><h2>predicted</h2><div class="text">'
                + _marked(rec.text, rec.spans, doc_scores, pred_flags)
                + "</div></div></div>"
            )
        else:
            parts.append('<div class="text">' + _marked(rec.text, rec.spans, doc_scores, {}) + "</div>")
        parts.append("</div>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def records_from_predictions(texts: Sequence[tuple[str, str]], outputs: Sequence[list[dict]]):
    records, scores = [], {}
    for (rid, text), spans in zip(texts, outputs):
        records.append(Record(rid, text, as_spans(spans)))
        scores[rid] = {(s["start"], s["end"], s["label"]): s["score"] for s in spans}
    return records, scores


def build_parser() -> Parser:
    parser = Parser(prog="python -m inference.render", description=__doc__)
    add_model(parser, "model directory, to predict --input", required=False)
    add_input(parser, "JSONL records (their 'text') or a .txt file to predict", required=False)
    parser.add_argument("--predictions", default=None, metavar="FILE", help="JSONL records already predicted")
    parser.add_argument("--gold", default=None, metavar="FILE", help="gold JSONL: show gold and predicted side by side")
    add_output(parser, "HTML file to write", aliases=["--out"])
    add_common(parser)
    return parser


def _texts(path: Path) -> list[tuple[str, str]]:
    """(id, text) of each record of a JSONL file, or of each non-blank line of a text file."""
    if path.suffix == ".jsonl":
        return [(r.id, r.text) for r in load_records(path)]
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"cannot read {path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return [(f"line-{i}", line) for i, line in enumerate(content.splitlines(), start=1) if line.strip()]


@run
def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parse(parser, argv)
    if not (args.predictions or args.input):
        parser.error("give --input (with --model) or --predictions")
    check_output(args.output, args.force, [args.input, args.predictions, args.gold])
    gold = load_records(args.gold) if args.gold else None
    if args.predictions:
        predicted, scores = load_records(args.predictions), {}
    else:
        texts = _texts(Path(args.input))
        model = load_model(args.model)
        predicted, scores = records_from_predictions(texts, model.predict_batch([t for _, t in texts]))
    atomic_write_text(args.output, render_page(predicted, gold, scores))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
