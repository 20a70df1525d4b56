"""Deal records from text: who put how much into what, with sums as numbers.

A deal is what an analyst puts in one spreadsheet row: its investors, amounts, valuations and
projects, each a span as :func:`inference.predict` gives it, money spans with ``value``,
``currency`` and ``qualifier`` (``labeling.money``), and the ``sentence`` it was read from.
The spans come from the model (or any other source); which spans form one deal comes from a
linker (``labeling.link``).
"""

from __future__ import annotations

from collections.abc import Sequence

from labeling.labels import is_money
from labeling.link import Linker, link_by_sentence
from labeling.money import read_money
from labeling.records import DEAL_ROLES, Span
from labeling.tokenize import split_sentences


def with_money(text: str, span: dict) -> dict:
    """The span dict, with its money reading when it is an AMOUNT or VALUATION."""
    if not is_money(span["label"]):
        return dict(span)
    money = read_money(text, span["start"], span["end"])
    return {**span, "value": money.value, "currency": money.currency, "qualifier": money.qualifier}


def deal_sentence(text: str, parts: dict[str, list[dict]]) -> list[int]:
    """``[start, end]`` of the sentence that states the deal: the one holding its first sum.

    A deal may gather mentions from a whole article; the sentence with its amount (else its
    valuation, else its first span) is the one a reader wants to check it against.
    """
    ordered = sorted((s for found in parts.values() for s in found), key=lambda s: s["start"])
    anchor = (parts.get("amounts") or parts.get("valuations") or ordered)[0]
    for start, end in split_sentences(text):
        if start <= anchor["start"] < end:
            return [start, end]
    return [anchor["start"], anchor["end"]]


def deals_from_spans(text: str, spans: Sequence[dict], linker: Linker = link_by_sentence) -> list[dict]:
    """The deals of ``text``, given its spans (dicts with ``start``, ``end``, ``label``, ``text``)."""
    ordered = sorted(spans, key=lambda s: (s["start"], s["end"]))
    plain = [Span(s["start"], s["end"], s["label"], s["text"]) for s in ordered]
    read = [with_money(text, s) for s in ordered]
    deals = []
    for deal in linker(text, plain):
        row: dict = {role: [read[i] for i in indices] for role, indices in deal.roles()}
        if deal.is_empty():
            continue
        row["sentence"] = deal_sentence(text, row)
        deals.append(row)
    return deals


def indexed_deals(spans: Sequence[dict], deals: Sequence[dict]) -> list[dict]:
    """Deals whose parts are span dicts (as :func:`deals_from_spans` gives them) as indices into ``spans``.

    This is the record format of version 2; a part that is not among ``spans`` raises ``ValueError``.
    """
    where = {(s["start"], s["end"], s["label"]): i for i, s in enumerate(spans)}
    out = []
    for deal in deals:
        row = {}
        for role in DEAL_ROLES:
            parts = deal.get(role, [])
            try:
                row[role] = [p if isinstance(p, int) else where[(p["start"], p["end"], p["label"])] for p in parts]
            except KeyError:
                raise ValueError(f"a deal's {role} names a span that is not among the spans") from None
        out.append(row)
    return out
