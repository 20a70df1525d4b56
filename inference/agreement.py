"""Agreement between two annotators of the same passages, scored as the model is scored.

    python -m inference.agreement --first-annotator data/agreement/v2_first_annotator.jsonl \\
        --second-annotator data/agreement/v2_second_annotator.jsonl --output agreement.md

Span agreement is the exact-span F1 of one annotator against the other, overall and per label (F1
is symmetric, so it does not matter which is "gold"); deal-link agreement is the F1 of their links
(every pair of spans in one deal); money agreement is how often both read a sum they both marked
the same way. Only passages both annotated (same id and text) are compared.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from inference.metrics import link_scores, money_scores, span_scores
from labeling.cli import Parser, add_common, add_output, check_output, parse, run
from labeling.exceptions import DataError
from labeling.labels import LABELS
from labeling.records import Problem, Record, atomic_write_text, load_records


def paired(first: Sequence[Record], second: Sequence[Record], name: str) -> list[tuple[Record, Record]]:
    """The passages both files hold, in the first file's order; a passage whose text differs is an error."""
    by_id = {r.id: r for r in second}
    pairs = [(r, by_id[r.id]) for r in first if r.id in by_id]
    changed = [a.id for a, b in pairs if a.text != b.text]
    if changed:
        raise DataError([Problem(name, 0, rid, "the two annotators' texts differ") for rid in changed])
    return pairs


def agreement(pairs: Sequence[tuple[Record, Record]]) -> dict:
    """Span F1 (overall and per label), deal-link F1 and money agreement of two annotations."""
    spans = span_scores(pairs)
    with_deals = [(a, b) for a, b in pairs if a.deals is not None and b.deals is not None]
    return {
        "n_docs": len(pairs),
        "spans": spans,
        "links": link_scores(with_deals) if with_deals else None,
        "money": money_scores(pairs),
    }


def report(result: dict, first: str, second: str) -> str:
    spans, links, money = result["spans"], result["links"], result["money"]
    lines = [
        f"Agreement of `{second}` with `{first}` on {result['n_docs']} passages.",
        "",
        "| what | F1 | support (first annotator) |",
        "|---|---:|---:|",
        f"| spans, all labels | {spans['f1']:.3f} | {sum(v['support'] for v in spans['per_label'].values())} |",
        *(
            f"| spans, {label} | {spans['per_label'][label]['f1']:.3f} | {spans['per_label'][label]['support']} |"
            for label in LABELS
        ),
    ]
    if links is not None:
        lines.append(f"| deal links | {links['f1']:.3f} | {links['support']} |")
    lines += [
        "",
        f"Money values on the {money['n']} sums both marked: all three fields the same {money['accuracy']:.3f}; "
        f"value {money['value']:.3f}, currency {money['currency']:.3f}, qualifier {money['qualifier']:.3f}.",
    ]
    return "\n".join(lines) + "\n"


def build_parser() -> Parser:
    parser = Parser(prog="python -m inference.agreement", description=__doc__)
    parser.add_argument("--first-annotator", required=True, metavar="FILE", help="the first annotator's JSONL")
    parser.add_argument("--second-annotator", required=True, metavar="FILE", help="the second annotator's JSONL")
    add_output(parser, "markdown file for the agreement table", required=False)
    add_common(parser)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    args = parse(build_parser(), argv)
    first, second = args.first_annotator, args.second_annotator
    if args.output:
        check_output(args.output, args.force, [first, second])
    pairs = paired(load_records(first), load_records(second), second)
    text = report(agreement(pairs), first, second)
    if args.output:
        atomic_write_text(args.output, text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
