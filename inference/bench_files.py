"""Memory of the file command: peak RSS after 1,000 and after N documents of one run.

    python -m inference.bench_files --model runs/default --input data/news.jsonl --docs 10000

Writes a JSONL of ``--docs`` documents cycling the texts of ``--input``, streams it through
the same code as ``python -m inference --input ... --output ...``, and prints the process's
peak resident memory once 1,000 documents are done and again at the end. Constant memory
means the two are close whatever ``--docs`` is.
"""

from __future__ import annotations

import itertools
import json
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from inference.batch import run_file
from inference.model import load_model
from labeling.cli import Parser, add_common, add_input, add_model, parse, positive_int, run
from labeling.records import load_records


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def build_parser() -> Parser:
    parser = Parser(prog="python -m inference.bench_files", description=__doc__)
    add_model(parser)
    add_input(parser, "JSONL records whose texts are cycled", aliases=["--data"])
    parser.add_argument("--docs", type=positive_int, default=10_000, metavar="N", help="documents in the whole run")
    parser.add_argument(
        "--first", type=positive_int, default=1_000, metavar="N", help="documents before the first measure"
    )
    add_common(parser, writes=False)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    args = parse(build_parser(), argv)
    texts = [r.text for r in load_records(args.input)]
    model = load_model(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with open(src, "w", encoding="utf-8") as handle:
            for i, text in zip(range(args.docs), itertools.cycle(texts)):
                handle.write(json.dumps({"id": f"doc-{i}", "text": text}, ensure_ascii=False) + "\n")
        first = Path(tmp) / "first.jsonl"
        with open(src, encoding="utf-8") as full, open(first, "w", encoding="utf-8") as part:
            part.writelines(itertools.islice(full, args.first))
        start = time.perf_counter()
        run_file(model, first, Path(tmp) / "first_out.jsonl", show_progress=False)
        after_first = peak_rss_mib()
        written, failed = run_file(model, src, out, show_progress=False)
        elapsed = time.perf_counter() - start
        after_all = peak_rss_mib()
        size_mib = src.stat().st_size / 2**20
    print(
        f"input: {args.docs} documents ({size_mib:.1f} MiB); written {written}, with an error {failed}; "
        f"{elapsed:.0f} s in all"
    )
    print(f"peak RSS after {args.first} documents: {after_first:.0f} MiB; after {args.docs} more: {after_all:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
