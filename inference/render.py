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
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from inference.batch import iter_documents
from inference.deals import indexed_deals
from inference.error_analysis import find_errors
from inference.model import as_spans, load_model
from labeling.cli import Parser, add_common, add_input, add_model, add_output, check_output, parse, run
from labeling.exceptions import DataError
from labeling.labels import LABELS, is_money, spec_of
from labeling.link import Linker
from labeling.money import read_money
from labeling.records import Problem, Record, Span, atomic_write_text, iter_jsonl, load_records, parse_record

log = logging.getLogger(__name__)

#: Label colours, from the schema (solid backgrounds, so a screenshot can find them).
COLOURS: dict[str, tuple[int, int, int]] = {label: spec_of(label).colour for label in LABELS}

_CSS = """
body { font-family: 'Noto Naskh Arabic', 'DejaVu Sans', Arial, sans-serif; margin: 2em; line-height: 2; }
.doc { border-bottom: 1px solid #ccc; padding: 1em 0; }
.text { white-space: pre-wrap; font-size: 18px; }
.pair { display: flex; gap: 2em; } .pair > div { flex: 1; }
mark { padding: 0 2px; border-radius: 3px; color: #000; }
mark.error { outline: 3px solid #d00000; } mark.missed { outline: 3px dashed #d00000; }
.legend mark { margin-inline-end: 1em; }
sup.deal { color: #555; font-size: 11px; margin-inline-start: 1px; }
ol.deals { font-size: 15px; margin: 0.5em 0; } .role { color: #555; font-size: 12px; } .link { color: #999; }
h2 { font-size: 14px; color: #555; direction: ltr; text-align: left; }
""" + "".join(f"mark.{label} {{ background: rgb{COLOURS[label]}; }}\n" for label in LABELS)


def _deal_numbers(record: Record) -> dict[tuple[int, int, str], list[int]]:
    """Each span's deals, numbered from 1 in the record's order (a span may sit in two)."""
    numbers: dict[tuple[int, int, str], list[int]] = {}
    for n, deal in enumerate(record.deals or [], start=1):
        for _, indices in deal.roles():
            for i in indices:
                s = record.spans[i]
                numbers.setdefault((s.start, s.end, s.label), []).append(n)
    return numbers


def _money_note(record: Record, span: Span) -> str:
    money = span.money or read_money(record.text, span.start, span.end)
    if money.value is None:
        return f" ({' '.join(filter(None, ['value unknown', money.currency, money.qualifier]))})"
    value = f"{money.value:,}" if isinstance(money.value, int) else f"{money.value:,.2f}"
    return f" ({' '.join(filter(None, [value, money.currency, money.qualifier]))})"


def _deal_list(record: Record) -> str:
    """The record's deals as links between coloured spans: investors → sums → projects."""
    if not record.deals:
        return ""
    items = []
    for n, deal in enumerate(record.deals, start=1):
        parts = []
        for role, indices in deal.roles():
            if not indices:
                continue
            names = []
            for i in dict.fromkeys(indices, None):
                s = record.spans[i]
                if any(record.spans[j].text == s.text for j in indices[: indices.index(i)]):
                    continue  # a name repeated in the passage is listed once
                note = _money_note(record, s) if is_money(s.label) else ""
                names.append(f'<mark class="{s.label}">{html.escape(s.text)}</mark>{html.escape(note)}')
            parts.append(f'<span class="role">{role}:</span> ' + "، ".join(names))
        items.append(f'<li value="{n}">' + ' <span class="link">←</span> '.join(parts) + "</li>")
    return '<ol class="deals">' + "".join(items) + "</ol>"


def _marked(
    text: str,
    spans: Sequence[Span],
    scores: dict[tuple[int, int, str], float],
    flagged: dict[tuple[int, int, str], str],
    deals: dict[tuple[int, int, str], list[int]] | None = None,
) -> str:
    out, cursor = [], 0
    deals = deals or {}
    for s in sorted(spans):
        key = (s.start, s.end, s.label)
        title = s.label + (f" {scores[key]:.2f}" if key in scores else "")
        if key in flagged:
            title += f" ({flagged[key]})"
        cls = f"{s.label} {'missed' if flagged.get(key) == 'missed' else 'error' if key in flagged else ''}".strip()
        out.append(html.escape(text[cursor : s.start]))
        out.append(f'<mark class="{cls}" title="{html.escape(title)}">{html.escape(text[s.start : s.end])}</mark>')
        if key in deals:
            out.append(f'<sup class="deal">{",".join(map(str, deals[key]))}</sup>')
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
                + _marked(g.text, g.spans, {}, gold_flags, _deal_numbers(g))
                + "</div>"
                + _deal_list(g)
                + '</div><div><h2>predicted</h2><div class="text">'
                + _marked(rec.text, rec.spans, doc_scores, pred_flags, _deal_numbers(rec))
                + "</div>"
                + _deal_list(rec)
                + "</div></div>"
            )
        else:
            marked = _marked(rec.text, rec.spans, doc_scores, {}, _deal_numbers(rec))
            parts.append('<div class="text">' + marked + "</div>" + _deal_list(rec))
        parts.append("</div>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def records_from_predictions(
    texts: Sequence[tuple[str, str]], outputs: Sequence[list[dict]], linker: Linker | None = None
):
    """Records of predicted spans (their scores apart); with a ``linker``, their deals too."""
    records, scores = [], {}
    for (rid, text), spans in zip(texts, outputs):
        found = as_spans(spans)
        records.append(Record(rid, text, found, deals=linker(text, found) if linker else None))
        scores[rid] = {(s["start"], s["end"], s["label"]): s["score"] for s in spans}
    return records, scores


def build_parser() -> Parser:
    parser = Parser(prog="python -m inference.render", description=__doc__)
    add_model(parser, "model directory, to predict --input", required=False)
    add_input(parser, "JSONL records (their 'text') or a .txt file to predict", required=False)
    parser.add_argument("--predictions", default=None, metavar="FILE", help="JSONL records already predicted")
    parser.add_argument("--gold", default=None, metavar="FILE", help="gold JSONL: show gold and predicted side by side")
    parser.add_argument(
        "--deals", action="store_true", help="with --model: also group the spans into deals and draw their links"
    )
    add_output(parser, "HTML file to write", aliases=["--out"])
    add_common(parser)
    return parser


def _texts(path: Path) -> list[tuple[str, str]]:
    """(id, text) of each document, read as the batch CLI reads it; an unreadable line is skipped with a warning."""
    texts = []
    for doc in iter_documents(path):
        if doc.error is not None or doc.id is None or doc.text is None:
            log.warning(f"{path}:{doc.line}: skipped: {doc.error}")
            continue
        texts.append((doc.id, doc.text))
    return texts


def load_predictions(path: str | Path) -> list[Record]:
    """Records of a predictions file: gold-format records, or the batch CLI's output (its deals included).

    The batch CLI writes each deal's parts as span dicts; they become indices into the spans here.
    Error lines of a batch run are left out.
    """
    records = []
    for lineno, raw in enumerate(iter_jsonl(path), start=1):
        if isinstance(raw, dict) and "error" in raw:
            continue
        try:
            if isinstance(raw, dict) and raw.get("deals"):
                raw = {**raw, "deals": indexed_deals(raw["spans"], raw["deals"])}
            records.append(parse_record(raw))
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError([Problem(str(path), lineno, None, str(exc))]) from None
    return records


@run
def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parse(parser, argv)
    if not (args.predictions or args.input):
        parser.error("give --input (with --model) or --predictions")
    check_output(args.output, args.force, [args.input, args.predictions, args.gold])
    gold = load_records(args.gold) if args.gold else None
    if args.predictions:
        predicted, scores = load_predictions(args.predictions), {}
    else:
        texts = _texts(Path(args.input))
        model = load_model(args.model)
        outputs = model.predict_batch([t for _, t in texts])
        predicted, scores = records_from_predictions(texts, outputs, model.linker if args.deals else None)
    atomic_write_text(args.output, render_page(predicted, gold, scores))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
