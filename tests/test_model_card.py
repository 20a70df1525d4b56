"""A trained model directory carries its own model card (README.md), written from the run's own dev scores."""

import json

import pytest
import yaml
from conftest import TINY

from inference.encoding import WindowSettings
from inference.metrics import score
from inference.model_card import TrainingRun, base_model, directory_card, model_index
from labeling.records import Record, make_span
from training.config import load_config
from training.train import train

TEXT = "استثمرت مبادلة ٥٠٠ مليون دولار في شركة تمارا"


def span(text: str, words: str, label: str):
    start = text.index(words)
    return make_span(text, start, start + len(words), label)


@pytest.fixture(scope="module")
def dev_scores() -> dict:
    """Gold: INVESTOR «مبادلة», AMOUNT «٥٠٠ مليون دولار», PROJECT «تمارا». Predicted: the investor right, the amount
    one word short, the project missed. So 1 of 2 predicted spans is right and 1 of 3 gold spans is found:
    P 1/2, R 1/3, F1 2·(1/2)(1/3)/(1/2+1/3) = 0.4, at word level and at span level alike."""
    gold = Record(
        "d1",
        TEXT,
        [span(TEXT, "مبادلة", "INVESTOR"), span(TEXT, "٥٠٠ مليون دولار", "AMOUNT"), span(TEXT, "تمارا", "PROJECT")],
    )
    pred = Record("d1", TEXT, [span(TEXT, "مبادلة", "INVESTOR"), span(TEXT, "٥٠٠ مليون", "AMOUNT")])
    return score([gold], [pred])


def split_card(content: str) -> tuple[dict, str]:
    assert content.startswith("---\n")
    header, body = content[4:].split("\n---\n", 1)
    return yaml.safe_load(header), body


def index_values(front: dict) -> dict[str, float]:
    return {m["type"]: m["value"] for m in front["model-index"][0]["results"][0]["metrics"]}


def test_model_index_uses_seqevals_names_at_word_level_and_span_names_for_exact_spans(dev_scores):
    index = model_index({**dev_scores, "backbone": "e5-small"}, "data/splits/dev.jsonl", split="dev")
    result = index[0]["results"][0]
    assert result["dataset"] == {"type": "json", "name": "data/splits/dev.jsonl", "split": "dev"}
    assert {m["type"]: m["value"] for m in result["metrics"]} == {
        "precision": 0.5,
        "recall": 0.3333,
        "f1": 0.4,
        "span_precision": 0.5,
        "span_recall": 0.3333,
        "span_f1": 0.4,
    }


def test_model_index_gives_accuracy_when_it_was_measured(dev_scores):
    measured = {**dev_scores, "word": {**dev_scores["word"], "accuracy": 0.875}, "backbone": "scratch"}
    assert {"type": "accuracy", "value": 0.875, "name": "word-level accuracy (scratch)"} in model_index(
        measured, "dev.jsonl"
    )[0]["results"][0]["metrics"]


@pytest.mark.parametrize(
    "backbone, expected",
    [
        ("aubmindlab/bert-base-arabertv02", "aubmindlab/bert-base-arabertv02"),  # a hub id
        ("e5-small", "e5-small"),  # an offline name
        ("scratch", None),  # built from nothing
    ],
)
def test_base_model_is_the_backbone_when_it_names_one(backbone, expected):
    assert base_model(backbone) == expected


def test_a_local_backbone_directory_is_no_base_model(tmp_path):
    assert base_model(str(tmp_path)) is None


def test_the_card_gives_front_matter_settings_data_and_a_dev_table_per_label(dev_scores):
    run = TrainingRun(
        backbone="e5-small",
        settings=WindowSettings(256, 64, "sentence"),
        train_files=("seeds/annotations.jsonl", "data/splits/train.jsonl"),
        dev_files=("data/splits/dev.jsonl",),
        n_train=300,
        n_dev=1,
        best_epoch=3,
        dev=dev_scores,
        location="runs/default",
    )
    front, body = split_card(directory_card(run))
    assert {k: front[k] for k in ("language", "license", "library_name", "pipeline_tag", "base_model")} == {
        "language": "ar",
        "license": "apache-2.0",
        "library_name": "transformers",
        "pipeline_tag": "token-classification",
        "base_model": "e5-small",
    }
    assert index_values(front)["f1"] == 0.4
    assert "at most 256 sub-tokens, 64 shared by neighbouring windows; it reads one sentence at a time" in body
    assert "`seeds/annotations.jsonl`, `data/splits/train.jsonl` (300 documents)" in body
    assert "- Dev data: `data/splits/dev.jsonl` (1 document)" in body
    assert "| `INVESTOR` | 1.000 | 1.000 | 1.000 | 1.000 | 1 |" in body
    assert "| `AMOUNT` | 0.000 | 0.000 | 0.000 | 0.000 | 1 |" in body
    assert "| all (micro) | 0.500 | 0.333 | 0.400 | 0.400 | 3 |" in body
    assert "dev-split figures" in body.lower() and "not a test-set evaluation" in body
    assert 'pipeline("deal-extraction", model="runs/default")' in body and 'load_model("runs/default")' in body


def test_the_trained_directory_carries_a_card_with_the_numbers_of_metrics_json(model_dir):
    front, body = split_card((model_dir / "README.md").read_text(encoding="utf-8"))
    metrics = json.loads((model_dir / "metrics.json").read_text(encoding="utf-8"))
    dev = metrics["dev"]  # the fixture holds out dev_fraction of the seeds
    assert index_values(front) == {
        **{k: round(dev["word"][k], 4) for k in ("precision", "recall", "f1")},
        **{f"span_{k}": round(dev["span"][k], 4) for k in ("precision", "recall", "f1")},
    }
    assert "base_model" not in front  # scratch has read nothing before this run
    assert "- Backbone: `scratch`" in body and "# Arabic deal extraction (scratch)" in body
    assert f"- Dev data: {len(metrics['dev_ids'])} document" in body
    assert f"| all (micro) | {dev['word']['precision']:.3f} | {dev['word']['recall']:.3f} |" in body


@pytest.mark.parametrize("dev", ["file", "none"])
def test_a_card_names_its_dev_file_or_says_there_was_none(gold_path, tmp_path, dev):
    out = tmp_path / "model"
    split = {"dev_files": [str(gold_path)]} if dev == "file" else {"dev_files": [], "dev_fraction": 0.0}
    train(
        load_config(None, {**TINY, **split, "epochs": 1, "train_files": [str(gold_path)], "output_dir": str(out)}),
        show_progress=False,
    )
    front, body = split_card((out / "README.md").read_text(encoding="utf-8"))
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    if dev == "file":
        assert front["model-index"][0]["results"][0]["dataset"]["name"] == str(gold_path)
        assert index_values(front)["f1"] == round(metrics["dev"]["word"]["f1"], 4)
        assert f"- Dev data: `{gold_path}` (5 documents)" in body
    else:
        assert metrics["dev"] is None
        assert "model-index" not in front
        assert "- Dev data: none" in body and "no dev documents, so this card gives no scores" in body
        assert "0.000" not in body and "| all (micro)" not in body
