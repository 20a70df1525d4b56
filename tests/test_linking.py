"""The learned deal linker: fitted from gold deals, saved as JSON in the model directory, used by load_model."""

import json

import pytest
from conftest import ROOT

from inference import load_model
from inference.linking import FEATURES, LINKER_FILE, PairLinker, load_linker
from inference.metrics import link_scores
from labeling.exceptions import ConfigError
from labeling.link import link_by_sentence
from labeling.records import Record, load_records
from training.linker import fit_linker
from training.linker import main as linker_main

SPLITS = ROOT / "data" / "splits"


@pytest.fixture(scope="module")
def fitted() -> PairLinker:
    return fit_linker(load_records(SPLITS / "train.jsonl"))


def link_f1(linker, records) -> float:
    linked = [(g, Record(g.id, g.text, g.spans, deals=linker(g.text, g.spans))) for g in records]
    return link_scores(linked)["f1"]


def test_the_pair_linker_beats_the_sentence_baseline_on_the_dev_split(fitted):
    dev = load_records(SPLITS / "dev.jsonl")
    assert link_f1(fitted, dev) > link_f1(link_by_sentence, dev)


def test_the_same_gold_gives_the_same_weights(fitted):
    assert fit_linker(load_records(SPLITS / "train.jsonl")) == fitted


def test_the_linker_file_round_trips(fitted, tmp_path):
    fitted.save(tmp_path)
    assert load_linker(tmp_path) == fitted
    assert list(json.loads((tmp_path / LINKER_FILE).read_text())["weights"]) == list(FEATURES)


def test_a_linker_file_with_other_features_is_refused(fitted, tmp_path):
    fitted.save(tmp_path)
    content = json.loads((tmp_path / LINKER_FILE).read_text())
    content["weights"]["a feature of another version"] = 1.0
    (tmp_path / LINKER_FILE).write_text(json.dumps(content))
    with pytest.raises(ConfigError, match="features differ"):
        load_linker(tmp_path)


def test_a_model_trained_on_gold_deals_links_with_its_own_linker(model_dir):
    assert (model_dir / LINKER_FILE).is_file()
    assert isinstance(load_model(model_dir).linker, PairLinker)


def test_a_directory_without_a_linker_links_by_sentence(tmp_path):
    assert load_linker(tmp_path) is None


def test_the_command_refuses_to_replace_a_linker_without_force(tmp_path, capsys):
    argv = ["--input", str(SPLITS / "train.jsonl"), "--output-dir", str(tmp_path)]
    assert linker_main(argv) == 0
    assert linker_main(argv) == 1 and "--force" in capsys.readouterr().err
    assert linker_main([*argv, "--force"]) == 0
