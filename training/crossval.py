"""Cross-validation by document: with five seed articles, the honest figure.

    python -m training.crossval --folds 5 --output-dir runs/crossval --model-card model_card.md

Folds go over the seed articles (``--fold-files``); the config's other training files (the
news train split in the default recipe) are in every fold's training set and never scored.

Each fold trains the configured recipe on all the other documents and scores the
held-out ones. A recipe with ``dev_files`` keeps early stopping on them; otherwise the
fold trains for the configured number of epochs (no inner dev split: with five articles
a dev document is too costly to spare). The rules baseline is scored on the same
documents. Prints mean and spread (population std over folds where the label occurs)
of word and span F1 per label, and the pooled figure over all held-out predictions.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from inference.metrics import score
from inference.model import as_spans, load_model
from labeling.cli import Parser, add_common, add_output_dir, at_least, check_output_dir, command_line, parse, run
from labeling.exceptions import ConfigError
from labeling.labels import LABELS
from labeling.preannotate import preannotate
from labeling.records import Record, atomic_write_text
from training.config import add_override_arguments, load_config, override_values
from training.data import load_documents
from training.train import train

log = logging.getLogger(__name__)
PROG = "python -m training.crossval"
SYSTEMS = ("model", "rules")
SEEDS = "seeds/annotations.jsonl"
OWN_FLAGS = ("output_dir",)  # --output-dir is the folds' parent here, not the config's output_dir


def folds_of(n_docs: int, k: int, seed: int) -> list[list[int]]:
    """Document indices of each fold (leave-one-out when k equals the number of documents)."""
    if not 2 <= k <= n_docs:
        raise ConfigError(f"--folds must be between 2 and the number of documents ({n_docs}), got {k}")
    order = list(range(n_docs))
    random.Random(seed).shuffle(order)
    return [sorted(order[i::k]) for i in range(k)]


def summarize(fold_metrics: list[dict], pooled: dict) -> dict:
    out = {}
    for level in ("word", "span"):
        rows = {}
        for key in ("overall",) + LABELS:
            values = []
            for m in fold_metrics:
                block = m[level] if key == "overall" else m[level]["per_label"][key]
                support = (
                    sum(v["support"] for v in m[level]["per_label"].values()) if key == "overall" else block["support"]
                )
                if support > 0:
                    values.append(block["f1"])
            pooled_block = pooled[level] if key == "overall" else pooled[level]["per_label"][key]
            rows[key] = {
                "mean": statistics.fmean(values) if values else None,
                "std": statistics.pstdev(values) if len(values) > 1 else 0.0 if values else None,
                "folds": len(values),
                "pooled": pooled_block["f1"],
            }
        out[level] = rows
    return out


def format_table(summary: dict[str, dict]) -> str:
    lines = [
        "| system | level | " + " | ".join(("overall",) + LABELS) + " |",
        "|---|---|" + "---:|" * (1 + len(LABELS)),
    ]
    for system, s in summary.items():
        for level in ("word", "span"):
            cells = []
            for key in ("overall",) + LABELS:
                r = s[level][key]
                cells.append(
                    "n/a" if r["mean"] is None else f"{r['mean']:.3f} ± {r['std']:.3f} (pooled {r['pooled']:.3f})"
                )
            lines.append(f"| {system} | {level} F1 | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def crossval(cfg, k: int, out: Path, show_progress: bool, fold_files: list[str] | None = None) -> dict:
    """Folds over the documents of ``fold_files`` (default: all training files); the documents of the
    other training files are in every fold's training set and never scored."""
    fold_files = fold_files or cfg.train_files
    docs = load_documents(fold_files)
    always = load_documents([f for f in cfg.train_files if f not in fold_files])
    folds = folds_of(len(docs), k, cfg.seed)
    per_fold: dict[str, list[dict]] = {s: [] for s in SYSTEMS}
    held_out: dict[str, list[Record]] = {s: [] for s in SYSTEMS}
    gold_all: list[Record] = []
    backbones = set()
    for i, test_idx in enumerate(folds):
        test = [docs[j] for j in test_idx]
        train_docs = [d for j, d in enumerate(docs) if j not in test_idx] + always
        # A dev file of the recipe (never a folded document) keeps early stopping; otherwise fixed epochs.
        fold_cfg = dataclasses.replace(cfg, output_dir=str(out / f"fold{i}"), dev_fraction=0.0)
        log.info("fold %d/%d: held out %s", i + 1, k, ", ".join(d.record.id for d in test))
        result = train(fold_cfg, show_progress=show_progress, docs=train_docs)
        backbones.add(result["backbone"])
        model = load_model(fold_cfg.output_dir)
        pred = [
            Record(d.record.id, d.record.text, as_spans(spans), d.record.source)
            for d, spans in zip(test, model.predict_batch([d.record.text for d in test]))
        ]
        rules = [Record(d.record.id, d.record.text, preannotate(d.record.text)) for d in test]
        gold = [d.record for d in test]
        gold_all += gold
        for system, p in (("model", pred), ("rules", rules)):
            per_fold[system].append(score(gold, p))
            held_out[system] += p
    summary = {s: summarize(per_fold[s], score(gold_all, held_out[s])) for s in SYSTEMS}
    return {
        "folds": [[docs[j].record.id for j in f] for f in folds],
        "backbone": ", ".join(sorted(backbones)),
        "summary": summary,
        "per_fold": per_fold,
    }


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description=__doc__)
    parser.add_argument("--config", default=None, metavar="FILE")
    parser.add_argument("--folds", type=at_least(2), default=5, metavar="K")
    add_output_dir(
        parser, "fold models and crossval.json go here", required=False, default="runs/crossval", aliases=["--out"]
    )
    parser.add_argument(
        "--fold-files",
        nargs="+",
        default=[SEEDS],
        metavar="FILE",
        help=f"fold over these files' documents (default: {SEEDS}); "
        "the config's other train_files are in every fold's training set",
    )
    parser.add_argument("--section", default="crossval", help="model card section to write")
    parser.add_argument(
        "--model-card", default=None, metavar="FILE", help="update this model card's cross-validation section"
    )
    parser.add_argument("--no-progress", action="store_true")
    add_common(parser)
    add_override_arguments(parser, exclude=OWN_FLAGS)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parse(parser, argv)
    cfg = load_config(args.config, override_values(args, exclude=OWN_FLAGS))
    check_output_dir(args.output_dir, args.force, [*cfg.train_files, *cfg.dev_files, *args.fold_files])
    result = crossval(cfg, args.folds, Path(args.output_dir), not (args.no_progress or args.quiet), args.fold_files)
    atomic_write_text(Path(args.output_dir) / "crossval.json", json.dumps(result, indent=2))
    table = format_table(
        {f"model ({result['backbone']})": result["summary"]["model"], "rules": result["summary"]["rules"]}
    )
    folded = ", ".join(args.fold_files or cfg.train_files)
    others = [f for f in cfg.train_files if f not in (args.fold_files or cfg.train_files)]
    scope = f"{folded}" + (f" (always training on {', '.join(others)} too)" if others else "")
    print(
        f"{args.folds}-fold cross-validation by document over {scope}; "
        f"F1 mean ± std over folds where the label occurs (pooled over all held-out documents):"
    )
    print(table)
    if args.model_card:
        from inference.model_card import update_model_card

        command = command_line(PROG, parser.modernize(argv)[0])
        update_model_card(
            args.model_card,
            args.section,
            "\n".join(
                [
                    f"{args.folds}-fold cross-validation by document over `{scope}` "
                    f"(backbone: `{result['backbone']}`), written by:",
                    "",
                    f"```bash\n{command}\n```",
                    "",
                    table,
                ]
            ),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
