"""Extraction over whole files: streamed, batched, resumable, one output line per input document.

Input is JSONL (records with ``text`` and optionally ``id``/``source``) or plain text (one
document per line). Output is JSONL in the record format (``labeling validate`` accepts
it); a document that cannot be processed gets ``{"id", "line", "error"}`` instead and the run
goes on. A line that holds no readable id gets ``"id": null``, so an error never takes a real
document's id. Output is written to ``OUT.partial`` line by line and renamed to ``OUT`` at the
end, so a crash never leaves a half-written ``OUT`` and ``--resume`` continues after the
last complete line. A lock file (``OUT.lock``) keeps a second run from writing the same output.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from inference.deals import deals_from_spans
from inference.model import DealExtractor
from labeling.link import Linker
from labeling.locking import exclusive_lock
from labeling.records import BadJSONError, has_lone_surrogate, open_jsonl, parse_json


@dataclass
class InputDoc:
    id: str | None  # None only for an error document whose line holds no readable id
    text: str | None
    source: str = ""
    error: str | None = None
    line: int = 0


def _json_document(line: str, lineno: int) -> InputDoc:
    """A JSONL line as a document; a line that is not one becomes an error document (with its id if it has one)."""
    try:
        raw = parse_json(line)
    except BadJSONError as exc:
        return InputDoc(None, None, error=str(exc), line=lineno)
    given = raw.get("id") if isinstance(raw, dict) else None
    given = str(given) if type(given) in (str, int) else None  # str() of a deeply nested id could even overflow
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        return InputDoc(given, None, error="expected an object with a string 'text'", line=lineno)
    source = raw.get("source") or ""
    if ("id" in raw and given is None) or not isinstance(source, str):
        return InputDoc(None, None, error="expected a string 'id' and 'source'", line=lineno)
    return InputDoc(given if given is not None else f"line-{lineno}", raw["text"], source, line=lineno)


def _document_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of each line that is a document: every non-blank line, split on ``\\n`` only."""
    with open_jsonl(path, errors="replace") as handle:
        for lineno, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if line.strip():
                yield lineno, line


def iter_documents(path: str | Path) -> Iterator[InputDoc]:
    """Documents one at a time (constant memory); unreadable lines become error documents.

    The one input reader of the batch CLI and ``inference.render``: a ``.jsonl`` (``.json``,
    ``.ndjson``) file holds one record per line (its ``text``, optional ``id`` and ``source``;
    ``spans`` are not needed), any other file one text per line (id ``line-N``).
    """
    path = Path(path)
    is_jsonl = path.suffix.lower() in (".jsonl", ".json", ".ndjson")
    for lineno, line in _document_lines(path):
        yield _json_document(line, lineno) if is_jsonl else InputDoc(f"line-{lineno}", line, line=lineno)


def count_documents(path: str | Path) -> int:
    """How many documents :func:`iter_documents` will give: the progress bar's total."""
    return sum(1 for _ in _document_lines(Path(path)))


def _complete_lines(partial: Path) -> int:
    """Count the complete lines of an interrupted run and cut a torn last line, one line in memory at a time."""
    if not partial.exists():
        return 0
    count = size = 0
    with open(partial, "r+b") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                handle.truncate(size)
                break
            count += 1
            size += len(line)
    return count


def _result_line(doc: InputDoc, spans: list[dict] | None, error: str | None, linker: Linker | None) -> tuple[str, bool]:
    out: dict[str, Any]
    if error is not None:
        out = {"id": doc.id, "line": doc.line, "source": doc.source, "error": error}
    else:
        out = {
            "id": doc.id,
            "source": doc.source,
            "text": doc.text,
            "spans": [{k: s[k] for k in ("start", "end", "label", "text", "score")} for s in spans or []],
        }
        if linker is not None:
            out["deals"] = deals_from_spans(doc.text or "", spans or [], linker)
    # Lone surrogates cannot be written as UTF-8: escape that line as ASCII JSON instead.
    ascii_only = any(v is not None and has_lone_surrogate(v) for v in (doc.id, doc.source, doc.text))
    return json.dumps(out, ensure_ascii=ascii_only) + "\n", error is not None


def _predict_chunk(
    model: DealExtractor, docs: list[InputDoc], batch_size: int, deals: bool = False
) -> list[tuple[str, bool]]:
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
    linker = model.linker if deals else None
    return [_result_line(d, *results.get(id(d), (None, d.error)), linker) for d in docs]


def run_file(
    model: DealExtractor,
    input_path: str | Path,
    output_path: str | Path,
    batch_size: int = 32,
    resume: bool = False,
    show_progress: bool = True,
    deals: bool = False,
) -> tuple[int, int]:
    """Process a file; return (documents written, documents with an error).

    With ``deals``, each output line also holds the document's deals (:mod:`inference.deals`).

    Raises :class:`labeling.locking.OutputLockedError` when another run is writing ``output_path``, and
    ValueError for a ``batch_size`` below 1 (before writing anything: it would otherwise run one by one).
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    with exclusive_lock(output_path):
        return _run_file(model, Path(input_path), Path(output_path), batch_size, resume, show_progress, deals)


def _run_file(
    model: DealExtractor,
    input_path: Path,
    output_path: Path,
    batch_size: int,
    resume: bool,
    show_progress: bool,
    deals: bool,
) -> tuple[int, int]:
    partial = output_path.with_name(output_path.name + ".partial")
    done = _complete_lines(partial) if resume else 0
    if not resume and partial.exists():
        partial.unlink()
    total = count_documents(input_path)
    errors = written = 0
    with (
        open(partial, "a", encoding="utf-8") as out,
        tqdm(total=total, initial=done, unit="doc", disable=not show_progress) as bar,
    ):
        chunk: list[InputDoc] = []
        skipped = 0

        def flush() -> None:
            nonlocal errors, written
            for line, failed in _predict_chunk(model, chunk, batch_size, deals):
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
