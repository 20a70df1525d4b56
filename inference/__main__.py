"""``python -m inference``: spans of one text as JSON, or of a whole file as JSONL.

    python -m inference --model DIR "نص"                 # or the text on stdin
    python -m inference --model DIR --input news.jsonl --output spans.jsonl [--resume]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from inference.batch import run_file
from inference.model import ModelNotFoundError, default_model_dir, load_model
from labeling.records import has_lone_surrogate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inference", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("text", nargs="?", help="Arabic text; read from stdin when omitted")
    parser.add_argument("--model", default=None, help=f"model directory (default: {default_model_dir()})")
    parser.add_argument("--input", default=None, help="a .jsonl file (records with 'text') or a .txt file (one document per line)")
    parser.add_argument("--output", default=None, help="JSONL output for --input")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--resume", action="store_true", help="continue an interrupted --input run")
    parser.add_argument("--force", action="store_true", help="replace an existing --output")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if (args.input is None) != (args.output is None):
        parser.error("--input and --output go together")
    if args.input is not None and not Path(args.input).is_file():
        print(f"error: cannot read {args.input}", file=sys.stderr)
        return 1
    if args.output is not None and Path(args.output).exists() and not args.force:
        print(f"error: {args.output} exists; refusing to overwrite it (pass --force)", file=sys.stderr)
        return 1
    try:
        model = load_model(args.model)
    except ModelNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.input is not None:
        written, failed = run_file(model, args.input, args.output, args.batch_size, args.resume,
                                   show_progress=not args.no_progress)
        print(f"wrote {written} document(s) to {args.output} ({failed} with an error)", file=sys.stderr)
        return 0
    text = args.text if args.text is not None else sys.stdin.buffer.read().decode("utf-8", errors="replace")
    # Undecodable bytes in argv arrive as lone surrogates: escape them rather than fail to print.
    print(json.dumps(model.predict(text), ensure_ascii=has_lone_surrogate(text), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
