"""``python -m inference``: spans of one text as JSON, or of a whole file as JSONL.

python -m inference --model DIR "نص"                 # or the text on stdin
python -m inference --model DIR --input news.jsonl --output spans.jsonl [--resume]
python -m inference --model DIR --input news.jsonl --output deals.jsonl --deals

With ``--deals``, the spans are also grouped into deals with their sums as numbers: a text gives
``{"spans": [...], "deals": [...]}``, each output line of a file a ``"deals"`` list
(``python -m inference.deals_csv`` turns those into a spreadsheet).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from inference.batch import run_file
from inference.deals import deals_from_spans
from inference.model import default_model_dir, load_model
from labeling.cli import (
    Parser,
    add_common,
    add_input,
    add_model,
    add_output,
    check_output,
    parse,
    positive_int,
    resumable,
    run,
)
from labeling.exceptions import UsageError
from labeling.records import has_lone_surrogate


def build_parser() -> Parser:
    parser = Parser(prog="python -m inference", description=__doc__)
    parser.add_argument("text", nargs="?", help="Arabic text; read from stdin when omitted")
    add_model(parser, f"model directory (default: {default_model_dir()})", required=False)
    add_input(parser, "a .jsonl file (records with 'text') or a .txt file (one document per line)", required=False)
    add_output(parser, "JSONL output for --input", required=False)
    parser.add_argument("--batch-size", type=positive_int, default=32, metavar="N", help="texts per model call")
    parser.add_argument(
        "--threshold",
        type=float,
        default=0.0,
        metavar="P",
        help="leave out spans scoring below P, between 0 and 1 (default: 0, every span)",
    )
    parser.add_argument("--resume", action="store_true", help="continue an interrupted --input run")
    parser.add_argument(
        "--deals", action="store_true", help="also group the spans into deals, with each sum's value and currency"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_common(parser)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parse(parser, argv)
    if (args.input is None) != (args.output is None):
        parser.error("--input and --output go together")
    if args.input is not None:
        if not Path(args.input).is_file():
            raise UsageError(f"cannot read {args.input}")
        check_output(args.output, args.force, [args.input])
    if not 0.0 <= args.threshold <= 1.0:
        parser.error(f"--threshold must be between 0 and 1, got {args.threshold}")
    model = load_model(args.model, threshold=args.threshold)
    if args.input is not None:
        with resumable():  # Ctrl-C keeps OUT.partial: --resume goes on after its last complete line
            written, failed = run_file(
                model,
                args.input,
                args.output,
                args.batch_size,
                args.resume,
                show_progress=not (args.no_progress or args.quiet),
                deals=args.deals,
            )
        print(f"wrote {written} document(s) to {args.output} ({failed} with an error)")
        return 0
    text = args.text if args.text is not None else sys.stdin.buffer.read().decode("utf-8", errors="replace")
    # Undecodable bytes in argv arrive as lone surrogates: escape them rather than fail to print.
    spans = model.predict(text)
    result: object = {"spans": spans, "deals": deals_from_spans(text, spans, model.linker)} if args.deals else spans
    print(json.dumps(result, ensure_ascii=has_lone_surrogate(text), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
