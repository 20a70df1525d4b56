"""``python -m labeling``: validate, stats, CoNLL and Label Studio conversion, pre-annotation, splits.

python -m labeling validate --input seeds/annotations.jsonl
python -m labeling to-conll --input seeds/annotations.jsonl --output gold.conll
python -m labeling split --input data/news.jsonl --output-dir data/splits --force
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from labeling.cli import (
    Parser,
    add_common,
    add_input,
    add_output,
    add_output_dir,
    check_output,
    check_output_dir,
    parse,
    run,
)
from labeling.conll import from_conll, to_conll
from labeling.exceptions import BadJSONError, ReviewError, UsageError
from labeling.labels import LABELS
from labeling.labelstudio import LABEL_CONFIG, from_labelstudio, to_labelstudio
from labeling.preannotate import preannotate
from labeling.records import (
    Record,
    atomic_write_text,
    check_records,
    load_records,
    parse_json,
    write_records,
)
from labeling.review import Change, apply_review
from labeling.splits import SPLITS, split_by_source
from labeling.tokenize import tokenize

log = logging.getLogger(__name__)
CliError = UsageError  # the name this module's errors had before labeling.exceptions


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


def cmd_validate(args: argparse.Namespace) -> int:
    total = 0
    for path in args.input:
        records, problems = check_records(path)
        for p in problems:
            print(p, file=sys.stderr)
        total += len(problems)
        status = "OK" if not problems else f"{len(problems)} problem(s)"
        print(f"{path}: {len(records)} valid record(s), {status}")
    return 1 if total else 0


def cmd_stats(args: argparse.Namespace) -> int:
    records = load_records(args.input)
    counts: Counter[str] = Counter(s.label for r in records for s in r.spans)
    words = sum(len(tokenize(r.text)) for r in records)
    print(f"documents\t{len(records)}")
    print(f"words\t{words}")
    print(f"spans\t{sum(counts.values())}")
    for label in LABELS:
        print(f"{label}\t{counts[label]}")
    if args.per_doc:
        print("\nid\twords\t" + "\t".join(LABELS))
        for r in records:
            c = Counter(s.label for s in r.spans)
            print(f"{r.id}\t{len(tokenize(r.text))}\t" + "\t".join(str(c[label]) for label in LABELS))
    return 0


def cmd_to_conll(args: argparse.Namespace) -> int:
    check_output(args.output, args.force, [args.input])
    atomic_write_text(args.output, to_conll(load_records(args.input)))
    print(f"wrote {args.output}")
    return 0


def _import_command(parse_file):
    """A command that reads --input with ``parse_file(content, name)`` and writes the records to --output."""

    def command(args: argparse.Namespace) -> int:
        check_output(args.output, args.force, [args.input])
        records = parse_file(_read(args.input), args.input)
        write_records(args.output, records)
        print(f"wrote {len(records)} record(s) to {args.output}")
        return 0

    return command


def cmd_to_labelstudio(args: argparse.Namespace) -> int:
    check_output(args.output, args.force, [args.input])
    atomic_write_text(args.output, to_labelstudio(load_records(args.input), as_predictions=args.as_predictions))
    print(f"wrote {args.output}; Label Studio labeling config:\n{LABEL_CONFIG}")
    return 0


def cmd_preannotate(args: argparse.Namespace) -> int:
    check_output(args.output, args.force, args.input)
    records = []
    for path in args.input:
        text = _read(path)
        records.append(Record(Path(path).stem, text, preannotate(text), Path(path).name))
    write_records(args.output, records)
    n = sum(len(r.spans) for r in records)
    print(f"wrote {len(records)} record(s) with {n} proposed span(s) to {args.output}; correct them by hand")
    return 0


def cmd_split(args: argparse.Namespace) -> int:
    check_output_dir(args.output_dir, args.force, args.input, writes=[f"{name}.jsonl" for name in SPLITS])
    records = [r for path in args.input for r in load_records(path)]
    try:
        parts = split_by_source(records, args.dev, args.test, args.seed)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for name, part in parts.items():
        path = Path(args.output_dir) / f"{name}.jsonl"
        write_records(path, part)
        pages = len({r.source for r in part})
        print(f"{path}: {len(part)} record(s) from {pages} page(s), {sum(len(r.spans) for r in part)} span(s)")
    return 0


def cmd_apply_review(args: argparse.Namespace) -> int:
    check_output(args.output, args.force, [args.input, args.review])
    try:
        raw = parse_json(_read(args.review))
        if not isinstance(raw, list):  # an object's keys or a string's letters are no changes
            raise ReviewError(f"expected a JSON list of changes, got {type(raw).__name__}")
        changes = [Change.from_json(c) for c in raw]
    except (BadJSONError, ReviewError) as exc:
        raise UsageError(f"bad review file {args.review}: {exc}") from None
    records, failures = apply_review(load_records(args.input), changes)
    for message in failures:
        log.warning("not applied: %s", message)
    write_records(args.output, records)
    print(f"applied {len(changes) - len(failures)} of {len(changes)} change(s); wrote {args.output}")
    return 1 if failures and args.strict else 0


def build_parser() -> Parser:
    parser = Parser(prog="python -m labeling", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check JSONL files; exit 1 on any problem")
    add_input(p, "JSONL records files", many=True)
    p.accept_positionals("--input")
    add_common(p, writes=False)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("stats", help="documents, words and spans per label")
    add_input(p, "JSONL records file")
    p.accept_positionals("--input")
    p.add_argument("--per-doc", action="store_true", help="also a row per document")
    add_common(p, writes=False)
    p.set_defaults(func=cmd_stats)

    for name, func, help_, reads, writes in (
        ("to-conll", cmd_to_conll, "JSONL -> CoNLL (word<TAB>TAG)", "JSONL records", "CoNLL file"),
        ("from-conll", _import_command(from_conll), "CoNLL -> JSONL", "CoNLL file", "JSONL records"),
        (
            "to-labelstudio",
            cmd_to_labelstudio,
            "JSONL -> Label Studio tasks JSON",
            "JSONL records",
            "Label Studio tasks JSON",
        ),
        (
            "from-labelstudio",
            _import_command(from_labelstudio),
            "Label Studio export JSON -> JSONL",
            "Label Studio export JSON",
            "JSONL records",
        ),
    ):
        p = sub.add_parser(name, help=help_)
        add_input(p, reads)
        add_output(p, writes)
        p.accept_positionals("--input", "--output")
        add_common(p)
        if name == "to-labelstudio":
            p.add_argument(
                "--as-predictions",
                action="store_true",
                help="export spans as predictions (pre-annotations) rather than annotations",
            )
        p.set_defaults(func=func)

    p = sub.add_parser("split", help="train/dev/test split by source page (stable hash of the address)")
    add_input(p, "JSONL records files", many=True)
    add_output_dir(p, f"folder for {', '.join(f'{name}.jsonl' for name in SPLITS)}", aliases=["--out"])
    p.accept_positionals("--input")
    p.add_argument("--dev", type=float, default=0.15)
    p.add_argument("--test", type=float, default=0.25)
    p.add_argument("--seed", type=int, default=13)
    add_common(p)
    p.set_defaults(func=cmd_split)

    p = sub.add_parser("apply-review", help="apply a second annotator's changes (JSON) to a records file")
    add_input(p, "JSONL records file")
    p.add_argument("--review", required=True, metavar="FILE", help="the changes, a JSON list")
    add_output(p, "JSONL records file to write", aliases=["-o"])
    p.accept_positionals("--input", "--review")
    p.add_argument("--strict", action="store_true", help="exit 1 when any change could not be applied")
    add_common(p)
    p.set_defaults(func=cmd_apply_review)

    p = sub.add_parser("preannotate", help="propose spans for plain-text files (rules baseline)")
    add_input(p, "plain-text files, one document each", many=True)
    add_output(p, "JSONL records file to write (never give --force on gold)", aliases=["-o"])
    p.accept_positionals("--input")
    add_common(p)
    p.set_defaults(func=cmd_preannotate)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    args = parse(build_parser(), argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
