"""``--resume`` after an interruption ends where the uninterrupted run ends: same weights, same history."""

import json
from pathlib import Path

import pytest
import torch
from accelerate import Accelerator
from conftest import TINY
from safetensors.torch import load_file

import training.train as train_module
from training.config import load_config
from training.train import train

EPOCHS = 3


def config(gold_path, out, **overrides):
    # dev_fraction holds one seed article out, so every epoch has dev scores and early-stopping state
    values = {**TINY, "epochs": EPOCHS, "patience": 10, "train_files": [str(gold_path)], "output_dir": str(out)}
    return load_config(None, {**values, **overrides})


def weights(out: Path) -> dict:
    return load_file(out / "model.safetensors")


def assert_same_weights(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    assert [k for k in a if not torch.equal(a[k], b[k])] == []


def count_steps(monkeypatch, interrupt_at: int | None = None) -> list:
    """Count the optimisation steps; Ctrl-C on step ``interrupt_at`` (from 1), before it runs."""
    calls, real = [], train_module.optimizer_step

    def step(*args, **kwargs):
        calls.append(1)
        if len(calls) == interrupt_at:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(train_module, "optimizer_step", step)
    return calls


def interrupted_then_resumed(cfg, interrupt_at: int) -> dict:
    with pytest.MonkeyPatch.context() as mp:
        count_steps(mp, interrupt_at)
        with pytest.raises(KeyboardInterrupt):
            train(cfg, show_progress=False)
    return train(cfg, resume=True, show_progress=False)


@pytest.fixture(scope="module")
def straight(gold_path, tmp_path_factory):
    """The uninterrupted run, and how many optimisation steps one epoch takes."""
    out = tmp_path_factory.mktemp("straight")
    with pytest.MonkeyPatch.context() as mp:
        calls = count_steps(mp)
        result = train(config(gold_path, out), show_progress=False)
    assert len(calls) % EPOCHS == 0
    return out, result, len(calls) // EPOCHS


@pytest.fixture(scope="module")
def resumed(gold_path, straight, tmp_path_factory):
    """The same run stopped by Ctrl-C in the middle of epoch 2, then resumed to the end."""
    out = tmp_path_factory.mktemp("resumed")
    return out, interrupted_then_resumed(config(gold_path, out), interrupt_at=straight[2] + 2)


def test_the_resumed_run_reports_every_epoch_with_its_dev_scores(resumed):
    history = resumed[1]["history"]
    assert [row["epoch"] for row in history] == list(range(1, EPOCHS + 1))
    assert all("dev_word_f1" in row for row in history)


def test_a_resumed_run_ends_with_the_weights_of_the_uninterrupted_run(resumed, straight):
    assert_same_weights(weights(resumed[0]), weights(straight[0]))


def test_a_resumed_run_logs_the_losses_and_dev_scores_of_the_uninterrupted_run(resumed, straight):
    assert resumed[1]["history"] == straight[1]["history"]
    metrics = [json.loads((out / "metrics.json").read_text()) for out in (resumed[0], straight[0])]
    assert metrics[0] == metrics[1]


def test_a_crash_while_writing_a_checkpoint_resumes_from_the_previous_one(gold_path, straight, tmp_path, monkeypatch):
    """The process dies with the epoch-2 checkpoint half written: --resume goes on from epoch 1's."""
    real, saves = Accelerator.save_state, []

    def dies_halfway(self, output_dir=None, **kwargs):
        real(self, output_dir, **kwargs)
        saves.append(output_dir)
        if len(saves) == 2:
            model = Path(output_dir) / "model.safetensors"
            model.write_bytes(model.read_bytes()[:100])
            raise KeyboardInterrupt

    monkeypatch.setattr(Accelerator, "save_state", dies_halfway)
    with pytest.raises(KeyboardInterrupt):
        train(config(gold_path, tmp_path), show_progress=False)
    monkeypatch.setattr(Accelerator, "save_state", real)
    result = train(config(gold_path, tmp_path), resume=True, show_progress=False)
    assert result["history"] == straight[1]["history"]
    assert_same_weights(weights(tmp_path), weights(straight[0]))


def test_a_run_resumed_between_epochs_without_gain_stops_early_where_the_uninterrupted_one_does(
    gold_path, straight, tmp_path
):
    """Patience 2: the interruption falls after one epoch without dev gain; the resumed run still counts it."""
    cfg = {"epochs": 6, "patience": 2}
    uninterrupted = train(config(gold_path, tmp_path / "straight", **cfg), show_progress=False)
    epochs = [row["epoch"] for row in uninterrupted["history"]]
    assert epochs[-1] < 6  # it stopped early: the dev score of this tiny model stays put
    result = interrupted_then_resumed(
        config(gold_path, tmp_path / "resumed", **cfg), interrupt_at=(epochs[-1] - 1) * straight[2] + 1
    )
    assert result["history"] == uninterrupted["history"]
    assert_same_weights(weights(tmp_path / "resumed"), weights(tmp_path / "straight"))
