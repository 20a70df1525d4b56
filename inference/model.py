"""Load a trained model directory once and extract deal spans from text.

A model directory is what ``training.train`` writes: ``config.json`` (with ``id2label``
and the window settings the model was trained with), ``model.safetensors`` and the
tokenizer. Only safetensors weights are read and no code from the directory is ever
executed (``trust_remote_code=False``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safetensors import SafetensorError

from inference.deals import deals_from_spans
from inference.decoding import check_threshold, predict_spans
from inference.encoding import Forward, WindowSettings
from inference.linking import load_linker
from inference.runtimes import get_runtime
from labeling.exceptions import BrokenModelError, DealExtractionError, ModelNotFoundError
from labeling.labels import TAGS
from labeling.link import Linker, link_by_sentence
from labeling.records import Span

MODEL_ENV = "DEAL_EXTRACTION_MODEL"
CACHE_ENV = "DEAL_EXTRACTION_CACHE"
REQUIRED_FILES = ("config.json", "tokenizer.json")
TRAIN_HINT = "train one with: python -m training.train (see README)"
#: What transformers, tokenizers and safetensors raise on a model file that is not what it should be: cut
#: short or not JSON (ValueError, SafetensorError), nested too deeply (RecursionError), of an unknown model
#: type (ValueError), of other tensor shapes (RuntimeError), a tokenizer.json of another layout (KeyError).
LOAD_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    ValueError,
    KeyError,
    TypeError,
    RecursionError,
    RuntimeError,
    SafetensorError,
)


def first_line(exc: BaseException) -> str:
    """``Type: first line of the message``: a library's error, short enough for one ``error:`` line."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


@contextmanager
def reading(path: Path, what: str) -> Iterator[None]:
    """A failure of the loading libraries on ``what`` of the model at ``path`` becomes a :class:`BrokenModelError`
    naming it; the project's own errors pass through, and so does anything else (a bug)."""
    try:
        yield
    except DealExtractionError:
        raise
    except LOAD_ERRORS as exc:
        raise BrokenModelError(f"cannot load {what} of the model at {path}: {first_line(exc)}") from exc


def cache_dir() -> Path:
    """The project's folder for built backbones and the default model: ``$DEAL_EXTRACTION_CACHE``, else the
    user's cache folder (never the current directory, so ``predict()`` finds the model from anywhere)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "arabic-deal-extraction"


def default_model_dir() -> Path:
    """``$DEAL_EXTRACTION_MODEL`` when set, else ``models/default`` in :func:`cache_dir` (where training writes
    unless told otherwise)."""
    return Path(os.environ.get(MODEL_ENV) or cache_dir() / "models" / "default").expanduser()


def check_model_dir(path: Path, runtime: str = "torch") -> None:
    if not path.is_dir():
        raise ModelNotFoundError(f"no model directory at {path}; {TRAIN_HINT}")
    weights = get_runtime(runtime)
    missing = [f for f in REQUIRED_FILES + (weights.file,) if not (path / f).is_file()]
    if missing:
        hint = TRAIN_HINT if weights.file not in missing or len(missing) > 1 else f"make it with: {weights.made_by}"
        raise ModelNotFoundError(f"model directory {path} is incomplete (missing {', '.join(missing)}); {hint}")


def max_positions(config: Any) -> int:
    """The longest window the position embeddings allow (RoBERTa-style models reserve ``pad_token_id + 1``)."""
    n = int(getattr(config, "max_position_embeddings", 512))
    if getattr(config, "model_type", "") in ("roberta", "xlm-roberta", "camembert"):
        n -= int(getattr(config, "pad_token_id", 1) or 0) + 1
    return n


def check_labels(config: Any, path: Path) -> None:
    """Refuse a model of other labels (a NER checkpoint, a stale directory) before it gives wrong spans."""
    labels = [config.id2label.get(i) for i in range(config.num_labels)]
    if labels != list(TAGS):
        raise ModelNotFoundError(f"model at {path} has labels {labels}, expected {list(TAGS)}; {TRAIN_HINT}")


def window_settings(
    config: Any, path: Path, max_length: int | None = None, stride: int | None = None, context: str | None = None
) -> WindowSettings:
    """The model's own window settings (from ``config.json``), with the caller's overrides.

    A longer ``max_length`` than in training reads long documents in fewer windows (faster; see
    ``inference.bench --max-length``) and is allowed up to what the position embeddings hold.
    """
    try:
        trained = WindowSettings.from_config(config)
    except ValueError as exc:
        raise ModelNotFoundError(
            f"model directory {path}: {exc}; retrain it with this version ({TRAIN_HINT})"
        ) from None
    settings = WindowSettings(
        trained.max_length if max_length is None else max_length,
        trained.stride if stride is None else stride,
        context or trained.context,
    )
    if settings.max_length > max_positions(config):
        raise ValueError(
            f"max_length {settings.max_length} is longer than the model's position embeddings "
            f"allow ({max_positions(config)})"
        )
    return settings


@dataclass
class DealExtractor:
    """A loaded model: call :meth:`predict` or :meth:`predict_batch` as often as needed."""

    model: Any  # the PyTorch model (None for the ONNX runtimes)
    tokenizer: Any
    path: Path
    backbone: str
    settings: WindowSettings  # how the model reads text (from its config.json, or the caller's overrides)
    forward: Forward  # the runtime's model call on a padded batch
    runtime: str = "torch"
    threshold: float = 0.0  # spans scoring below it are left out, unless a call gives its own
    linker: Linker = link_by_sentence  # which spans form one deal: the directory's linker.json, else by sentence

    @property
    def max_length(self) -> int:
        return self.settings.max_length

    @property
    def stride(self) -> int:
        return self.settings.stride

    @property
    def context(self) -> str:
        return self.settings.context

    def predict(self, text: str, threshold: float | None = None) -> list[dict]:
        """Spans in ``text``: ``{"label", "text", "start", "end", "score"}``, sorted by ``start``;
        spans scoring below ``threshold`` (default: the model's :attr:`threshold`) are left out."""
        if not isinstance(text, str):
            raise TypeError(f"predict() expects str, got {type(text).__name__}")
        return self.predict_batch([text], threshold=threshold)[0]

    def predict_batch(
        self, texts: Sequence[str], batch_size: int = 16, threshold: float | None = None
    ) -> list[list[dict]]:
        """:meth:`predict` for many texts at once (windows of all texts are batched together)."""
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise TypeError("predict_batch() expects a list of strings")
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"predict() expects str, got {type(t).__name__}")
        threshold = self.threshold if threshold is None else threshold
        spans = predict_spans(self.forward, self.tokenizer, texts, self.settings, batch_size, threshold)
        return [[s.as_dict() for s in doc] for doc in spans]

    def extract_deals(self, text: str, threshold: float | None = None) -> list[dict]:
        """The deals in ``text`` (see :mod:`inference.deals`): its spans grouped, sums read as numbers."""
        return deals_from_spans(text, self.predict(text, threshold=threshold), self.linker)

    def extract_deals_batch(
        self, texts: Sequence[str], batch_size: int = 16, threshold: float | None = None
    ) -> list[list[dict]]:
        """:meth:`extract_deals` for many texts at once."""
        spans = self.predict_batch(texts, batch_size=batch_size, threshold=threshold)
        return [deals_from_spans(text, found, self.linker) for text, found in zip(texts, spans)]


def load_model(
    path: str | os.PathLike | None = None,
    runtime: str = "torch",
    threads: int | None = None,
    context: str | None = None,
    max_length: int | None = None,
    stride: int | None = None,
    threshold: float = 0.0,
) -> DealExtractor:
    """Load a model directory (default: :func:`default_model_dir`).

    ``runtime`` is a name of ``inference.runtimes.RUNTIMES``: ``"torch"`` (safetensors weights),
    ``"onnx"`` or ``"onnx_int8"`` (files made by ``python -m inference.export``); all give the
    same output format. ``threads`` sets the CPU threads (default: all cores). ``context``,
    ``max_length`` and ``stride`` override the window settings the model was trained with.
    ``threshold`` is the least span score kept by default (0: every span).
    """
    from transformers import AutoConfig, AutoTokenizer
    from transformers.utils import logging as hf_logging

    loader = get_runtime(runtime)
    hf_logging.disable_progress_bar()
    path = Path(path) if path is not None else default_model_dir()
    check_model_dir(path, runtime)
    with reading(path, "config.json"):
        config = AutoConfig.from_pretrained(path, trust_remote_code=False, local_files_only=True)
    check_labels(config, path)
    settings = window_settings(config, path, max_length, stride, context)
    with reading(path, "the tokenizer (tokenizer.json)"):
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False, local_files_only=True)
    with reading(path, loader.file):
        model, forward = loader.load(path, threads)
    backbone = getattr(config, "backbone", None) or "unknown"
    linker = load_linker(path) or link_by_sentence
    return DealExtractor(
        model, tokenizer, path, backbone, settings, forward, runtime, check_threshold(threshold), linker
    )


def as_spans(predicted: Sequence[dict]) -> list[Span]:
    """The record-format spans of a :meth:`DealExtractor.predict` result (scores dropped)."""
    return [Span(s["start"], s["end"], s["label"], s["text"]) for s in predicted]


_LOADED: dict[Path, DealExtractor] = {}
_LOADING = threading.Lock()


def _shared_model(model: DealExtractor | str | os.PathLike | None) -> DealExtractor:
    """The given model, or the directory's model loaded once, even when many threads ask at once."""
    if isinstance(model, DealExtractor):
        return model
    key = (Path(model) if model is not None else default_model_dir()).resolve()
    with _LOADING:
        if key not in _LOADED:
            _LOADED[key] = load_model(key)
        return _LOADED[key]


def predict(
    text: str, model: DealExtractor | str | os.PathLike | None = None, threshold: float | None = None
) -> list[dict]:
    """Deal spans in ``text``; the model (default directory unless given) is loaded once, even from many threads."""
    if not isinstance(text, str):
        raise TypeError(f"predict() expects str, got {type(text).__name__}")
    if threshold is not None:
        check_threshold(threshold)
    if not text.strip():
        return []
    return _shared_model(model).predict(text, threshold=threshold)


def extract_deals(
    text: str, model: DealExtractor | str | os.PathLike | None = None, threshold: float | None = None
) -> list[dict]:
    """The deals in ``text``: ``{"investors", "amounts", "valuations", "projects", "sentence"}`` each.

    Each part is a list of span dicts as :func:`predict` gives them; amounts and valuations also carry
    ``value`` (a number, or None for a vague sum), ``currency`` (ISO 4217, or "") and ``qualifier``.
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_deals() expects str, got {type(text).__name__}")
    return _shared_model(model).extract_deals(text, threshold) if text.strip() else []
