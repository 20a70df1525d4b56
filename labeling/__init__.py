"""Annotation format, Arabic tokenizer, conversions and rules baseline for deal extraction."""

from labeling.iob import spans_to_tags, tags_to_spans
from labeling.labels import LABELS, TAGS
from labeling.records import DataError, Record, Span, load_records, write_records
from labeling.tokenize import Token, split_sentences, tokenize
from labeling.trim import trim_span

__all__ = [
    "LABELS",
    "TAGS",
    "DataError",
    "Record",
    "Span",
    "Token",
    "load_records",
    "write_records",
    "spans_to_tags",
    "tags_to_spans",
    "split_sentences",
    "tokenize",
    "trim_span",
]
