"""``pipeline("deal-extraction")`` gives exactly the spans of ``predict()``, in transformers' aggregated format."""

import shutil

import pytest
import torch
from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

import inference.pipeline  # noqa: F401  (registers the task)
from inference import load_model
from inference.decoding import PredictedSpan
from inference.pipeline import TASK, DealExtractionPipeline, as_entity


@pytest.fixture(scope="module")
def marking_model_dir(model_dir, gold_records, tmp_path_factory):
    """The tiny model with a seeded random head centred on its hidden states, so that it marks spans of all four
    labels, one word or several, scoring from near 0 to near 1 (the trained tiny model marks none). What is
    tested is that two paths give the same spans, not that the spans are right."""
    path = tmp_path_factory.mktemp("marking") / "model"
    shutil.copytree(model_dir, path)
    model = AutoModelForTokenClassification.from_pretrained(path)
    enc = AutoTokenizer.from_pretrained(path)(gold_records[0].text, return_tensors="pt", truncation=True, max_length=64)
    torch.manual_seed(0)
    with torch.no_grad():
        hidden = model.bert(**enc).last_hidden_state[0]
        weight = torch.randn(model.classifier.weight.shape) / hidden.std(0)
        model.classifier.weight.copy_(weight)
        model.classifier.bias.copy_(-weight @ hidden.mean(0))
    model.save_pretrained(path, safe_serialization=True)
    return path


@pytest.fixture(scope="module")
def texts(gold_records):
    """The first paragraph of each seed article, and one whole article (longer than a window)."""
    return [r.text.split("\n")[0] for r in gold_records] + [gold_records[1].text]


@pytest.fixture(scope="module")
def pipe(marking_model_dir):
    return pipeline(TASK, model=str(marking_model_dir), device=-1)


def entities(predicted: list[dict]) -> list[dict]:
    """``predict()``'s spans renamed to the pipeline's keys."""
    return [
        {"entity_group": s["label"], "score": s["score"], "word": s["text"], "start": s["start"], "end": s["end"]}
        for s in predicted
    ]


def test_a_span_reads_like_the_stock_pipelines_aggregated_entity():
    # «مبادلة» is characters 8 to 14 of «استثمرت مبادلة ٥٠٠ مليون دولار».
    assert as_entity(PredictedSpan("INVESTOR", "مبادلة", 8, 14, 0.91)) == {
        "entity_group": "INVESTOR",
        "score": 0.91,
        "word": "مبادلة",
        "start": 8,
        "end": 14,
    }


def test_pipeline_spans_equal_predict_spans_on_seed_sentences(pipe, marking_model_dir, texts):
    model = load_model(marking_model_dir)
    expected = [entities(model.predict(t)) for t in texts]
    assert [pipe(t) for t in texts] == expected
    labels = {s["entity_group"] for spans in expected for s in spans}
    assert labels == {"INVESTOR", "AMOUNT", "VALUATION", "PROJECT"}
    assert any(" " in s["word"] for spans in expected for s in spans)  # several-word spans too


def test_the_token_classification_task_takes_our_class(marking_model_dir, pipe, texts):
    tagger = pipeline(
        "token-classification", model=str(marking_model_dir), pipeline_class=DealExtractionPipeline, device=-1
    )
    assert isinstance(tagger, DealExtractionPipeline)
    assert tagger(texts[1]) == pipe(texts[1])


def test_the_registered_task_builds_our_pipeline_with_the_models_window_settings(pipe, marking_model_dir):
    assert isinstance(pipe, DealExtractionPipeline)
    assert pipe.settings == load_model(marking_model_dir).settings
    assert (pipe.settings.max_length, pipe.settings.stride) == (64, 16)  # conftest.TINY


def test_threshold_drops_exactly_the_spans_scoring_below_it(pipe, texts):
    every = pipe(texts[0])
    kept = pipe(texts[0], threshold=0.5)
    assert kept == [s for s in every if s["score"] >= 0.5]
    assert 0 < len(kept) < len(every)


def test_a_threshold_given_at_creation_applies_to_every_call(marking_model_dir, pipe, texts):
    strict = pipeline(TASK, model=str(marking_model_dir), device=-1, threshold=0.9)
    assert strict(texts[0]) == pipe(texts[0], threshold=0.9)


def test_a_list_of_texts_gives_a_list_of_span_lists(pipe, marking_model_dir, texts):
    assert pipe(texts) == [pipe(t) for t in texts]
    assert pipe([]) == []
    batched = load_model(marking_model_dir).predict_batch(texts)
    assert pipe(texts, batch_size=len(texts)) == [entities(spans) for spans in batched]


def test_blank_text_gives_no_spans(pipe):
    assert pipe(["", "  \n"]) == [[], []]


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda p: p(42), TypeError),
        (lambda p: p("نص", threshold=1.5), ValueError),
        (lambda p: p("نص", aggregation_strategy="first"), ValueError),
        (lambda p: p("نص", ignore_labels=["O"]), TypeError),
    ],
)
def test_wrong_input_or_parameter_says_what_is_wrong(pipe, call, error):
    with pytest.raises(error):
        call(pipe)


def test_the_stock_callers_aggregation_strategy_simple_is_accepted(pipe, texts):
    assert pipe(texts[0], aggregation_strategy="simple") == pipe(texts[0])


def test_a_saved_pipeline_loads_again_without_remote_code(pipe, texts, tmp_path):
    pipe.save_pretrained(tmp_path)
    assert "custom_pipelines" not in (tmp_path / "config.json").read_text()
    assert not list(tmp_path.glob("*.py"))
    assert pipeline(TASK, model=str(tmp_path), device=-1)(texts[0]) == pipe(texts[0])
