"""Load a trained model directory once and extract deal spans from text.

A model directory is what ``training.train`` writes: ``config.json`` (with
``id2label``), ``model.safetensors`` and the tokenizer. Only safetensors weights are
read and no code from the directory is ever executed (``trust_remote_code=False``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import yaml

from labeling.exceptions import ModelNotFoundError
from labeling.iob import decode, decode_probabilities
from labeling.labels import TAG2ID, TAGS
from labeling.records import Span
from labeling.tokenize import tokenize

MODEL_ENV = "DEAL_EXTRACTION_MODEL"
DEFAULT_MODEL_DIR = "runs/default"
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")
TRAIN_HINT = "train one with: python -m training.train --output-dir DIR (see README)"


def default_model_dir() -> Path:
    """``$DEAL_EXTRACTION_MODEL`` when set, else ``runs/default`` (where the README's training command writes)."""
    return Path(os.environ.get(MODEL_ENV) or DEFAULT_MODEL_DIR)


def check_model_dir(path: Path) -> None:
    if not path.is_dir():
        raise ModelNotFoundError(f"no model directory at {path}; {TRAIN_HINT}")
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise ModelNotFoundError(f"model directory {path} is incomplete (missing {', '.join(missing)}); {TRAIN_HINT}")


def _window_settings(path: Path, tokenizer) -> tuple[int, int, str]:
    """The window length, stride and context the model was trained with."""
    cfg_path = path / "training_config.yaml"
    if cfg_path.is_file():
        cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
        return int(cfg.get("max_length", 128)), int(cfg.get("stride", 32)), str(cfg.get("context", "document"))
    return min(int(tokenizer.model_max_length or 512), 512), 64, "document"


RUNTIMES = ("torch", "onnx", "onnx_int8")


@dataclass
class DealExtractor:
    """A loaded model: call :meth:`predict` or :meth:`predict_batch` as often as needed."""

    model: object                 # the PyTorch model (None for the ONNX runtimes)
    tokenizer: object
    path: Path
    backbone: str
    max_length: int
    stride: int
    runtime: str = "torch"
    forward: object = None        # training.windows.Forward used for every batch
    context: str = "document"     # what the model reads at once: "document" windows or each "sentence"

    def predict(self, text: str) -> list[dict]:
        return self.predict_batch([text])[0]

    def predict_batch(self, texts: Sequence[str], batch_size: int = 16) -> list[list[dict]]:
        """Spans for each text: ``{"label", "text", "start", "end", "score"}``, sorted by ``start``."""
        from training.windows import word_probabilities

        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise TypeError("predict_batch() expects a list of strings")
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"predict() expects str, got {type(t).__name__}")
        token_lists = [tokenize(t) if t.strip() else [] for t in texts]
        probs = word_probabilities(self.forward, self.tokenizer, [[tok.text for tok in toks] for toks in token_lists],
                                   self.max_length, self.stride, batch_size=batch_size, context=self.context)
        results = []
        for text, tokens, p in zip(texts, token_lists, probs):
            if not tokens:
                results.append([])
                continue
            tags = decode_probabilities(p)
            chosen = np.array([TAG2ID[t] for t in tags])
            spans = []
            for run, span in decode(text, tokens, tags):
                score = float(np.mean(p[np.arange(run.first, run.last + 1), chosen[run.first:run.last + 1]]))
                spans.append({"label": span.label, "text": span.text, "start": span.start, "end": span.end,
                              "score": round(score, 4)})
            results.append(sorted(spans, key=lambda s: s["start"]))
        return results


def load_model(path: str | os.PathLike | None = None, runtime: str = "torch", threads: int | None = None,
               context: str | None = None) -> DealExtractor:
    """Load a model directory (default: :func:`default_model_dir`).

    ``runtime`` is ``"torch"`` (safetensors weights), ``"onnx"`` or ``"onnx_int8"`` (files made by
    ``python -m inference.export``); all give the same output format. ``threads`` sets the CPU
    threads (default: all cores). ``context`` overrides the one the model was trained with.
    """
    import torch
    from transformers import AutoConfig, AutoModelForTokenClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from training.windows import torch_forward

    if runtime not in RUNTIMES:
        raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}, got {runtime!r}")
    hf_logging.disable_progress_bar()
    path = Path(path) if path is not None else default_model_dir()
    check_model_dir(path)
    if threads:
        torch.set_num_threads(threads)
    tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False, local_files_only=True)
    config = AutoConfig.from_pretrained(path, trust_remote_code=False, local_files_only=True)
    labels = [config.id2label[i] for i in range(config.num_labels)]
    if labels != list(TAGS):
        raise ModelNotFoundError(f"model at {path} has labels {labels}, expected {list(TAGS)}; {TRAIN_HINT}")
    model = None
    if runtime == "torch":
        model = AutoModelForTokenClassification.from_pretrained(
            path, use_safetensors=True, trust_remote_code=False, local_files_only=True)
        if torch.cuda.is_available():
            model.to("cuda")
        forward = torch_forward(model)
    else:
        from inference.onnx_runtime import FILES, ONNX_DIR, onnx_forward

        onnx_path = path / ONNX_DIR / FILES[runtime]
        if not onnx_path.is_file():
            raise ModelNotFoundError(f"no {onnx_path}; export it with: python -m inference.export --model {path}")
        forward = onnx_forward(onnx_path, threads)
    max_length, stride, trained_context = _window_settings(path, tokenizer)
    context = context or trained_context
    if context not in ("document", "sentence"):
        raise ValueError(f"context must be document or sentence, got {context!r}")
    backbone = getattr(config, "backbone", None) or "unknown"
    return DealExtractor(model, tokenizer, path, backbone, max_length, stride, runtime, forward, context)


def as_spans(predicted: Sequence[dict]) -> list[Span]:
    """The record-format spans of a :meth:`DealExtractor.predict` result (scores dropped)."""
    return [Span(s["start"], s["end"], s["label"], s["text"]) for s in predicted]


_LOADED: dict[Path, DealExtractor] = {}


def predict(text: str, model: DealExtractor | str | os.PathLike | None = None) -> list[dict]:
    """Deal spans in ``text``; the model (default directory unless given) is loaded once and reused."""
    if not isinstance(text, str):
        raise TypeError(f"predict() expects str, got {type(text).__name__}")
    if not text.strip():
        return []
    if not isinstance(model, DealExtractor):
        key = (Path(model) if model is not None else default_model_dir()).resolve()
        if key not in _LOADED:
            _LOADED[key] = load_model(key)
        model = _LOADED[key]
    return model.predict(text)
