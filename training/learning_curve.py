"""Is more data still the lever? Test span F1 of one recipe trained on growing shares of its training passages.

    python -m training.learning_curve --fractions 0.25 0.5 0.75 1 --output-dir runs/learning_curve \\
        --model-card model_card.md

The recipe's training documents are shuffled once (``--seed``) and each fraction trains on the
first share of them, so every smaller set is inside the larger ones. Development documents and the
rest of the recipe stay as they are. Each model is scored on ``--test`` (the test split, which
chooses nothing here) at span level, overall and per label. A fraction whose model and scores are
already in the output folder is not trained again, so an interrupted run goes on with ``--resume``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from inference.evaluate import predict_records
from inference.metrics import score
from inference.model import load_model
from labeling.cli import Parser, add_common, add_output_dir, check_output_dir, command_line, parse, run
from labeling.exceptions import UsageError
from labeling.labels import LABELS
from labeling.records import Record, atomic_write_text, dump_records, load_records
from training.config import TrainConfig, add_override_arguments, load_config, override_values
from training.train import train

log = logging.getLogger(__name__)
PROG = "python -m training.learning_curve"
OWN_FLAGS = ("output_dir",)  # --output-dir is the fractions' parent here, not the config's output_dir
RESULT = "scores.json"


def nested_shares(records: Sequence[Record], fractions: Sequence[float], seed: int) -> dict[float, list[Record]]:
    """For each fraction, the first share of one seeded shuffle: a smaller share is inside every larger one."""
    order = list(records)
    random.Random(seed).shuffle(order)
    return {f: order[: max(1, round(f * len(order)))] for f in fractions}


def check_fractions(fractions: Sequence[float]) -> list[float]:
    if not fractions or any(not 0 < f <= 1 for f in fractions):
        raise UsageError(f"fractions must lie in (0, 1], got {list(fractions)}")
    return sorted(set(fractions))


def run_fraction(cfg: TrainConfig, share: list[Record], test: list[Record], folder: Path, resume: bool) -> dict:
    """Train on ``share`` into ``folder`` and score on ``test``; reuse the scores of a finished fraction."""
    done = folder / RESULT
    if resume and done.is_file():
        log.info(f"{folder}: already trained and scored")
        return json.loads(done.read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    train_file = folder / "train.jsonl"
    atomic_write_text(train_file, dump_records(share))
    model_dir = folder / "model"
    train(dataclasses.replace(cfg, train_files=[str(train_file)], output_dir=str(model_dir)), show_progress=False)
    result = {"n_train": len(share), **score(test, predict_records(load_model(model_dir), test))}
    atomic_write_text(done, json.dumps(result, indent=2))
    return result


def learning_curve(
    cfg: TrainConfig, fractions: Sequence[float], test_file: str, out: Path, seed: int, resume: bool = False
) -> dict[float, dict]:
    records = [r for path in cfg.train_files for r in load_records(path)]
    test = load_records(test_file)
    shares = nested_shares(records, check_fractions(fractions), seed)
    return {
        f: run_fraction(cfg, share, test, out / f"fraction-{round(f * 100):03d}", resume) for f, share in shares.items()
    }


def format_table(curve: dict[float, dict]) -> str:
    head = "| training passages | span P | span R | span F1 | " + " | ".join(f"{label} F1" for label in LABELS) + " |"
    lines = [head, "|---|---:|---:|---:|" + "---:|" * len(LABELS)]
    for f, result in sorted(curve.items()):
        s = result["span"]
        per = " | ".join(f"{s['per_label'][label]['f1']:.3f}" for label in LABELS)
        lines.append(
            f"| {round(f * 100)}% ({result['n_train']}) | {s['precision']:.3f} | {s['recall']:.3f} "
            f"| {s['f1']:.3f} | {per} |"
        )
    return "\n".join(lines)


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description=__doc__)
    parser.add_argument("--config", default=None, metavar="FILE", help="the recipe (default: default.yaml)")
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.25, 0.5, 0.75, 1.0])
    parser.add_argument("--test", default="data/splits/test.jsonl", metavar="FILE", help="gold to score on")
    parser.add_argument("--sample-seed", type=int, default=13, help="seed of the shuffle that draws the shares")
    add_output_dir(parser, "one folder per fraction (model, train.jsonl, scores.json)", required=False,
                   default="runs/learning_curve")  # fmt: skip
    parser.add_argument("--resume", action="store_true", help="keep the fractions already trained and scored")
    parser.add_argument("--model-card", default=None, metavar="FILE", help="write the table into this model card")
    parser.add_argument("--section", default="learning_curve", help="model card section to write")
    add_common(parser)
    add_override_arguments(parser, exclude=OWN_FLAGS)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parse(parser, argv)
    cfg = load_config(args.config, override_values(args, exclude=OWN_FLAGS))
    if not args.resume:
        check_output_dir(args.output_dir, args.force, [*cfg.train_files, args.test])
    out = Path(args.output_dir)
    curve = learning_curve(cfg, args.fractions, args.test, out, args.sample_seed, args.resume)
    table = format_table(curve)
    atomic_write_text(out / "learning_curve.json", json.dumps({str(f): r for f, r in curve.items()}, indent=2))
    atomic_write_text(out / "learning_curve.md", table + "\n")
    print(f"test span F1 by share of the training passages ({args.test}):")
    print(table)
    if args.model_card:
        from inference.model_card import update_model_card

        command = command_line(PROG, parser.modernize(argv)[0])
        intro = f"Span scores on `{args.test}` by share of the recipe's training passages, written by:"
        update_model_card(args.model_card, args.section, f"{intro}\n\n```bash\n{command}\n```\n\n{table}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
