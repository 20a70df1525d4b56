"""ONNX export of a model directory (fp32 and int8 dynamic quantization) and its forward call.

    python -m inference.export --model runs/default        # writes runs/default/onnx/

The ONNX files sit in ``DIR/onnx/`` (``inference.runtimes``) next to the safetensors weights, and
``load_model(DIR, runtime="onnx")`` or ``runtime="onnx_int8"`` uses them through the same
``predict`` API and output format.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from inference.runtimes import RUNTIMES


class _LogitsOnly(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits


def export_onnx(model, model_dir: Path, opset: int = 17) -> dict[str, Path]:
    """Write the ``onnx`` (fp32) and ``onnx_int8`` (dynamic int8 weights) runtimes' files into ``model_dir``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32, int8 = model_dir / RUNTIMES["onnx"].file, model_dir / RUNTIMES["onnx_int8"].file
    fp32.parent.mkdir(parents=True, exist_ok=True)
    model = model.eval().to("cpu")
    dummy = (torch.ones((2, 16), dtype=torch.long), torch.ones((2, 16), dtype=torch.long))
    tmp = fp32.with_suffix(".tmp.onnx")
    with torch.inference_mode():
        torch.onnx.export(
            _LogitsOnly(model),
            dummy,
            str(tmp),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            opset_version=opset,
            dynamo=False,
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "logits": {0: "batch", 1: "seq"},
            },
        )
    os.replace(tmp, fp32)
    tmp = int8.with_suffix(".tmp.onnx")
    quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
    os.replace(tmp, int8)
    return {"onnx": fp32, "onnx_int8": int8}


def onnx_forward(path: Path, threads: int | None = None):
    """A :data:`inference.encoding.Forward` backed by an onnxruntime CPU session."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or (os.cpu_count() or 1)
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def forward(batch: dict[str, torch.Tensor]) -> np.ndarray:
        feeds = {
            "input_ids": batch["input_ids"].numpy().astype(np.int64),
            "attention_mask": batch["attention_mask"].numpy().astype(np.int64),
        }
        return session.run(["logits"], feeds)[0]

    return forward
