from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "seeds" / "annotations.jsonl"


@pytest.fixture(scope="session")
def gold_path() -> Path:
    return GOLD


@pytest.fixture(scope="session")
def gold_records():
    from labeling import load_records

    return load_records(GOLD)


#: A tiny BERT (2 layers, hidden 32) that trains on the gold seeds in seconds.
TINY = {
    "backbone": "scratch",
    "dev_files": [],
    "epochs": 2,
    "patience": 5,
    "batch_size": 8,
    "max_length": 64,
    "stride": 16,
    "scratch__vocab_size": 1500,
    "scratch__hidden_size": 32,
    "scratch__num_hidden_layers": 2,
    "scratch__num_attention_heads": 2,
    "scratch__intermediate_size": 64,
}


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory, gold_path):
    from training.config import load_config
    from training.train import train

    out = tmp_path_factory.mktemp("model")
    train(load_config(None, {**TINY, "train_files": [str(gold_path)], "output_dir": str(out)}), show_progress=False)
    return out


def save_tiny_backbone(path: Path, texts: list[str]) -> Path:
    """A tiny scratch BERT (1 layer, hidden 32) saved as a model directory, for tests that need a backbone on disk."""
    from training.backbone import build_scratch
    from training.config import ScratchConfig

    tiny = ScratchConfig(
        vocab_size=300, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64
    )
    backbone = build_scratch(texts, tiny, 64, 1)
    backbone.model.save_pretrained(path, safe_serialization=True)
    backbone.tokenizer.save_pretrained(path)
    return path
