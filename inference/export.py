"""``python -m inference.export --model DIR``: write DIR/onnx/model.onnx and model_int8.onnx."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inference.model import ModelNotFoundError, load_model
from inference.onnx_runtime import export_onnx


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inference.export", description=__doc__)
    parser.add_argument("--model", required=True, help="trained model directory")
    args = parser.parse_args(argv)
    try:
        extractor = load_model(args.model)
    except ModelNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    paths = export_onnx(extractor.model, Path(args.model))
    for name, path in paths.items():
        print(f"{name}: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
