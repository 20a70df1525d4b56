"""Words to model inputs and back: sub-token alignment, overlapping windows, the forward seam.

Inference owns this module and training imports it, so a word is split into sub-tokens,
cut into windows and labeled the same way on both sides. Documents longer than
``max_length`` become overlapping windows (``stride`` sub-tokens shared by neighbours);
nothing is silently truncated. The settings a model was trained with travel in its
``config.json`` (:class:`WindowSettings`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerFast

from labeling.labels import TAG2ID
from labeling.records import has_lone_surrogate

IGNORE = -100
#: What the model reads at once: whole documents (cut into overlapping windows when long), or
#: each sentence alone (model_card.md, "Context size", compares the two).
CONTEXTS = ("document", "sentence")
SENTENCE_END = frozenset({".", "؟", "?", "!", "…"})


#: The key of the window settings in a model's ``config.json``.
CONFIG_KEY = "windows"


@dataclass(frozen=True)
class WindowSettings:
    """How a model reads text: ``max_length`` sub-tokens per window, ``stride`` shared by neighbours, and
    whether it reads whole documents or one sentence at a time (``context``)."""

    max_length: int
    stride: int
    context: str = "document"

    def __post_init__(self) -> None:
        if (
            isinstance(self.max_length, bool)
            or not isinstance(self.max_length, int)
            or not 16 <= self.max_length <= 4096
        ):
            raise ValueError(f"max_length must be an integer between 16 and 4096, got {self.max_length!r}")
        if (
            isinstance(self.stride, bool)
            or not isinstance(self.stride, int)
            or not 0 <= self.stride < self.max_length // 2
        ):
            raise ValueError(f"stride must be an integer in [0, max_length/2), got {self.stride!r}")
        if self.context not in CONTEXTS:
            raise ValueError(f"context must be one of {', '.join(CONTEXTS)}, got {self.context!r}")

    def to_config(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_config(cls, config: Any) -> WindowSettings:
        """The settings saved in a model's config (``config.windows``); ValueError when absent or invalid."""
        raw = getattr(config, CONFIG_KEY, None)
        if not isinstance(raw, dict):
            raise ValueError(f"config.json has no '{CONFIG_KEY}' mapping (max_length, stride, context)")
        unknown = set(raw) - {"max_length", "stride", "context"}
        if unknown or "max_length" not in raw or "stride" not in raw:
            raise ValueError(f"config.json '{CONFIG_KEY}' must hold max_length, stride and context, got {raw!r}")
        return cls(raw["max_length"], raw["stride"], raw.get("context", "document"))


@dataclass
class Window:
    doc: int  # index of the document in the batch given to encode_documents
    input_ids: list[int]
    word_ids: list[int | None]  # the word each sub-token belongs to (None for [CLS]/[SEP])
    labels: list[int] | None = None


def _encodable(word: str) -> str:
    """Lone surrogates cannot reach the Rust tokenizer; U+FFFD keeps the word (and its offsets) in place."""
    if has_lone_surrogate(word):
        return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in word)
    return word


def _inside_tag(tag: str) -> str:
    return "I-" + tag[2:] if tag.startswith("B-") else tag


def text_pieces(words: Sequence[str], context: str) -> list[tuple[int, int]]:
    """The ``[start, end)`` word ranges read as one text: the document, or each sentence."""
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {', '.join(CONTEXTS)}, got {context!r}")
    if context == "document" or not words:
        return [(0, len(words))] if words else []
    pieces, start = [], 0
    for i, word in enumerate(words):
        if word in SENTENCE_END:
            pieces.append((start, i + 1))
            start = i + 1
    if start < len(words):
        pieces.append((start, len(words)))
    return pieces


def encode_documents(
    tokenizer: PreTrainedTokenizerFast,
    documents: Sequence[Sequence[str]],
    tags: Sequence[Sequence[str]] | None = None,
    max_length: int = 256,
    stride: int = 64,
    label_all_subtokens: bool = False,
    context: str = "document",
) -> list[Window]:
    """Windows for word-split documents; with ``tags``, each window carries aligned labels.

    The first sub-token of a word carries its tag; the others are ignored, or with
    ``label_all_subtokens`` carry the I- form of it. Word ids are the document's, whatever
    the ``context``.
    """
    windows: list[Window] = []
    for doc, words in enumerate(documents):
        for start, end in text_pieces(words, context):
            windows += _encode_piece(tokenizer, doc, words, start, end, tags, max_length, stride, label_all_subtokens)
    return windows


def _encode_piece(
    tokenizer,
    doc: int,
    words: Sequence[str],
    start: int,
    end: int,
    tags,
    max_length: int,
    stride: int,
    label_all_subtokens: bool,
) -> list[Window]:
    windows: list[Window] = []
    enc = tokenizer(
        [_encodable(w) for w in words[start:end]],
        is_split_into_words=True,
        truncation=True,
        max_length=max_length,
        stride=stride,
        return_overflowing_tokens=True,
    )
    for w in range(len(enc["input_ids"])):
        word_ids = [None if wid is None else wid + start for wid in enc.word_ids(w)]
        labels = None
        if tags is not None:
            labels, previous = [], None
            for wid in word_ids:
                if wid is None:
                    labels.append(IGNORE)
                elif wid != previous:
                    labels.append(TAG2ID[tags[doc][wid]])
                else:
                    labels.append(TAG2ID[_inside_tag(tags[doc][wid])] if label_all_subtokens else IGNORE)
                previous = wid
        windows.append(Window(doc, enc["input_ids"][w], word_ids, labels))
    return windows


def collate(windows: Sequence[Window], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad to the longest window of the batch only."""
    longest = max(len(w.input_ids) for w in windows)
    ids = torch.full((len(windows), longest), pad_id, dtype=torch.long)
    mask = torch.zeros((len(windows), longest), dtype=torch.long)
    labels = torch.full((len(windows), longest), IGNORE, dtype=torch.long)
    for i, w in enumerate(windows):
        n = len(w.input_ids)
        ids[i, :n] = torch.tensor(w.input_ids)
        mask[i, :n] = 1
        if w.labels is not None:
            labels[i, :n] = torch.tensor(w.labels)
    batch = {"input_ids": ids, "attention_mask": mask}
    if any(w.labels is not None for w in windows):
        batch["labels"] = labels
    return batch


#: A model call on a padded batch: ``{"input_ids", "attention_mask"}`` -> logits ``(batch, seq, n_tags)``.
Forward = Callable[[dict[str, torch.Tensor]], np.ndarray]


def torch_forward(model: PreTrainedModel) -> Forward:
    """The forward call of a PyTorch token classifier, in eval and inference mode, on its own device."""
    model.eval()
    device = next(model.parameters()).device

    @torch.inference_mode()
    def forward(batch: dict[str, torch.Tensor]) -> np.ndarray:
        logits = model(
            input_ids=batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device)
        ).logits
        return logits.float().cpu().numpy()

    return forward


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def word_probabilities(
    model: PreTrainedModel | Forward,
    tokenizer: PreTrainedTokenizerFast,
    documents: Sequence[Sequence[str]],
    settings: WindowSettings,
    batch_size: int = 16,
) -> list[np.ndarray]:
    """Per document, an ``(n_words, n_tags)`` array of tag probabilities.

    ``model`` is a PyTorch token classifier or any :data:`Forward` (the ONNX runtime's).
    Windows are sorted by length and batched, padded only to the longest of their batch.
    A word's probabilities come from its first sub-token; where windows overlap, the
    predictions of every window holding the word are averaged. A word that produced no
    sub-token gets all its mass on ``O``.
    """
    forward = torch_forward(model) if isinstance(model, PreTrainedModel) else model
    n_tags = len(TAG2ID)
    sums = [np.zeros((len(words), n_tags), dtype=np.float64) for words in documents]
    counts = [np.zeros(len(words), dtype=np.int64) for words in documents]
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    windows = encode_documents(
        tokenizer, documents, max_length=settings.max_length, stride=settings.stride, context=settings.context
    )
    order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))  # length buckets
    for b in range(0, len(order), batch_size):
        chunk = [windows[i] for i in order[b : b + batch_size]]
        probs = _softmax(forward(collate(chunk, tokenizer.pad_token_id)).astype(np.float64))
        for row, window in enumerate(chunk):
            previous = None
            for pos, wid in enumerate(window.word_ids):
                if wid is not None and wid != previous:
                    sums[window.doc][wid] += probs[row, pos]
                    counts[window.doc][wid] += 1
                previous = wid
    out = []
    for s, c in zip(sums, counts):
        missing = c == 0
        s[missing, TAG2ID["O"]] = 1.0
        c[missing] = 1
        out.append(s / c[:, None])
    return out
