"""The learning curve: nested shares of the training passages, one model each, scored on held-out gold."""

import pytest
from conftest import TINY

from labeling.exceptions import UsageError
from labeling.records import Record
from training import learning_curve as lc
from training.config import load_config

RECORDS = [Record(f"newsA-{i:03d}", f"نص رقم {i}") for i in range(20)]


def test_each_smaller_share_is_inside_every_larger_one():
    shares = lc.nested_shares(RECORDS, [0.25, 0.5, 1.0], seed=13)
    assert [len(s) for s in shares.values()] == [5, 10, 20]
    assert shares[0.25] == shares[0.5][:5] and shares[0.5] == shares[1.0][:10]


def test_a_fraction_outside_zero_to_one_is_a_usage_error():
    with pytest.raises(UsageError):
        lc.check_fractions([0.5, 1.5])


def test_each_fraction_trains_a_model_and_scores_it_on_the_test_file(gold_path, tmp_path):
    cfg = load_config(None, {**TINY, "epochs": 1, "train_files": [str(gold_path)]})
    curve = lc.learning_curve(cfg, [0.6, 1.0], str(gold_path), tmp_path, seed=13)
    assert [r["n_train"] for r in curve.values()] == [3, 5]
    assert (tmp_path / "fraction-060" / "model" / "model.safetensors").is_file()
    assert all(set(r["span"]["per_label"]) == {"INVESTOR", "AMOUNT", "VALUATION", "PROJECT"} for r in curve.values())


def test_resume_keeps_a_fraction_already_scored(gold_path, tmp_path, monkeypatch):
    folder = tmp_path / "fraction-100"
    folder.mkdir()
    (folder / lc.RESULT).write_text('{"n_train": 5, "span": {}}')
    monkeypatch.setattr(lc, "train", lambda *a, **k: pytest.fail("trained again"))
    cfg = load_config(None, {**TINY, "train_files": [str(gold_path)]})
    assert lc.learning_curve(cfg, [1.0], str(gold_path), tmp_path, seed=13, resume=True)[1.0]["n_train"] == 5
