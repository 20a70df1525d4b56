"""ONNX fp32 and int8 runtimes: same API and output format as PyTorch."""

import shutil

import pytest

from inference import ModelNotFoundError, load_model
from inference.export import main as export_main

TEXTS = ["تقترب شركة إنفيديا من ضخ استثمار بقيمة ٣٠ مليار دولار في شركة OpenAI.", "", "أرباح البنك ارتفعت"]


@pytest.fixture(scope="module")
def exported(model_dir, tmp_path_factory):
    copy = tmp_path_factory.mktemp("onnx") / "model"
    shutil.copytree(model_dir, copy)
    assert export_main(["--model", str(copy)]) == 0
    return copy


def test_export_writes_fp32_and_int8_files(exported):
    assert (exported / "onnx" / "model.onnx").stat().st_size > (exported / "onnx" / "model_int8.onnx").stat().st_size


def test_onnx_fp32_gives_the_torch_spans(exported):
    torch_out = load_model(exported).predict_batch(TEXTS)
    onnx_out = load_model(exported, runtime="onnx").predict_batch(TEXTS)
    assert [[(s["label"], s["start"], s["end"]) for s in doc] for doc in onnx_out] == [
        [(s["label"], s["start"], s["end"]) for s in doc] for doc in torch_out
    ]
    for a, b in zip(onnx_out[0], torch_out[0]):
        assert a["score"] == pytest.approx(b["score"], abs=1e-3)


def test_onnx_int8_keeps_the_output_format(exported):
    for doc in load_model(exported, runtime="onnx_int8").predict_batch(TEXTS):
        for s in doc:
            assert set(s) == {"label", "text", "start", "end", "score"} and TEXTS[0][s["start"] : s["end"]] == s["text"]


def test_onnx_runtime_without_export_says_how_to_export(model_dir):
    with pytest.raises(ModelNotFoundError, match="python -m inference.export"):
        load_model(model_dir, runtime="onnx")


def test_unknown_runtime_is_a_value_error(model_dir):
    with pytest.raises(ValueError, match="runtime must be one of"):
        load_model(model_dir, runtime="tensorrt")


def test_one_registry_names_and_locates_every_runtime(exported):
    from inference.bench import RUNTIMES as BENCHED
    from inference.runtimes import RUNTIMES

    assert list(RUNTIMES) == ["torch", "onnx", "onnx_int8"]
    assert BENCHED == ("pipeline", "torch", "onnx", "onnx_int8")
    for name, runtime in RUNTIMES.items():
        assert (exported / runtime.file).is_file()
        assert load_model(exported, runtime=name).runtime == name


def test_an_unknown_runtime_lists_the_known_ones(model_dir):
    with pytest.raises(ValueError, match="torch, onnx, onnx_int8"):
        load_model(model_dir, runtime="tensorrt")
