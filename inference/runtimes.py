"""The runtimes a model directory can be served with: one map from name to file and loader.

``load_model(runtime=...)``, ``inference.export`` and ``inference.bench`` all read
:data:`RUNTIMES`, so a runtime is named and located the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference.encoding import Forward
from labeling.exceptions import BrokenWeightsError

#: ``(model or None, forward)`` for a model directory and a CPU thread count.
Loader = Callable[[Path, "int | None"], "tuple[Any, Forward]"]


@dataclass(frozen=True)
class Runtime:
    name: str
    file: str  # the weights, relative to the model directory
    load: Loader
    made_by: str  # the command that writes ``file``


def _load_torch(path: Path, threads: int | None) -> tuple[Any, Forward]:
    import torch
    from transformers import AutoModelForTokenClassification

    from inference.encoding import torch_forward

    if threads:
        torch.set_num_threads(threads)
    model, info = AutoModelForTokenClassification.from_pretrained(
        path, use_safetensors=True, trust_remote_code=False, local_files_only=True, output_loading_info=True
    )
    # transformers fills a missing or misshapen tensor with random values and only warns: that model predicts garbage.
    missing = list(info.get("missing_keys") or []) + [str(k[0]) for k in info.get("mismatched_keys") or []]
    if missing:
        raise BrokenWeightsError(
            f"{path / 'model.safetensors'} lacks or misshapes {len(missing)} tensor(s): "
            f"{', '.join(sorted(missing)[:5])}"
        )
    broken = [
        name
        for name, tensor in model.state_dict().items()
        if tensor.is_floating_point() and not torch.isfinite(tensor).all()
    ]
    if broken:
        raise BrokenWeightsError(
            f"{path / 'model.safetensors'} holds NaN or infinite values in "
            f"{len(broken)} tensor(s): {', '.join(broken[:5])}"
        )
    if torch.cuda.is_available():
        model.to("cuda")
    return model, torch_forward(model)


def _onnx_loader(name: str) -> Loader:
    def load(path: Path, threads: int | None) -> tuple[Any, Forward]:
        from inference.onnx_runtime import onnx_forward

        return None, onnx_forward(path / RUNTIMES[name].file, threads)

    return load


ONNX_DIR = "onnx"
RUNTIMES: dict[str, Runtime] = {
    "torch": Runtime("torch", "model.safetensors", _load_torch, "python -m training.train"),
    "onnx": Runtime("onnx", f"{ONNX_DIR}/model.onnx", _onnx_loader("onnx"), "python -m inference.export"),
    "onnx_int8": Runtime(
        "onnx_int8", f"{ONNX_DIR}/model_int8.onnx", _onnx_loader("onnx_int8"), "python -m inference.export"
    ),
}


def get_runtime(name: str) -> Runtime:
    if name not in RUNTIMES:
        raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}, got {name!r}")
    return RUNTIMES[name]
