"""Fine-tune a token classifier on span-annotated Arabic news.

    accelerate launch -m training.train --config training/configs/default.yaml
    python -m training.train --backbone scratch --epochs 5 --output-dir runs/try

Dev F1 (word level, seqeval strict IOB2) is measured after every epoch; the best
model is kept in ``output_dir`` and training stops after ``patience`` epochs without
gain. ``--resume`` continues an interrupted run from its last finished epoch and ends with
the model and history of the uninterrupted run: the checkpoint holds the weights, optimizer,
scheduler, random states, data order and early-stopping state.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import math
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import yaml
from accelerate import Accelerator
from accelerate.utils import set_seed
from torch.utils.data import DataLoader
from tqdm.auto import tqdm
from transformers import AutoModelForTokenClassification, AutoTokenizer, get_linear_schedule_with_warmup
from transformers.utils import logging as hf_logging

from inference.decoding import predict_records
from inference.encoding import collate, encode_documents, torch_forward
from inference.linking import PairLinker
from inference.metrics import score
from labeling.augment import AugmentConfig, augment_records
from labeling.cli import Parser, add_common, check_output_dir, parse, resumable, run
from labeling.locking import exclusive_lock
from labeling.records import Record, atomic_write_text, previous_directory, swap_in_directory
from training.backbone import Backbone, default_learning_rate, load_backbone
from training.config import ConfigError, TrainConfig, add_override_arguments, load_config, override_values
from training.data import Document, load_documents, split_by_document, to_document
from training.linker import fit_linker
from training.optimization import optimizer_step, parameter_groups

log = logging.getLogger(__name__)
STATE_FILE = "trainer_state.json"
CHECKPOINT_DIR = "checkpoint"
INITIAL_DIR = "checkpoint/initial"  # the freshly built backbone, so a resumed run rebuilds the same one
# The last finished epoch: accelerate's state (weights as safetensors, optimizer, scheduler, scaler, the
# python/numpy/torch/CUDA RNGs) and STATE_FILE, written beside it and swapped in whole.
STATE_DIR = "checkpoint/state"


@dataclass
class TrainerState:
    epoch: int = 0  # last finished epoch
    best_f1: float = -1.0
    best_epoch: int = 0
    bad_epochs: int = 0
    history: list[dict] = field(default_factory=list)
    data_order: str = ""  # the state of the generator that shuffles the training windows (base64)


def _generator_state(generator: torch.Generator) -> str:
    return base64.b64encode(generator.get_state().numpy().tobytes()).decode("ascii")


def _set_generator_state(generator: torch.Generator, text: str) -> None:
    generator.set_state(torch.frombuffer(bytearray(base64.b64decode(text)), dtype=torch.uint8))


def _sync_tree(path: Path) -> None:
    """fsync every file under ``path``, and the folders, so a rename after it never publishes empty files."""
    for item in [*path.rglob("*"), path]:
        if item.is_dir() and os.name != "posix":  # Windows cannot open a folder
            continue
        fd = os.open(item, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _save_checkpoint(accelerator: Accelerator, out: Path, state: TrainerState) -> None:
    """Everything the next epoch depends on, written beside the last checkpoint, then swapped in.

    A crash while saving leaves the previous checkpoint complete (between the two renames it is
    ``.state.old``, which :func:`_find_checkpoint` also reads); no process reads a half-written one.
    """
    target = out / STATE_DIR
    tmp = target.parent / f".{target.name}.saving"
    if accelerator.is_main_process and tmp.exists():
        shutil.rmtree(tmp)
    accelerator.wait_for_everyone()
    accelerator.save_state(str(tmp))  # every process writes its own RNG file
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        (tmp / STATE_FILE).write_text(json.dumps(state.__dict__, indent=2), encoding="utf-8")
        _sync_tree(tmp)
        swap_in_directory(tmp, target)
    accelerator.wait_for_everyone()


def _find_checkpoint(out: Path) -> Path | None:
    """The last complete checkpoint (also one left as ``.state.old`` by a crash between two renames)."""
    target = out / STATE_DIR
    for path in (target, previous_directory(target)):
        if (path / STATE_FILE).is_file():
            return path
    return None


def epoch_line(row: dict, state: TrainerState, epochs: int) -> str:
    """One readable log line per epoch: loss, dev F1 and the best so far."""
    line = f"epoch {row['epoch']}/{epochs}: loss {row['loss']:.4f}"
    if "dev_word_f1" in row:
        line += (
            f", dev word F1 {row['dev_word_f1']:.4f} (span {row['dev_span_f1']:.4f}), "
            f"best {state.best_f1:.4f} at epoch {state.best_epoch}"
        )
    return line


def evaluate_documents(model, tokenizer, docs: list[Document], cfg: TrainConfig) -> dict:
    """Dev scores through inference's predict path, so they are what ``predict()`` will give."""
    gold = [d.record for d in docs]
    return score(gold, predict_records(torch_forward(model), tokenizer, gold, cfg.windows))


def _save_model(
    model,
    tokenizer,
    out: Path,
    cfg: TrainConfig,
    backbone_name: str,
    note: str,
    metrics: dict,
    linker: PairLinker | None = None,
) -> None:
    """Write the model directory next to the target, then swap it in, so a crash leaves the old one.

    Its ``README.md`` is the model card, written from ``metrics`` (the run's own dev scores); ``linker``,
    the deal linker learned from the training documents' gold deals, goes into ``linker.json``."""
    from inference.model_card import TrainingRun, directory_card

    tmp = out.parent / f".{out.name}.saving"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    model.config.backbone = backbone_name
    model.config.windows = cfg.windows.to_config()  # inference reads the window settings from config.json
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    (tmp / "training_config.yaml").write_text(
        yaml.safe_dump(cfg.to_dict(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    (tmp / "backbone.json").write_text(
        json.dumps({"backbone": backbone_name, "requested": cfg.backbone, "note": note}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    if linker is not None:
        linker.save(tmp)
    run = TrainingRun(
        backbone=backbone_name,
        settings=cfg.windows,
        train_files=tuple(cfg.train_files),
        dev_files=tuple(cfg.dev_files),
        n_train=len(metrics["train_ids"]),
        n_dev=len(metrics["dev_ids"]),
        best_epoch=metrics["best_epoch"],
        dev=metrics["dev"],
        location=str(cfg.output_dir),
        augment_copies=cfg.augment_copies,
        note=note,
    )
    (tmp / "README.md").write_text(directory_card(run), encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    for item in tmp.iterdir():
        item.replace(out / item.name)
    tmp.rmdir()


def _load_initial(path: Path) -> Backbone:
    meta = json.loads((path / "backbone.json").read_text(encoding="utf-8"))
    tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False)
    model = AutoModelForTokenClassification.from_pretrained(path, use_safetensors=True, trust_remote_code=False)
    return Backbone(meta["backbone"], tokenizer, model, meta.get("note", ""))


def _save_initial(backbone: Backbone, path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    backbone.model.save_pretrained(path, safe_serialization=True)
    backbone.tokenizer.save_pretrained(path)
    (path / "backbone.json").write_text(
        json.dumps({"backbone": backbone.name, "note": backbone.note}, ensure_ascii=False), encoding="utf-8"
    )


def train(
    cfg: TrainConfig, resume: bool = False, show_progress: bool = True, docs: list[Document] | None = None
) -> dict:
    """:func:`_train` holding the lock of ``cfg.output_dir``, so a second training into it is refused."""
    with exclusive_lock(str(cfg.output_dir), first_process_only=True):
        return _train(cfg, resume, show_progress, docs)


def _fit_linker(records: list[Record]) -> PairLinker | None:
    """The deal linker of the training documents' gold deals; None when they have none (version 1 data)."""
    if not any(r.deals for r in records):
        log.info("no gold deals in the training documents: the model links deals by sentence")
        return None
    return fit_linker(records)


def _train(
    cfg: TrainConfig, resume: bool = False, show_progress: bool = True, docs: list[Document] | None = None
) -> dict:
    """Train by ``cfg``; return the final metrics (best dev scores, backbone, history).

    ``docs`` replaces the documents of ``cfg.train_files`` (cross-validation passes its folds).
    """
    out = Path(str(cfg.output_dir))  # set by TrainConfig (the default model location when not given)
    accelerator = Accelerator(mixed_precision=cfg.mixed_precision)
    set_seed(cfg.seed)
    hf_logging.disable_progress_bar()

    docs = load_documents(cfg.train_files) if docs is None else docs
    if cfg.dev_files:
        train_docs, dev_docs = docs, load_documents(cfg.dev_files)
    else:
        train_docs, dev_docs = split_by_document(docs, cfg.dev_fraction, cfg.seed)
    if not train_docs:
        raise ConfigError("no training documents")
    linker = _fit_linker([d.record for d in train_docs])
    if cfg.augment_copies:
        extra = augment_records([d.record for d in train_docs], AugmentConfig(cfg.augment_copies, seed=cfg.seed))
        train_docs = train_docs + [to_document(r) for r in extra]

    state = TrainerState()
    checkpoint = _find_checkpoint(out) if resume else None
    if checkpoint:
        state = TrainerState(**json.loads((checkpoint / STATE_FILE).read_text(encoding="utf-8")))
        backbone = _load_initial(out / INITIAL_DIR)
    else:
        if resume:
            log.warning("--resume: no checkpoint in %s; starting from scratch", out / CHECKPOINT_DIR)
        if accelerator.is_main_process:  # an earlier run's checkpoint must not be resumed on this run's backbone
            shutil.rmtree(out / CHECKPOINT_DIR, ignore_errors=True)
        accelerator.wait_for_everyone()
        backbone = load_backbone(
            cfg.backbone,
            [d.record.text for d in train_docs],
            cfg.scratch,
            cfg.max_length,
            cfg.seed,
            cfg.offline_fallback,
        )
        if accelerator.is_main_process:
            _save_initial(backbone, out / INITIAL_DIR)
    lr = cfg.learning_rate or default_learning_rate(backbone.name)
    cfg = dataclasses.replace(cfg, learning_rate=lr)  # the saved config records what was used
    tokenizer, model = backbone.tokenizer, backbone.model

    windows = encode_documents(
        tokenizer,
        [d.words for d in train_docs],
        [d.tags for d in train_docs],
        cfg.max_length,
        cfg.stride,
        cfg.label_all_subtokens,
        cfg.context,
    )
    generator = torch.Generator().manual_seed(cfg.seed)
    loader: DataLoader = DataLoader(
        windows,  # type: ignore[arg-type]  # a list is a map-style dataset
        batch_size=cfg.batch_size,
        shuffle=True,
        generator=generator,
        collate_fn=lambda b: collate(b, tokenizer.pad_token_id),
    )
    optimizer = torch.optim.AdamW(parameter_groups(model, lr, cfg.weight_decay, cfg.layer_decay), lr=lr)
    total_steps = cfg.epochs * math.ceil(len(windows) / cfg.batch_size)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(cfg.warmup_ratio * total_steps), total_steps)
    model, optimizer, loader, scheduler = accelerator.prepare(model, optimizer, loader, scheduler)
    if checkpoint:
        # weights, optimizer, scheduler and the global RNGs (dropout) by accelerate; the data order here
        accelerator.load_state(str(checkpoint))
        _set_generator_state(generator, state.data_order)
        log.info("resumed from epoch %d (best dev word F1 %.4f)", state.epoch, state.best_f1)

    show = show_progress and accelerator.is_local_main_process
    for epoch in range(state.epoch + 1, cfg.epochs + 1):
        if state.bad_epochs >= cfg.patience:  # a resumed run that had already stopped early
            break
        model.train()
        losses = []
        batches = tqdm(loader, desc=f"epoch {epoch}/{cfg.epochs}", leave=False, disable=not show)
        for batch in batches:
            losses.append(optimizer_step(accelerator, model, batch, optimizer, scheduler))
            batches.set_postfix(loss=f"{losses[-1]:.4f}")
        row = {"epoch": epoch, "loss": float(np.mean(losses)) if losses else 0.0}
        plain = accelerator.unwrap_model(model)
        if dev_docs:
            metrics = evaluate_documents(plain, tokenizer, dev_docs, cfg)
            row.update(dev_word_f1=metrics["word"]["f1"], dev_span_f1=metrics["span"]["f1"])
            improved = metrics["word"]["f1"] > state.best_f1
            # On a tie keep the later, longer-trained model (a small dev set often sits at 0 early on).
            keep = metrics["word"]["f1"] >= state.best_f1
        else:
            metrics, improved, keep = None, True, epoch == cfg.epochs  # no dev set: keep the last epoch
        state.history.append(row)
        state.bad_epochs = 0 if improved else state.bad_epochs + 1
        if keep:
            state.best_f1 = metrics["word"]["f1"] if metrics else state.best_f1
            state.best_epoch = epoch
            if accelerator.is_main_process:
                result = {
                    "backbone": backbone.name,
                    "best_epoch": epoch,
                    "dev": metrics,
                    "dev_ids": [d.record.id for d in dev_docs],
                    "train_ids": [d.record.id for d in train_docs],
                    "history": state.history,
                }
                _save_model(plain, tokenizer, out, cfg, backbone.name, backbone.note, result, linker)
        if accelerator.is_main_process:
            log.info(epoch_line(row, state, cfg.epochs))
        state.epoch = epoch
        state.data_order = _generator_state(generator)
        _save_checkpoint(accelerator, out, state)
        if state.bad_epochs >= cfg.patience and epoch < cfg.epochs:
            if accelerator.is_main_process:
                log.info(
                    f"early stopping: no dev word F1 gain for {state.bad_epochs} epochs; "
                    f"keeping epoch {state.best_epoch} (dev word F1 {state.best_f1:.4f})"
                )
            break
    accelerator.wait_for_everyone()
    final = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    final["history"] = state.history
    if accelerator.is_main_process:
        atomic_write_text(out / "metrics.json", json.dumps(final, indent=2))
    return final


def build_parser() -> Parser:
    parser = Parser(prog="python -m training.train", description=__doc__)
    parser.add_argument(
        "--config", default=None, metavar="FILE", help="YAML config (default: training/configs/default.yaml)"
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue from the checkpoint in output_dir (which may then hold files)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    add_common(parser)
    add_override_arguments(parser)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    args = parse(build_parser(), argv)
    cfg = load_config(args.config, override_values(args))
    if not args.resume and os.environ.get("RANK", "0") == "0":  # under accelerate, rank 0 checks for all
        check_output_dir(str(cfg.output_dir), args.force, [*cfg.train_files, *cfg.dev_files])
    with resumable():  # Ctrl-C keeps the checkpoint of the last finished epoch
        result = train(cfg, resume=args.resume, show_progress=not (args.no_progress or args.quiet))
    dev = result.get("dev")
    summary = f"dev word F1 {dev['word']['f1']:.4f}, span F1 {dev['span']['f1']:.4f}" if dev else "no dev set"
    print(f"saved {cfg.output_dir} (backbone: {result['backbone']}, best epoch {result['best_epoch']}, {summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
