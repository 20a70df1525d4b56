"""Which spans of a passage form one deal: the rules baseline of deal linking.

A deal groups the spans of one investment event (ANNOTATION_GUIDELINES.md, "Deals and money
values"). The baseline reads each sentence as one event: news rarely reports two deals in one
sentence, and rarely spreads one deal's parts over two without repeating a name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from labeling.records import DEAL_ROLES, Deal, Span
from labeling.tokenize import split_sentences

#: A linker: the deals (indices into ``spans``) of a text.
Linker = Callable[[str, Sequence[Span]], list[Deal]]

#: The deal list that holds a span of each label («AMOUNT» → «amounts»).
ROLE_OF_LABEL: dict[str, str] = {label: role for role, label in DEAL_ROLES.items()}


def deal_of(spans: Sequence[Span], indices: Sequence[int]) -> Deal:
    """The deal listing ``spans[i]`` for each index, each in the list of its label."""
    roles: dict[str, list[int]] = {role: [] for role in DEAL_ROLES}
    for i in sorted(set(indices)):
        roles[ROLE_OF_LABEL[spans[i].label]].append(i)
    return Deal(*(tuple(roles[role]) for role in DEAL_ROLES))


def sentence_index(sentences: Sequence[tuple[int, int]], span: Span) -> int:
    """The sentence holding the span's first character (the last one if it falls between sentences)."""
    for k, (_, end) in enumerate(sentences):
        if span.start < end:
            return k
    return max(len(sentences) - 1, 0)


def link_by_sentence(text: str, spans: Sequence[Span]) -> list[Deal]:
    """Baseline: the spans of one sentence are one deal, in sentence order."""
    sentences = split_sentences(text)
    groups: dict[int, list[int]] = {}
    for i, span in enumerate(spans):
        groups.setdefault(sentence_index(sentences, span), []).append(i)
    return [deal_of(spans, group) for _, group in sorted(groups.items())]
