"""``python -m inference --model DIR "نص"`` (or text on stdin): print the spans as JSON."""
from __future__ import annotations

import argparse
import json
import sys

from inference.model import ModelNotFoundError, default_model_dir, load_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inference", description=__doc__)
    parser.add_argument("text", nargs="?", help="Arabic text; read from stdin when omitted")
    parser.add_argument("--model", default=None, help=f"model directory (default: {default_model_dir()})")
    args = parser.parse_args(argv)
    text = args.text if args.text is not None else sys.stdin.read()
    try:
        model = load_model(args.model)
    except ModelNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(model.predict(text), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
