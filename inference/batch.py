"""Extraction over whole files: streamed, batched, resumable, one output line per input document.

Input is JSONL (records with ``text`` and optionally ``id``/``source``) or plain text (one
document per line). Output is JSONL in the record format (``labeling validate`` accepts
it); a document that cannot be processed gets ``{"id", "error"}`` instead and the run
goes on. Output is written to ``OUT.partial`` line by line and renamed to ``OUT`` at the
end, so a crash never leaves a half-written ``OUT`` and ``--resume`` continues after the
last complete line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from inference.model import DealExtractor
from labeling.records import has_lone_surrogate


@dataclass
class InputDoc:
    id: str
    text: str | None
    source: str = ""
    error: str | None = None


def iter_documents(path: Path) -> Iterator[InputDoc]:
    """Documents one at a time (constant memory); unreadable lines become error documents."""
    is_jsonl = path.suffix.lower() in (".jsonl", ".json", ".ndjson")
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        for lineno, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not is_jsonl:
                yield InputDoc(f"line-{lineno}", line)
                continue
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                yield InputDoc(f"line-{lineno}", None, error=f"bad JSON: {getattr(exc, 'msg', 'nested too deeply')}")
                continue
            if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
                yield InputDoc(f"line-{lineno}", None, error="expected an object with a string 'text'")
                continue
            yield InputDoc(str(raw.get("id", f"line-{lineno}")), raw["text"], str(raw.get("source", "")))


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def _complete_lines(partial: Path) -> int:
    """Keep the complete lines of an interrupted run; drop a torn last line."""
    if not partial.exists():
        return 0
    data = partial.read_bytes()
    keep = data[: data.rfind(b"\n") + 1]
    if len(keep) != len(data):
        partial.write_bytes(keep)
    return keep.count(b"\n")


def _result_line(doc: InputDoc, spans: list[dict] | None, error: str | None) -> tuple[str, bool]:
    out: dict[str, Any]
    if error is not None:
        out = {"id": doc.id, "source": doc.source, "error": error}
    else:
        out = {
            "id": doc.id,
            "source": doc.source,
            "text": doc.text,
            "spans": [{k: s[k] for k in ("start", "end", "label", "text", "score")} for s in spans or []],
        }
    # Lone surrogates cannot be written as UTF-8: escape that line as ASCII JSON instead.
    ascii_only = doc.text is not None and has_lone_surrogate(doc.text)
    return json.dumps(out, ensure_ascii=ascii_only) + "\n", error is not None


def _predict_chunk(model: DealExtractor, docs: list[InputDoc], batch_size: int) -> list[tuple[str, bool]]:
    ok = [d for d in docs if d.error is None]
    results: dict[int, tuple[list[dict] | None, str | None]] = {}
    try:
        for d, spans in zip(ok, model.predict_batch([d.text or "" for d in ok], batch_size=batch_size)):
            results[id(d)] = (spans, None)
    except Exception:  # isolate the failing document: retry one by one
        for d in ok:
            try:
                results[id(d)] = (model.predict(d.text or ""), None)
            except Exception as exc:  # noqa: BLE001 - reported in the output, the run goes on
                results[id(d)] = (None, f"{type(exc).__name__}: {exc}")
    return [_result_line(d, *results.get(id(d), (None, d.error))) for d in docs]


def run_file(
    model: DealExtractor,
    input_path: str | Path,
    output_path: str | Path,
    batch_size: int = 32,
    resume: bool = False,
    show_progress: bool = True,
) -> tuple[int, int]:
    """Process a file; return (documents written, documents with an error)."""
    input_path, output_path = Path(input_path), Path(output_path)
    partial = output_path.with_name(output_path.name + ".partial")
    done = _complete_lines(partial) if resume else 0
    if not resume and partial.exists():
        partial.unlink()
    total = _count_lines(input_path)
    errors = written = 0
    with (
        open(partial, "a", encoding="utf-8") as out,
        tqdm(total=total, initial=done, unit="doc", disable=not show_progress) as bar,
    ):
        chunk: list[InputDoc] = []
        skipped = 0

        def flush() -> None:
            nonlocal errors, written
            for line, failed in _predict_chunk(model, chunk, batch_size):
                out.write(line)
                errors += failed
                written += 1
            out.flush()
            os.fsync(out.fileno())
            bar.update(len(chunk))
            chunk.clear()

        for doc in iter_documents(input_path):
            if skipped < done:
                skipped += 1
                continue
            chunk.append(doc)
            if len(chunk) >= batch_size * 4:
                flush()
        if chunk:
            flush()
    os.replace(partial, output_path)
    return done + written, errors
