"""Score several trained models and the rules baseline on one test file, in one table.

    python -m inference.ablation --data data/splits/test.jsonl --out runs/ablation \\
        --model "seeds only=runs/seeds_only" --model "seeds + news=runs/seeds_news" --model-card model_card.md

Each model is evaluated exactly as ``inference.evaluate`` does (its files go to
``OUT/<name>/``); the table gives word- and span-level F1, overall and per label.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from inference.evaluate import RULES, evaluate
from inference.model import ModelNotFoundError
from inference.model_card import metrics_table, update_model_card
from labeling.records import DataError


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inference.ablation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--model", action="append", default=[], metavar="NAME=DIR", help="repeat for each model")
    parser.add_argument("--model-card", default=None, help="write the table into this model card's ablation section")
    parser.add_argument("--section", default="ablation", help="the model card section to write (default: ablation)")
    args = parser.parse_args(argv)
    rows: dict[str, dict] = {}
    dev: dict[str, float | None] = {}
    try:
        rows[f"{RULES} baseline"] = evaluate(None, args.data, str(Path(args.out) / RULES), baseline=RULES)
        for item in args.model:
            name, sep, path = item.partition("=")
            if not sep:
                print(f"error: --model expects NAME=DIR, got {item!r}", file=sys.stderr)
                return 1
            metrics = evaluate(path, args.data, str(Path(args.out) / _slug(name)))
            rows[f"{name} ({metrics['backbone']})"] = metrics
            dev[f"{name} ({metrics['backbone']})"] = dev_word_f1(Path(path))
    except (DataError, ModelNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    tables = metrics_table(rows, "word") + "\n\n" + metrics_table(rows, "span") + "\n\n" + dev_table(dev)
    print(tables)
    if args.model_card:
        command = "python -m inference.ablation " + " ".join(f'"{a}"' if " " in a else a
                                                             for a in (argv if argv is not None else sys.argv[1:]))
        update_model_card(args.model_card, args.section, "\n".join([
            f"All on `{args.data}`, written by:", "", f"```bash\n{command}\n```", "", tables]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
