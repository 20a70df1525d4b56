"""Span <-> word-level IOB2 conversion (rules in the annotation guidelines, «Word-level BIO»)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from labeling.labels import LABELS
from labeling.records import Span, make_span
from labeling.tokenize import Token
from labeling.trim import trim_span


def spans_to_tags(tokens: Sequence[Token], spans: Sequence[Span]) -> list[str]:
    """A word takes B-X when it holds a span's first character, I-X when it holds a later one."""
    tags = ["O"] * len(tokens)
    ordered = sorted(spans)
    j = 0
    for i, tok in enumerate(tokens):
        while j < len(ordered) and ordered[j].end <= tok.start:
            j += 1
        k = j
        while k < len(ordered) and ordered[k].start < tok.end:
            span = ordered[k]
            if span.end > tok.start:
                if tok.start <= span.start:
                    tags[i] = f"B-{span.label}"
                    break
                if tags[i] == "O":
                    tags[i] = f"I-{span.label}"
            k += 1
    return tags


@dataclass(frozen=True)
class TagRun:
    """A run of words ``[first, last]`` tagged as one entity."""

    label: str
    first: int
    last: int


def tag_runs(tags: Sequence[str]) -> list[TagRun]:
    """Entity runs in a tag sequence; a stray I-X starts a new run (lenient decoding)."""
    runs: list[TagRun] = []
    current: TagRun | None = None
    for i, tag in enumerate(tags):
        if tag == "O" or "-" not in tag or tag[2:] not in LABELS:
            current = None
            continue
        prefix, label = tag[0], tag[2:]
        if prefix == "I" and current is not None and current.label == label:
            current = TagRun(label, current.first, i)
            runs[-1] = current
        else:
            current = TagRun(label, i, i)
            runs.append(current)
    return runs


def decode(text: str, tokens: Sequence[Token], tags: Sequence[str], trim: bool = True) -> list[tuple[TagRun, Span]]:
    """Each entity run with its character span: first word's start to last word's end, then trimmed."""
    if len(tokens) != len(tags):
        raise ValueError(f"{len(tokens)} tokens but {len(tags)} tags")
    out = []
    for run in tag_runs(tags):
        start, end = tokens[run.first].start, tokens[run.last].end
        if trim:
            bounds = trim_span(text, start, end, run.label)
            if bounds is None:
                continue
            start, end = bounds
        out.append((run, make_span(text, start, end, run.label)))
    return out


def tags_to_spans(text: str, tokens: Sequence[Token], tags: Sequence[str], trim: bool = True) -> list[Span]:
    """Character spans from word tags (see :func:`decode`)."""
    return [span for _, span in decode(text, tokens, tags, trim)]


def allowed(previous: str, tag: str) -> bool:
    """IOB2: ``I-X`` may only follow ``B-X`` or ``I-X``."""
    return not tag.startswith("I-") or previous in (f"B-{tag[2:]}", f"I-{tag[2:]}")


def constrained_tags(log_probs, tags: Sequence[str]) -> list[str]:
    """The most probable tag sequence that is valid IOB2 (Viterbi over per-word log-probabilities).

    ``log_probs`` is an ``(n_words, n_tags)`` array whose columns follow ``tags``. Argmax
    decoding can produce ``O I-X`` or ``B-X I-Y``; this never does.
    """
    import numpy as np

    n, k = len(log_probs), len(tags)
    if n == 0:
        return []
    trans = np.array([[0.0 if allowed(p, t) else -np.inf for t in tags] for p in tags])
    start = np.array([0.0 if allowed("O", t) else -np.inf for t in tags])
    score = start + log_probs[0]
    back = np.zeros((n, k), dtype=np.int64)
    for i in range(1, n):
        cand = score[:, None] + trans
        back[i] = np.argmax(cand, axis=0)
        score = cand[back[i], np.arange(k)] + log_probs[i]
    best = [int(np.argmax(score))]
    for i in range(n - 1, 0, -1):
        best.append(int(back[i][best[-1]]))
    return [tags[j] for j in reversed(best)]


def decode_probabilities(probs) -> list[str]:
    """Word tags from an ``(n_words, len(TAGS))`` probability array: valid IOB2, most probable path."""
    import numpy as np

    from labeling.labels import TAGS

    return constrained_tags(np.log(np.asarray(probs) + 1e-12), TAGS)
