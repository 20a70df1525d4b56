"""``python -m inference.export --model DIR``: write DIR/onnx/model.onnx and model_int8.onnx."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from inference.model import check_model_dir, load_model
from inference.onnx_runtime import export_onnx
from inference.runtimes import ONNX_DIR, RUNTIMES
from labeling.cli import Parser, add_common, add_model, check_output, parse, run


def build_parser() -> Parser:
    parser = Parser(prog="python -m inference.export", description=__doc__)
    add_model(parser, "trained model directory; the ONNX files go into its onnx/ folder")
    add_common(parser)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    args = parse(build_parser(), argv)
    check_model_dir(Path(args.model))  # the ONNX folder is made inside it
    for name in ("onnx", "onnx_int8"):
        if (Path(args.model) / ONNX_DIR).is_dir():
            check_output(Path(args.model) / RUNTIMES[name].file, args.force)
    extractor = load_model(args.model)
    paths = export_onnx(extractor.model, Path(args.model))
    for name, path in paths.items():
        print(f"{name}: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
