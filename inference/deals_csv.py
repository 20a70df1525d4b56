"""Deals as a spreadsheet: one CSV row per deal.

    python -m inference --model DIR --input news.jsonl --output deals.jsonl --deals
    python -m inference.deals_csv --input deals.jsonl --output deals.csv

The input is the batch CLI's output (with ``--deals``, or without: its spans are then grouped
here), or gold records of version 2 (their annotated deals). Columns: ``document``,
``investors``, ``amount``, ``amount_value``, ``currency``, ``qualifier``, ``valuation``,
``valuation_value``, ``valuation_currency``, ``projects``, ``sentence``. Several names in one
cell are joined with «؛ », several sums (one sum in two currencies) with «; ». The file is
UTF-8 with a byte-order mark, so spreadsheet programs show the Arabic, and a cell never starts
with ``= + - @`` (a spreadsheet would run it as a formula).
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from inference.deals import deal_sentence, deals_from_spans
from labeling.cli import Parser, add_common, add_input, add_output, check_output, parse, run
from labeling.exceptions import DataError
from labeling.records import DEAL_ROLES, Problem, atomic_write_text, iter_jsonl

COLUMNS = (
    "document",
    "investors",
    "amount",
    "amount_value",
    "currency",
    "qualifier",
    "valuation",
    "valuation_value",
    "valuation_currency",
    "projects",
    "sentence",
)
NAMES_JOINER, SUMS_JOINER = "؛ ", "; "
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Text a spreadsheet shows as text: a leading ``= + - @`` would make it a formula (CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def number_cell(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def document_deals(raw: dict) -> list[dict]:
    """A line's deals as :mod:`inference.deals` gives them: as written, from gold indices, or grouped here."""
    text, spans, deals = raw["text"], raw.get("spans") or [], raw.get("deals")
    if deals is None:
        return deals_from_spans(text, spans)
    rows = []
    for deal in deals:
        parts = {role: [spans[i] if isinstance(i, int) else i for i in deal.get(role, [])] for role in DEAL_ROLES}
        if any(parts.values()):
            rows.append({**parts, "sentence": deal.get("sentence") or deal_sentence(text, parts)})
    return rows


def deal_row(doc_id: str, text: str, deal: dict) -> dict[str, str]:
    def names(role: str) -> str:
        return NAMES_JOINER.join(dict.fromkeys(safe_cell(s["text"]) for s in deal[role]))

    def sums(role: str, key: str) -> str:
        cells = [safe_cell(s["text"]) if key == "text" else number_cell(s.get(key)) for s in deal[role]]
        return SUMS_JOINER.join(cells) if key in ("text", "value") else SUMS_JOINER.join(dict.fromkeys(cells))

    start, end = deal["sentence"]
    return {
        "document": safe_cell(doc_id),
        "investors": names("investors"),
        "amount": sums("amounts", "text"),
        "amount_value": sums("amounts", "value"),
        "currency": SUMS_JOINER.join(dict.fromkeys(s.get("currency") or "" for s in deal["amounts"])),
        "qualifier": SUMS_JOINER.join(dict.fromkeys(s.get("qualifier") or "" for s in deal["amounts"])),
        "valuation": sums("valuations", "text"),
        "valuation_value": sums("valuations", "value"),
        "valuation_currency": SUMS_JOINER.join(dict.fromkeys(s.get("currency") or "" for s in deal["valuations"])),
        "projects": names("projects"),
        "sentence": safe_cell(" ".join(text[start:end].split())),
    }


def iter_rows(path: str | Path) -> Iterator[dict[str, str]]:
    """One row per deal of each document of a JSONL file; lines holding a batch error are skipped."""
    for lineno, raw in enumerate(iter_jsonl(path), start=1):
        if isinstance(raw, dict) and "error" in raw:
            continue
        try:
            doc_id = str(raw.get("id") or f"line-{lineno}")
            for deal in document_deals(raw):
                yield deal_row(doc_id, raw["text"], deal)
        except (AttributeError, KeyError, TypeError, IndexError, ValueError) as exc:
            problem = f"not a document with spans and deals ({type(exc).__name__}: {exc})"
            raise DataError([Problem(str(path), lineno, None, problem)]) from None


def to_csv(rows: Sequence[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()


def build_parser() -> Parser:
    parser = Parser(prog="python -m inference.deals_csv", description=__doc__)
    add_input(parser, "JSONL: the batch CLI's output (--deals or not) or gold records of version 2")
    add_output(parser, "CSV file to write")
    add_common(parser)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    args = parse(build_parser(), argv)
    check_output(args.output, args.force, [args.input])
    rows = list(iter_rows(args.input))
    atomic_write_text(args.output, to_csv(rows))
    print(f"wrote {len(rows)} deal(s) to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
