"""Speed and accuracy of every runtime, measured in one run on one machine.

    python -m inference.bench --model runs/default --input data/splits/test.jsonl --output docs/benchmarks.json

``--output F.json`` writes the figures there and the markdown table beside it (``F.md``).
Speed (tokens/s, documents/s over the texts of ``--input``; p50/p95 latency of a single
100-word passage) is measured by default on an **AraBERT-base-sized architecture with random
weights** (12 layers, hidden 768, 64k vocabulary): speed does not depend on the weights,
and the machine has no hub access to fetch AraBERT itself. ``--speed-on trained`` times the
trained model of ``--model`` instead (e.g. the offline e5-small backbone). Span F1 is that of the trained
model given with ``--model`` on ``--input``, run through each runtime. Runtimes:
``transformers.pipeline("token-classification", aggregation_strategy="simple")``, our
PyTorch path, our ONNX fp32 path and our ONNX int8 (dynamic quantization) path.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from inference.encoding import WindowSettings
from inference.metrics import score
from inference.model import as_spans, load_model
from inference.onnx_runtime import export_onnx
from inference.runtimes import RUNTIMES as OUR_RUNTIMES
from labeling.cli import Parser, add_common, add_input, add_model, add_output, check_output, parse, positive_int, run
from labeling.exceptions import UsageError
from labeling.labels import ID2TAG, TAG2ID
from labeling.records import Record, atomic_write_text, load_records
from labeling.tokenize import tokenize
from labeling.trim import trim_span

log = logging.getLogger(__name__)
#: The plain transformers pipeline as the reference, then each of our runtimes (inference.runtimes).
RUNTIMES = ("pipeline",) + tuple(OUR_RUNTIMES)


def build_base_sized(tokenizer, out: Path, seed: int = 0) -> Path:
    """A randomly initialised BERT of AraBERT-base's shape, saved as a model directory."""
    from transformers import BertConfig, BertForTokenClassification

    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=max(64_000, len(tokenizer)),
        hidden_size=768,
        num_hidden_layers=12,
        num_attention_heads=12,
        intermediate_size=3072,
        max_position_embeddings=512,
        num_labels=len(ID2TAG),
        id2label=dict(ID2TAG),
        label2id=dict(TAG2ID),
    )
    model = BertForTokenClassification(config)
    model.config.backbone = "random-base-sized"
    model.config.windows = WindowSettings(128, 32).to_config()
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    export_onnx(model, out)
    return out


def pipeline_runner(model_dir: Path) -> Callable[[list[str]], list[list[dict]]]:
    """The plain transformers pipeline, its entities turned into our trimmed spans."""
    from transformers import pipeline

    tagger = pipeline("token-classification", model=str(model_dir), aggregation_strategy="simple", device=-1)

    def run(texts: list[str]) -> list[list[dict]]:
        outputs = tagger(texts)
        results = []
        for text, entities in zip(texts, outputs):
            spans = []
            for e in entities:
                bounds = trim_span(text, int(e["start"]), int(e["end"]), e["entity_group"])
                if bounds:
                    spans.append(
                        {
                            "label": e["entity_group"],
                            "start": bounds[0],
                            "end": bounds[1],
                            "text": text[bounds[0] : bounds[1]],
                            "score": float(e["score"]),
                        }
                    )
            results.append(_non_overlapping(spans))
        return results

    return run


def _non_overlapping(spans: list[dict]) -> list[dict]:
    kept, end = [], -1
    for s in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        if s["start"] >= end:
            kept.append(s)
            end = s["end"]
    return kept


def runner(
    name: str, model_dir: Path, threads: int | None, max_length: int | None = None
) -> Callable[[list[str]], list[list[dict]]]:
    if name == "pipeline":
        return pipeline_runner(model_dir)
    model = load_model(model_dir, runtime=name, threads=threads, max_length=max_length)
    return lambda texts: model.predict_batch(texts, batch_size=32)


def measure_window_lengths(
    model_dir: Path, lengths: list[int], texts: list[str], n_tokens: int, gold: list[Record], threads: int | None
) -> dict[int, dict]:
    """Speed and span F1 of the torch runtime reading the same texts in windows of each length: a model may
    read longer windows than it was trained on (up to its position embeddings)."""
    out = {}
    for length in lengths:
        figures, outputs = throughput(runner("torch", model_dir, threads, max_length=length), texts, n_tokens)
        out[length] = {**figures, "span_f1": span_f1_of(gold, outputs)}  # texts are gold's: score the timed run
    return out


def passage_of(texts: list[str], n_words: int = 100) -> str:
    words: list[str] = []
    for t in texts:
        words += [tok.text for tok in tokenize(t)]
        if len(words) >= n_words:
            break
    return " ".join(words[:n_words])


def throughput(run, texts: list[str], n_tokens: int) -> tuple[dict, list[list[dict]]]:
    """Tokens and documents per second over ``texts`` after a warm-up, and what the run returned."""
    run(texts[:4])  # warm-up
    start = time.perf_counter()
    outputs = run(texts)
    elapsed = time.perf_counter() - start
    return {"tokens_per_s": n_tokens / elapsed, "docs_per_s": len(texts) / elapsed}, outputs


def measure_speed(run, texts: list[str], n_tokens: int, passage: str, latency_runs: int) -> dict:
    figures, _ = throughput(run, texts, n_tokens)
    run([passage])
    latencies = []
    for _ in range(latency_runs):
        t0 = time.perf_counter()
        run([passage])
        latencies.append((time.perf_counter() - t0) * 1000)
    q = statistics.quantiles(latencies, n=20, method="inclusive")
    return {
        **figures,
        "p50_ms": statistics.median(latencies),
        "p95_ms": q[18],
    }


def span_f1(run, gold: list[Record]) -> float:
    return span_f1_of(gold, run([r.text for r in gold]))


def span_f1_of(gold: list[Record], outputs: list[list[dict]]) -> float:
    pred = [Record(r.id, r.text, as_spans(spans)) for r, spans in zip(gold, outputs)]
    return score(gold, pred)["span"]["f1"]


def machine() -> dict:
    import onnxruntime
    import transformers

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30 if hasattr(os, "sysconf") else None
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "memory_gib": round(mem, 1) if mem else None,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "onnxruntime": onnxruntime.__version__,
        "platform": platform.platform(),
    }


def markdown(result: dict, args: argparse.Namespace) -> str:
    m = result["machine"]
    if args.speed_on == "trained":
        speed_model = f"the trained model `{args.model}` itself (backbone `{result['trained_backbone']}`)"
    else:
        speed_model = "AraBERT-base-sized architecture (12 layers, hidden 768) with **random weights**"
    lines = [
        "# Inference benchmarks",
        "",
        f"Written by `python -m inference.bench --model {args.model} --input {args.input}"
        f"{' --speed-on trained' if args.speed_on == 'trained' else ''}` "
        f"on {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['platform']}; "
        f"Python {m['python']}, torch {m['torch']}, transformers {m['transformers']}, "
        f"onnxruntime {m['onnxruntime']}.",
        "",
        f"Speed columns: {speed_model}, "
        f"over the {result['n_docs']} texts of `{args.input}` ({result['n_tokens']} sub-tokens); latency of "
        f"one 100-word passage over {args.latency_runs} runs. Span F1: the trained model `{args.model}` "
        f"(backbone `{result['trained_backbone']}`) through each runtime on the same file.",
        "",
        "| runtime | tokens/s | docs/s | p50 ms | p95 ms | × pipeline | span F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    base = result["runtimes"]["pipeline"]["tokens_per_s"]
    for name, r in result["runtimes"].items():
        lines.append(
            f"| {name} | {r['tokens_per_s']:.0f} | {r['docs_per_s']:.2f} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {r['tokens_per_s'] / base:.2f} | {r['span_f1']:.4f} |"
        )
    if result.get("window_lengths"):
        w = result["trained_windows"]
        lines += [
            "",
            f"Window length at inference (torch runtime, trained model; it was trained on windows of "
            f"{w['max_length']} sub-tokens, stride {w['stride']}, context `{w['context']}`):",
            "",
            "| max_length | tokens/s | docs/s | span F1 |",
            "|---:|---:|---:|---:|",
        ]
        for length, r in result["window_lengths"].items():
            lines.append(f"| {length} | {r['tokens_per_s']:.0f} | {r['docs_per_s']:.2f} | {r['span_f1']:.4f} |")
    return "\n".join(lines) + "\n"


def build_parser() -> Parser:
    parser = Parser(prog="python -m inference.bench", description=__doc__)
    add_model(parser, "trained model directory (for span F1)")
    add_input(parser, "gold JSONL: texts to time and to score", aliases=["--data"])
    add_output(
        parser,
        "write the figures to this .json file and the markdown table beside it (.md)",
        required=False,
        aliases=["--json"],
    )
    parser.add_argument("--md", default=None, help=argparse.SUPPRESS)  # deprecated: the table's own path
    parser.add_argument("--latency-runs", type=positive_int, default=30, metavar="N")
    parser.add_argument(
        "--threads", type=positive_int, default=None, metavar="N", help="CPU threads (default: all cores)"
    )
    parser.add_argument(
        "--max-length",
        type=positive_int,
        nargs="*",
        default=[],
        metavar="N",
        help="also time the trained model's torch runtime reading windows of N sub-tokens (each N)",
    )
    parser.add_argument(
        "--speed-on",
        choices=["base-sized", "trained"],
        default="base-sized",
        help="time a random-weight AraBERT-base-sized model (default) or the trained model itself",
    )
    add_common(parser)
    return parser


def output_paths(output: str | None, md: str | None) -> tuple[Path | None, Path | None]:
    """Where the JSON figures and the markdown table go: ``F.json`` and ``F.md`` beside it."""
    if output is not None and Path(output).suffix != ".json":
        raise UsageError(f"--output must end in .json (the markdown table goes beside it as .md), got {output}")
    json_path = Path(output) if output else None
    md_path = Path(md) if md else json_path.with_suffix(".md") if json_path else None
    return json_path, md_path


@run
def main(argv: Sequence[str]) -> int:
    args = parse(build_parser(), argv)
    if args.md:
        log.warning("--md is deprecated; --output F.json writes the table beside the figures as F.md")
    json_path, md_path = output_paths(args.output, args.md)
    for path in (json_path, md_path):
        if path is not None:
            check_output(path, args.force, [args.input])
    if args.threads:
        torch.set_num_threads(args.threads)
    gold = load_records(args.input)
    texts = [r.text for r in gold]
    trained = load_model(args.model)
    if not all((Path(args.model) / r.file).is_file() for r in OUR_RUNTIMES.values()):
        export_onnx(trained.model, Path(args.model))
    n_tokens = sum(len(trained.tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts)
    passage = passage_of(texts)
    result: dict[str, Any] = {
        "runtimes": {},
        "machine": machine(),
        "n_docs": len(texts),
        "n_tokens": n_tokens,
        "trained_backbone": trained.backbone,
        "speed_model": trained.backbone if args.speed_on == "trained" else "random-weight AraBERT-base-sized BERT",
    }
    with tempfile.TemporaryDirectory() as tmp:
        base_dir = Path(args.model) if args.speed_on == "trained" else build_base_sized(trained.tokenizer, Path(tmp))
        for name in RUNTIMES:
            log.info("%s: timing on %s ...", name, result["speed_model"])
            speed = measure_speed(runner(name, base_dir, args.threads), texts, n_tokens, passage, args.latency_runs)
            speed["span_f1"] = span_f1(runner(name, Path(args.model), args.threads), gold)
            result["runtimes"][name] = speed
    if args.max_length:
        result["trained_windows"] = trained.settings.to_config()
        result["window_lengths"] = measure_window_lengths(
            Path(args.model), args.max_length, texts, n_tokens, gold, args.threads
        )
    table = markdown(result, args)
    print(table)
    if json_path:
        atomic_write_text(json_path, json.dumps(result, indent=2))
    if md_path:
        atomic_write_text(md_path, table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
