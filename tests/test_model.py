"""End to end on a tiny BERT: train on the gold seeds in seconds, predict, evaluate, load in a pipeline."""

import dataclasses
import json
import shutil

import numpy as np
import pytest
from conftest import TINY

from inference import ModelNotFoundError, load_model, predict
from inference.evaluate import main as evaluate_main
from inference.evaluate import seen_in_training
from labeling.labels import TAGS
from labeling.records import Record, check_records, make_span, span_problems
from training.backbone import BackboneError, load_backbone
from training.config import ScratchConfig, load_config
from training.train import train

TEXT = "تقترب شركة إنفيديا من ضخ استثمار ضخم بقيمة ٣٠ مليار دولار في شركة OpenAI، وأمازون أيضًا."


def test_saved_directory_holds_safetensors_labels_config_and_metrics(model_dir):
    names = {p.name for p in model_dir.iterdir()}
    assert {
        "model.safetensors",
        "config.json",
        "tokenizer.json",
        "training_config.yaml",
        "metrics.json",
        "backbone.json",
    } <= names
    assert not any(n.endswith((".bin", ".pt", ".pkl")) for n in names)
    config = json.loads((model_dir / "config.json").read_text())
    assert [config["id2label"][str(i)] for i in range(len(TAGS))] == list(TAGS)
    assert json.loads((model_dir / "backbone.json").read_text())["backbone"] == "scratch"
    assert json.loads((model_dir / "metrics.json").read_text())["dev"]["word"].keys() >= {"precision", "recall", "f1"}


def test_predict_gives_sorted_valid_spans_with_offsets_into_the_text(model_dir):
    spans = predict(TEXT, model=model_dir)
    assert [s["start"] for s in spans] == sorted(s["start"] for s in spans)
    for s in spans:
        assert set(s) == {"label", "text", "start", "end", "score"} and 0.0 <= s["score"] <= 1.0
        assert TEXT[s["start"] : s["end"]] == s["text"]
    assert span_problems(TEXT, [make_span(TEXT, s["start"], s["end"], s["label"]) for s in spans]) == []


def test_a_long_document_goes_through_windows_and_keeps_valid_offsets(model_dir):
    model = load_model(model_dir)
    text = (TEXT + "\n") * 40
    spans = model.predict(text)
    assert all(text[s["start"] : s["end"]] == s["text"] for s in spans)
    assert all(a["end"] <= b["start"] for a, b in zip(spans, spans[1:]))


def test_predict_batch_matches_predict(model_dir):
    model = load_model(model_dir)
    texts = [TEXT, "", "أعلنت الشركة أرباحها"]
    assert model.predict_batch(texts, batch_size=2) == [model.predict(t) for t in texts]


def test_non_string_input_raises_type_error(model_dir):
    with pytest.raises(TypeError):
        predict(42, model=model_dir)


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_or_blank_text_gives_no_spans(model_dir, text):
    assert predict(text, model=model_dir) == []


def test_missing_model_directory_says_how_to_train_one(tmp_path):
    with pytest.raises(ModelNotFoundError, match="python -m training.train"):
        load_model(tmp_path / "nothing-here")


def test_incomplete_model_directory_is_refused(model_dir, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    (broken / "model.safetensors").unlink()
    with pytest.raises(ModelNotFoundError, match="missing model.safetensors"):
        load_model(broken)


def test_saved_directory_loads_in_a_transformers_pipeline(model_dir):
    from transformers import pipeline

    tagger = pipeline("token-classification", model=str(model_dir), aggregation_strategy="simple")
    assert isinstance(tagger("استثمرت إنفيديا في OpenAI"), list)


def test_evaluate_writes_metrics_report_and_valid_predictions(model_dir, gold_path, tmp_path):
    out = tmp_path / "eval"
    assert (
        evaluate_main(
            ["--model", str(model_dir), "--input", str(gold_path), "--output-dir", str(out), "--baseline", "rules"]
        )
        == 0
    )
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics) == {
        "word",
        "span",
        "n_docs",
        "backbone",
        "context",
        "seen_in_training",
        "deals",
        "deals_by_sentence",
    }
    assert metrics["n_docs"] == 5
    for level in ("word", "span"):
        assert set(metrics[level]) == {"precision", "recall", "f1", "per_label"}
        assert set(metrics[level]["per_label"]) == {"INVESTOR", "AMOUNT", "VALUATION", "PROJECT"}
        assert all(set(v) == {"precision", "recall", "f1", "support"} for v in metrics[level]["per_label"].values())
    assert metrics["backbone"] == "scratch"
    report = (out / "report.md").read_text()
    assert "| rules |" in report and "## Missed" in report
    records, problems = check_records(out / "predictions.jsonl")
    assert problems == [] and len(records) == 5


def test_evaluating_on_training_documents_warns_in_the_output_and_the_report(model_dir, gold_path, tmp_path, caplog):
    out = tmp_path / "eval"
    assert evaluate_main(["--model", str(model_dir), "--input", str(gold_path), "--output-dir", str(out)]) == 0
    seeds = ["seed-000", "seed-001", "seed-002", "seed-003", "seed-004"]
    assert json.loads((out / "metrics.json").read_text())["seen_in_training"] == seeds
    assert "5 of 5 evaluated documents were used in training this model" in caplog.text
    assert "> **Warning: 5 of 5 evaluated documents" in (out / "report.md").read_text()


def test_evaluating_on_unseen_documents_gives_no_warning(model_dir, tmp_path, caplog):
    unseen = tmp_path / "unseen.jsonl"
    text = "استحوذت أرامكو على حصة في شركة رونغشنغ مقابل 3.6 مليار دولار."
    spans = [{"start": 8, "end": 14, "label": "INVESTOR", "text": "أرامكو"}]
    unseen.write_text(json.dumps({"id": "new-1", "text": text, "spans": spans}, ensure_ascii=False) + "\n")
    out = tmp_path / "eval"
    assert evaluate_main(["--model", str(model_dir), "--input", str(unseen), "--output-dir", str(out)]) == 0
    assert "seen_in_training" not in json.loads((out / "metrics.json").read_text())
    assert "were used in training" not in caplog.text and "Warning" not in (out / "report.md").read_text()


def test_evaluating_gold_without_spans_against_no_predictions_reports_instead_of_failing(tmp_path):
    negatives = tmp_path / "negatives.jsonl"
    text = "ارتفعت أرباح البنك الأهلي إلى 5 مليارات ريال في الربع الثالث."
    negatives.write_text(json.dumps({"id": "neg-1", "text": text, "spans": []}, ensure_ascii=False) + "\n")
    out = tmp_path / "eval"
    assert evaluate_main(["--baseline", "rules", "--input", str(negatives), "--output-dir", str(out)]) == 0
    assert "no spans in the gold or the predictions" in (out / "report.md").read_text()


def test_an_augmented_training_copy_counts_as_its_original(tmp_path):
    (tmp_path / "metrics.json").write_text(json.dumps({"train_ids": ["newsA-001", "newsB-007-aug0"]}))
    gold = [Record(i, "نص") for i in ("newsA-001", "newsB-007", "newsB-070")]
    assert seen_in_training(tmp_path, gold) == ["newsA-001", "newsB-007"]


def test_a_development_document_counts_as_seen_in_training(tmp_path):
    (tmp_path / "metrics.json").write_text(json.dumps({"train_ids": ["newsA-001"], "dev_ids": ["newsA-002"]}))
    gold = [Record(i, "نص") for i in ("newsA-002", "newsA-003")]
    assert seen_in_training(tmp_path, gold) == ["newsA-002"]


def test_resume_continues_from_the_last_finished_epoch(gold_path, tmp_path):
    base = {**TINY, "train_files": [str(gold_path)], "output_dir": str(tmp_path / "run"), "patience": 10}
    train(load_config(None, {**base, "epochs": 1}), show_progress=False)
    result = train(load_config(None, {**base, "epochs": 2}), resume=True, show_progress=False)
    assert [row["epoch"] for row in result["history"]] == [1, 2]


def test_unreachable_backbone_is_an_error_when_offline_fallback_is_off(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    tiny = ScratchConfig(
        vocab_size=200, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32
    )
    with pytest.raises(BackboneError, match="no-such-org/no-such-model"):
        load_backbone("no-such-org/no-such-model", ["استثمرت إنفيديا"], tiny, 64, 1, False)


def test_the_same_config_and_seed_give_the_same_weights(gold_path, tmp_path):
    runs = []
    for name in ("a", "b"):
        cfg = load_config(
            None, {**TINY, "epochs": 1, "train_files": [str(gold_path)], "output_dir": str(tmp_path / name)}
        )
        train(cfg, show_progress=False)
        runs.append((tmp_path / name / "model.safetensors").read_bytes())
    assert runs[0] == runs[1]


def test_scratch_vocabulary_is_deterministic_and_keeps_every_character(gold_records):
    from training.backbone import train_scratch_tokenizer

    texts = [r.text for r in gold_records]
    first, second = train_scratch_tokenizer(texts, 3000), train_scratch_tokenizer(texts, 3000)
    assert first.get_vocab() == second.get_vocab() and len(first) == 3000
    assert "[UNK]" not in first.tokenize("استثمرت إنفيديا ٣٠ مليار دولار")


def test_a_head_trained_on_other_labels_is_reset_even_when_its_size_matches(tmp_path):
    import torch

    from training.backbone import build_scratch, load_pretrained

    tiny = ScratchConfig(
        vocab_size=200, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32
    )
    ner = build_scratch(["استثمرت مبادلة في الشركة"], tiny, 64, 1)
    ner.model.config.id2label = {
        i: tag
        for i, tag in enumerate(["O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PERS", "I-PERS"])
    }
    ner.model.config.label2id = {tag: i for i, tag in ner.model.config.id2label.items()}
    with torch.no_grad():
        ner.model.classifier.weight.fill_(3.0)
    ner.model.save_pretrained(tmp_path)
    ner.tokenizer.save_pretrained(tmp_path)
    loaded = load_pretrained(str(tmp_path)).model
    assert loaded.config.id2label[1] == "B-INVESTOR"
    assert loaded.classifier.weight.abs().max().item() < 1.0  # fresh (std 0.02), not the NER head's 3.0
    assert torch.equal(loaded.bert.embeddings.word_embeddings.weight, ner.model.bert.embeddings.word_embeddings.weight)


def test_layer_decay_gives_lower_layers_smaller_learning_rates():
    from training.backbone import build_scratch
    from training.optimization import parameter_groups

    tiny = ScratchConfig(
        vocab_size=200, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32
    )
    model = build_scratch(["استثمرت مبادلة في الشركة"], tiny, 64, 1).model
    groups = parameter_groups(model, 1.0, 0.01, 0.5)
    lr_of = {id(p): g["lr"] for g in groups for p in g["params"]}
    named = dict(model.named_parameters())
    assert lr_of[id(named["classifier.weight"])] == 1.0
    assert lr_of[id(named["bert.encoder.layer.1.output.dense.weight"])] == 0.5
    assert lr_of[id(named["bert.encoder.layer.0.output.dense.weight"])] == 0.25
    assert lr_of[id(named["bert.embeddings.word_embeddings.weight"])] == 0.125
    assert {g["weight_decay"] for g in groups if any(p is named["classifier.bias"] for p in g["params"])} == {0.0}


def test_ablation_shows_each_models_dev_f1_beside_its_test_scores(model_dir, gold_path, tmp_path, capsys):
    from inference.ablation import main as ablation_main

    assert (
        ablation_main(
            ["--input", str(gold_path), "--output-dir", str(tmp_path / "ablation"), "--model", f"tiny={model_dir}"]
        )
        == 0
    )
    printed = capsys.readouterr().out
    dev = json.loads((model_dir / "metrics.json").read_text())["dev"]["word"]["f1"]
    assert f"| tiny (scratch) | {dev:.3f} |" in printed
    assert "| rules baseline |" in printed


def test_window_settings_travel_in_config_json(model_dir):
    config = json.loads((model_dir / "config.json").read_text())
    assert config["windows"] == {"max_length": TINY["max_length"], "stride": TINY["stride"], "context": "sentence"}
    model = load_model(model_dir)
    assert (model.max_length, model.stride, model.context) == (64, 16, "sentence")


def test_a_model_without_window_settings_is_refused_not_guessed(model_dir, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(model_dir, old)
    config = json.loads((old / "config.json").read_text())
    del config["windows"]
    (old / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelNotFoundError, match="windows"):
        load_model(old)


def test_inference_may_read_longer_windows_up_to_the_position_embeddings(model_dir):
    config = json.loads((model_dir / "config.json").read_text())
    longest = config["max_position_embeddings"]
    assert load_model(model_dir, max_length=longest).max_length == longest
    with pytest.raises(ValueError, match="position embeddings"):
        load_model(model_dir, max_length=longest + 1)


def confident_on_some_words(batch):
    """A stand-in model call: INVESTOR with a confidence set by each sub-token's id, so scores vary."""
    ids = batch["input_ids"].numpy()
    logits = np.zeros(ids.shape + (len(TAGS),))
    logits[..., TAGS.index("B-INVESTOR")] = (ids % 7) - 3.0
    return logits


def test_threshold_drops_spans_scoring_below_it(model_dir):
    model = dataclasses.replace(load_model(model_dir), forward=confident_on_some_words)
    spans = model.predict(TEXT)
    assert len({s["score"] for s in spans}) > 1
    middle = max(s["score"] for s in spans)
    kept = model.predict(TEXT, threshold=middle)
    assert kept == [s for s in spans if s["score"] >= middle] and 0 < len(kept) < len(spans)
    assert predict(TEXT, model=model, threshold=middle) == kept
    assert model.predict_batch([TEXT], threshold=middle) == [kept]


@pytest.mark.parametrize("threshold", [-0.1, 1.5, "0.5", True])
def test_a_threshold_outside_0_to_1_is_a_value_error(model_dir, threshold):
    with pytest.raises(ValueError, match="threshold"):
        load_model(model_dir).predict(TEXT, threshold=threshold)


@pytest.mark.parametrize("batch_size", [0, -1])
def test_a_batch_size_below_1_is_a_value_error(model_dir, batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        load_model(model_dir).predict_batch([TEXT], batch_size=batch_size)


def test_training_dev_scores_come_from_the_predict_path(model_dir, gold_records):
    from inference.metrics import score
    from inference.model import as_spans
    from labeling.records import Record
    from training.data import to_document
    from training.train import evaluate_documents

    model = load_model(model_dir)
    cfg = load_config(None, {**TINY, "train_files": ["x"], "context": "sentence"})
    predicted = [
        Record(r.id, r.text, as_spans(p))
        for r, p in zip(gold_records, model.predict_batch([r.text for r in gold_records]))
    ]
    assert evaluate_documents(model.model, model.tokenizer, [to_document(r) for r in gold_records], cfg) == score(
        gold_records, predicted
    )


def test_the_log_has_a_line_per_epoch_and_one_when_early_stopping_ends_the_run(gold_path, tmp_path, caplog):
    caplog.set_level("INFO", logger="training.train")
    cfg = load_config(
        None,
        {
            **TINY,
            "train_files": [str(gold_path)],
            "dev_files": [str(gold_path)],
            "epochs": 6,
            "patience": 1,
            "learning_rate": 1e-9,
            "output_dir": str(tmp_path),
        },
    )
    train(cfg, show_progress=False)
    lines = [r.getMessage() for r in caplog.records if r.name == "training.train"]
    epochs = [line for line in lines if line.startswith("epoch ")]
    assert epochs[0].startswith("epoch 1/6: loss ") and ", dev word F1 " in epochs[0] and "best " in epochs[0]
    assert lines[-1].startswith("early stopping: no dev word F1 gain for 1 epochs")
    assert len(epochs) < 6


def _rewrite_weights(model_dir, tmp_path, change):
    from safetensors.torch import load_file, save_file

    copy = tmp_path / "changed"
    shutil.copytree(model_dir, copy)
    tensors = load_file(copy / "model.safetensors")
    change(tensors)
    save_file(tensors, copy / "model.safetensors", metadata={"format": "pt"})
    return copy


def test_weights_without_the_classifier_are_refused_not_filled_at_random(model_dir, tmp_path):
    from labeling.exceptions import BrokenWeightsError

    def drop_head(tensors):
        for name in [n for n in tensors if n.startswith("classifier.")]:
            del tensors[name]

    with pytest.raises(BrokenWeightsError, match="classifier.bias"):
        load_model(_rewrite_weights(model_dir, tmp_path, drop_head))


def test_weights_holding_nan_are_refused(model_dir, tmp_path):
    from labeling.exceptions import BrokenWeightsError

    def poison(tensors):
        tensors["classifier.weight"] = tensors["classifier.weight"] * float("nan")

    with pytest.raises(BrokenWeightsError, match="NaN"):
        load_model(_rewrite_weights(model_dir, tmp_path, poison))


def test_an_id2label_with_a_gap_is_refused(model_dir, tmp_path):
    copy = tmp_path / "gap"
    shutil.copytree(model_dir, copy)
    config = json.loads((copy / "config.json").read_text())
    config["id2label"] = {k: v for k, v in config["id2label"].items() if k != "3"}
    (copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelNotFoundError, match="labels"):
        load_model(copy)


def test_the_command_line_threshold_leaves_out_low_scoring_spans(model_dir, monkeypatch, capsys):
    import inference.__main__ as cli

    def stand_in(path, threshold=0.0, **kwargs):
        return dataclasses.replace(load_model(path), forward=confident_on_some_words, threshold=threshold)

    monkeypatch.setattr(cli, "load_model", stand_in)
    assert cli.main(["--model", str(model_dir), TEXT]) == 0
    every = json.loads(capsys.readouterr().out)
    top = max(s["score"] for s in every)
    assert cli.main(["--model", str(model_dir), "--threshold", str(top), TEXT]) == 0
    assert json.loads(capsys.readouterr().out) == [s for s in every if s["score"] >= top] != every


def test_the_first_predict_from_eight_threads_loads_the_model_once(model_dir, monkeypatch):
    import threading

    import inference.model as model_module

    loads, real_load = [], model_module.load_model

    def counting_load(path):
        loads.append(path)
        return real_load(path)

    monkeypatch.setattr(model_module, "load_model", counting_load)
    monkeypatch.setattr(model_module, "_LOADED", {})
    start = threading.Barrier(8)
    results = []

    def call():
        start.wait()
        results.append(predict("استثمرت إنفيديا 30 مليار دولار في OpenAI", model=str(model_dir)))

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1 and len(results) == 8 and all(r == results[0] for r in results)
