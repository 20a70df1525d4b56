"""Intermediate NER training: a few steps on a tiny backbone, then the project loads the result."""

import json

import pytest
import torch
from conftest import save_tiny_backbone
from safetensors.torch import load_file

from labeling.labels import TAGS
from training.backbone import load_pretrained
from training.intermediate import encode_sentences, main, train_intermediate
from training.ner_corpora import NerSentence

SENTENCES = [
    ("استثمرت O\nشركة O\nأرامكو B-ORG\nفي O\nالرياض B-LOC\n. O\n"),
    ("قال O\nمحمد B-PERS\nالعبار I-PERS\nإن O\nإعمار B-ORG\nتوسعت O\n. O\n"),
    ("افتتحت O\nمبادلة B-ORG\nمكتبا O\nفي O\nباريس B-LOC\n. O\n"),
]
#: 24 sentences (one held out at 5%), ANERcorp format.
CORPUS = "\n".join(SENTENCES * 8)


@pytest.fixture(scope="module")
def tiny_backbone(tmp_path_factory):
    texts = [" ".join(line.split()[0] for line in s.splitlines()) for s in SENTENCES]
    return save_tiny_backbone(tmp_path_factory.mktemp("tiny"), texts)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("ner") / "aner.txt"
    path.write_text(CORPUS, encoding="utf-8")
    return path


def run(corpus, backbone, out, **kwargs):
    return train_intermediate(
        [f"{corpus}:anercorp"],
        str(backbone),
        out,
        batch_size=8,
        learning_rate=1e-3,
        max_length=64,
        show_progress=False,
        **kwargs,
    )


def test_only_first_sub_token_of_a_word_carries_its_ner_label(tiny_backbone):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_backbone)
    label2id = {"O": 0, "B-ORG": 1, "I-ORG": 2}
    [window] = encode_sentences(tokenizer, [NerSentence(["استثمرت", "أرامكو"], ["O", "B-ORG"])], label2id, 64, 16)
    firsts = [w != p for w, p in zip(window.word_ids, [None] + window.word_ids[:-1])]
    expected = [-100 if wid is None or not first else [0, 1][wid] for wid, first in zip(window.word_ids, firsts)]
    assert window.labels == expected and window.labels.count(1) == 1


def test_trains_a_few_steps_and_saves_a_ner_model(corpus, tiny_backbone, tmp_path):
    out = tmp_path / "ner"
    summary = run(corpus, tiny_backbone, out, epochs=2)
    assert summary["steps"] == 6  # 23 training sentences, batch 8, 2 epochs
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert list(config["id2label"].values()) == ["O", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-PERS", "I-PERS"]
    saved = json.loads((out / "intermediate.json").read_text(encoding="utf-8"))
    assert saved["sentences"] == {"train": 23, "held_out": 1} and saved["held_out"]["f1"] is not None
    assert saved["files"][0]["entities"] == {"LOC": 16, "ORG": 24, "PERS": 8}
    assert not list(tmp_path.glob(".ner.*"))  # the temporary directory was renamed away


def test_output_loads_as_a_project_backbone_with_a_fresh_nine_tag_head(corpus, tiny_backbone, tmp_path):
    out = tmp_path / "ner"
    run(corpus, tiny_backbone, out, epochs=1)
    backbone = load_pretrained(str(out))
    assert backbone.model.classifier.out_features == len(TAGS) == 9
    assert backbone.model.config.id2label[1] == "B-INVESTOR"
    trained = load_file(out / "model.safetensors")
    key = "bert.encoder.layer.0.attention.self.query.weight"
    assert torch.equal(backbone.model.state_dict()[key], trained[key])  # the NER-trained encoder came along


def test_encoder_only_output_loads_with_a_fresh_head(corpus, tiny_backbone, tmp_path):
    out = tmp_path / "enc"
    run(corpus, tiny_backbone, out, epochs=1, max_sentences=8, encoder_only=True)
    assert not any(k.startswith("classifier") for k in load_file(out / "model.safetensors"))
    assert load_pretrained(str(out)).model.classifier.out_features == 9


@pytest.mark.parametrize(
    "spec, message", [("missing.txt", "no such NER file"), ("{corpus}:conll", "unknown NER format 'conll'")]
)
def test_bad_input_is_one_error_line_and_exit_1(corpus, tmp_path, capsys, spec, message):
    code = main(["--ner", spec.format(corpus=corpus), "--backbone", "scratch", "--output-dir", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith(f"error: {message}") and err.count("\n") == 1
