"""``python -m labeling``: validate, stats, CoNLL and Label Studio conversion, pre-annotation."""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from labeling.conll import from_conll, to_conll
from labeling.labels import LABELS
from labeling.labelstudio import LABEL_CONFIG, from_labelstudio, to_labelstudio
from labeling.preannotate import preannotate
from labeling.review import Change, ReviewError, apply_review
from labeling.splits import split_by_source
from labeling.records import DataError, Record, atomic_write_text, check_records, load_records, write_records
from labeling.tokenize import tokenize


class CliError(Exception):
    """A user-facing failure: printed as one message, exit status 1."""


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from None


def _refuse_overwrite(path: str, force: bool) -> None:
    if Path(path).exists() and not force:
        raise CliError(f"{path} exists; refusing to overwrite it (pass --force to replace it)")


def cmd_validate(args: argparse.Namespace) -> int:
    total = 0
    for path in args.files:
        records, problems = check_records(path)
        for p in problems:
            print(p, file=sys.stderr)
        total += len(problems)
        status = "OK" if not problems else f"{len(problems)} problem(s)"
        print(f"{path}: {len(records)} valid record(s), {status}")
    return 1 if total else 0


def cmd_stats(args: argparse.Namespace) -> int:
    records = load_records(args.file)
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
            print(f"{r.id}\t{len(tokenize(r.text))}\t" + "\t".join(str(c[l]) for l in LABELS))
    return 0


def cmd_to_conll(args: argparse.Namespace) -> int:
    _refuse_overwrite(args.out, args.force)
    atomic_write_text(args.out, to_conll(load_records(args.file)))
    print(f"wrote {args.out}")
    return 0


def _import_command(parse):
    """A command that reads FILE with ``parse(content, name)`` and writes the records to OUT."""
    def command(args: argparse.Namespace) -> int:
        _refuse_overwrite(args.out, args.force)
        records = parse(_read(args.file), args.file)
        write_records(args.out, records)
        print(f"wrote {len(records)} record(s) to {args.out}")
        return 0
    return command


def cmd_to_labelstudio(args: argparse.Namespace) -> int:
    _refuse_overwrite(args.out, args.force)
    atomic_write_text(args.out, to_labelstudio(load_records(args.file), as_predictions=args.as_predictions))
    print(f"wrote {args.out}; Label Studio labeling config:\n{LABEL_CONFIG}")
    return 0


def cmd_preannotate(args: argparse.Namespace) -> int:
    _refuse_overwrite(args.output, args.force)
    records = []
    for path in args.files:
        text = _read(path)
        records.append(Record(Path(path).stem, text, preannotate(text), Path(path).name))
    write_records(args.output, records)
    n = sum(len(r.spans) for r in records)
    print(f"wrote {len(records)} record(s) with {n} proposed span(s) to {args.output}; correct them by hand")
    return 0


def cmd_split(args: argparse.Namespace) -> int:
    records = [r for path in args.files for r in load_records(path)]
    try:
        parts = split_by_source(records, args.dev, args.test, args.seed)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    for name, part in parts.items():
        path = Path(args.out) / f"{name}.jsonl"
        write_records(path, part)
        pages = len({r.source for r in part})
        print(f"{path}: {len(part)} record(s) from {pages} page(s), {sum(len(r.spans) for r in part)} span(s)")
    return 0


def cmd_apply_review(args: argparse.Namespace) -> int:
    _refuse_overwrite(args.output, args.force)
    try:
        raw = json.loads(_read(args.review))
        changes = [Change.from_json(c) for c in raw]
    except (json.JSONDecodeError, ReviewError, TypeError) as exc:
        raise CliError(f"bad review file {args.review}: {exc}") from None
    records, failures = apply_review(load_records(args.file), changes)
    for message in failures:
        print(f"not applied: {message}", file=sys.stderr)
    write_records(args.output, records)
    print(f"applied {len(changes) - len(failures)} of {len(changes)} change(s); wrote {args.output}")
    return 1 if failures and args.strict else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m labeling", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check JSONL files; exit 1 on any problem")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("stats", help="documents, words and spans per label")
    p.add_argument("file")
    p.add_argument("--per-doc", action="store_true", help="also a row per document")
    p.set_defaults(func=cmd_stats)

    for name, func, help_ in (
        ("to-conll", cmd_to_conll, "JSONL -> CoNLL (word<TAB>TAG)"),
        ("from-conll", _import_command(from_conll), "CoNLL -> JSONL"),
        ("to-labelstudio", cmd_to_labelstudio, "JSONL -> Label Studio tasks JSON"),
        ("from-labelstudio", _import_command(from_labelstudio), "Label Studio export JSON -> JSONL"),
    ):
        p = sub.add_parser(name, help=help_)
        p.add_argument("file")
        p.add_argument("out")
        p.add_argument("--force", action="store_true", help="replace OUT if it exists")
        if name == "to-labelstudio":
            p.add_argument("--as-predictions", action="store_true",
                           help="export spans as predictions (pre-annotations) rather than annotations")
        p.set_defaults(func=func)

    p = sub.add_parser("split", help="train/dev/test split by source page (stable hash of the address)")
    p.add_argument("files", nargs="+")
    p.add_argument("--out", required=True, help="folder for train.jsonl, dev.jsonl, test.jsonl")
    p.add_argument("--dev", type=float, default=0.15)
    p.add_argument("--test", type=float, default=0.25)
    p.add_argument("--seed", type=int, default=13)
    p.set_defaults(func=cmd_split)

    p = sub.add_parser("apply-review", help="apply a second annotator's changes (JSON) to a records file")
    p.add_argument("file")
    p.add_argument("review")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--force", action="store_true")
    p.add_argument("--strict", action="store_true", help="exit 1 when any change could not be applied")
    p.set_defaults(func=cmd_apply_review)

    p = sub.add_parser("preannotate", help="propose spans for plain-text files (rules baseline)")
    p.add_argument("files", nargs="+", metavar="TXT")
    p.add_argument("-o", "--output", required=True, metavar="OUT.jsonl")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists (never do this on gold)")
    p.set_defaults(func=cmd_preannotate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CliError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
