"""Score several trained models and the rules baseline on one test file, in one table.

    python -m inference.ablation --input data/splits/test.jsonl --output-dir runs/ablation \\
        --model "seeds only=runs/seeds_only" --model "seeds + news=runs/seeds_news" --model-card model_card.md

Each model is evaluated exactly as ``inference.evaluate`` does (its files go to
``OUTPUT_DIR/<name>/``); the table gives word- and span-level F1, overall and per label.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from inference.evaluate import RULES, evaluate
from inference.model_card import metrics_table, update_model_card
from labeling.cli import Parser, add_common, add_input, add_output_dir, check_output_dir, command_line, parse, run
from labeling.exceptions import UsageError

PROG = "python -m inference.ablation"


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "model"


def dev_word_f1(model_dir: Path) -> float | None:
    """The best dev word F1 that training recorded (what recipe choices are made on)."""
    try:
        dev = json.loads((model_dir / "metrics.json").read_text(encoding="utf-8")).get("dev")
    except (OSError, ValueError):
        return None
    return dev["word"]["f1"] if dev else None


def dev_table(dev: dict[str, float | None]) -> str:
    lines = ["| system | dev word F1 (from its `metrics.json`) |", "|---|---:|"]
    lines += [f"| {name} | {'' if f1 is None else f'{f1:.3f}'} |" for name, f1 in dev.items()]
    return "\n".join(lines)


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description=__doc__)
    add_input(parser, "gold JSONL file", aliases=["--data"])
    add_output_dir(parser, "each system's evaluation goes into a folder of its own here", aliases=["--out"])
    parser.add_argument("--model", action="append", default=[], metavar="NAME=DIR", help="repeat for each model")
    parser.add_argument(
        "--model-card", default=None, metavar="FILE", help="write the table into this model card's ablation section"
    )
    parser.add_argument("--section", default="ablation", help="the model card section to write (default: ablation)")
    add_common(parser)
    return parser


def named_models(items: Sequence[str]) -> list[tuple[str, str]]:
    """(name, directory) of each ``--model NAME=DIR``."""
    pairs = []
    for item in items:
        name, sep, path = item.partition("=")
        if not sep:
            raise UsageError(f"--model expects NAME=DIR, got {item!r}")
        pairs.append((name, path))
    return pairs


@run
def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parse(parser, argv)
    models = named_models(args.model)
    check_output_dir(args.output_dir, args.force, [args.input])
    out = Path(args.output_dir)
    rows: dict[str, dict] = {f"{RULES} baseline": evaluate(None, args.input, str(out / RULES), baseline=RULES)}
    dev: dict[str, float | None] = {}
    for name, path in models:
        metrics = evaluate(path, args.input, str(out / _slug(name)))
        rows[f"{name} ({metrics['backbone']})"] = metrics
        dev[f"{name} ({metrics['backbone']})"] = dev_word_f1(Path(path))
    tables = metrics_table(rows, "word") + "\n\n" + metrics_table(rows, "span") + "\n\n" + dev_table(dev)
    print(tables)
    if args.model_card:
        command = command_line(PROG, parser.modernize(argv)[0])
        update_model_card(
            args.model_card,
            args.section,
            "\n".join([f"All on `{args.input}`, written by:", "", f"```bash\n{command}\n```", "", tables]),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
