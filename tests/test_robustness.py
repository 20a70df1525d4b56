"""Whatever text or file is thrown at it: valid spans or a clear, documented error; never a crash or hang."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inference import load_model
from inference.batch import run_file
from labeling.records import check_records, make_span, span_problems
from labeling.tokenize import tokenize

NASTY = {
    "no_arabic": "Nvidia invests $30 billion in OpenAI, Reuters reports.",
    "mixed_emoji": "🚀 إنفيديا تستثمر 30 مليار دولار 💰 في OpenAI 🤖 #AI",
    "diacritics_tatweel": "اسْتَثْمَرَتْ إنـــفيـــديا ثَلَاثِينَ مِلْيَارَ دُولَارٍ فِي الشَّرِكَةِ ـــ",
    "arabic_indic_and_persian_digits": "جمعت الشركة ٣٠٫٥ مليون ريال و۱۲۰ میلیون تومان",
    "zero_width_and_bidi": "إنفيديا\u200c\u200d\u200e\u200f\u202b\u202cOpenAI\u2066\u2069\ufeff 30\u00a0مليار",
    "lone_surrogate": "إنفيديا \ud800 تستثمر \udfff في OpenAI",
    "nul_bytes": "إنفيديا\x00تستثمر\x00 30 مليار دولار\x00",
    "only_punctuation": "«»،؛؟!...---***",
    "control_chars": "\x01\x02\x7f\u0085\u2028\u2029",
}


@pytest.fixture(scope="module")
def model(model_dir):
    return load_model(model_dir)


def valid(text, spans):
    assert [s["start"] for s in spans] == sorted(s["start"] for s in spans)
    for s in spans:
        assert 0 <= s["start"] < s["end"] <= len(text) and text[s["start"] : s["end"]] == s["text"]
    assert span_problems(text, [make_span(text, s["start"], s["end"], s["label"]) for s in spans]) == []


@pytest.mark.parametrize("name", sorted(NASTY))
def test_nasty_text_gives_valid_spans(model, name):
    valid(NASTY[name], model.predict(NASTY[name]))


def test_a_200000_character_document_is_handled(model):
    text = ("استثمرت إنفيديا 30 مليار دولار في OpenAI، وقالت أمازون إنها ستدرس الصفقة. " * 2800)[:200_000]
    valid(text, model.predict(text))


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["list"], {"text": "x"}])
def test_wrong_types_raise_type_error(model, bad):
    with pytest.raises(TypeError):
        model.predict(bad)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec=None), max_size=300))
def test_any_unicode_text_gives_valid_spans(model, text):
    valid(text, model.predict(text))


@given(st.text(max_size=500))
def test_tokenizer_never_fails_on_any_text(text):
    assert all(text[t.start : t.end] == t.text for t in tokenize(text))


@pytest.mark.parametrize(
    "line,message",
    [
        ('{"id": "a", "text": "x", "spans": [', "bad JSON"),
        ("[" * 100_000 + "]" * 100_000, "bad JSON"),
        ('{"id": "a", "text": "\\ud800", "spans": []}', "lone surrogate"),
        ('{"id": "a", "text": 5, "spans": []}', "must be a string"),
        ('{"id": "a", "text": "x", "spans": [{"start": "0", "end": 1, "label": "AMOUNT", "text": "x"}]}', "integers"),
        ('{"id": 7, "text": "x", "spans": []}', "non-empty string"),
        ('"just a string"', "JSON object"),
    ],
)
def test_malformed_jsonl_lines_are_reported_not_raised(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    records, problems = check_records(path)
    assert records == [] and message in problems[0].message


def test_invalid_utf8_file_is_reported(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"id": "a", "text": "\xff\xfe", "spans": []}\n')
    assert "not valid UTF-8" in check_records(path)[1][0].message


def test_model_directory_with_pickle_weights_only_is_refused(model_dir, tmp_path):
    import shutil

    from inference import ModelNotFoundError

    pickled = tmp_path / "pickled"
    shutil.copytree(model_dir, pickled)
    (pickled / "model.safetensors").rename(pickled / "pytorch_model.bin")
    with pytest.raises(ModelNotFoundError, match="model.safetensors"):
        load_model(pickled)


def test_batch_file_run_reports_bad_lines_and_goes_on(model, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps({"id": "ok1", "text": NASTY["mixed_emoji"]}, ensure_ascii=False),
                "{broken",
                json.dumps({"id": "nostr", "text": 3}),
                json.dumps({"id": "sur", "text": NASTY["lone_surrogate"]}),
                json.dumps({"id": "ok2", "text": "استثمرت أمازون في OpenAI"}, ensure_ascii=False),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    written, failed = run_file(model, src, out, batch_size=2, show_progress=False)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (written, failed) == (5, 2)
    assert [r["id"] for r in rows] == ["ok1", None, "nostr", "sur", "ok2"]  # an unreadable line has no id
    assert [r.get("line") for r in rows] == [None, 2, 3, None, None]
    assert "bad JSON" in rows[1]["error"] and "string 'text'" in rows[2]["error"]
    assert rows[3]["text"] == NASTY["lone_surrogate"]
    assert not (tmp_path / "out.jsonl.partial").exists()


def test_batch_file_run_resumes_after_the_last_complete_line(model, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("\n".join(f"استثمرت إنفيديا {i} مليار دولار" for i in range(10)) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_file(model, src, out, batch_size=4, show_progress=False)
    full = out.read_text(encoding="utf-8").splitlines()
    # Simulate a crash after three documents and half of the fourth line.
    partial = tmp_path / "out.jsonl.partial"
    partial.write_text("\n".join(full[:3]) + "\n" + full[3][:20], encoding="utf-8")
    out.unlink()
    written, _ = run_file(model, src, out, batch_size=4, resume=True, show_progress=False)
    assert written == 10 and out.read_text(encoding="utf-8").splitlines() == full


def test_cli_survives_undecodable_bytes_in_argv_and_stdin(model_dir):
    import os
    import subprocess
    import sys

    arg = os.fsdecode(b"\xff\xfe \xd8\xa5\xd9\x86\xd9\x81\xd9\x8a\xd8\xaf\xd9\x8a\xd8\xa7")
    by_arg = subprocess.run([sys.executable, "-m", "inference", "--model", str(model_dir), arg], capture_output=True)
    by_stdin = subprocess.run(
        [sys.executable, "-m", "inference", "--model", str(model_dir)],
        input=b"\xff\xfe \xd8\xa5\xd9\x86",
        capture_output=True,
    )
    for result in (by_arg, by_stdin):
        assert result.returncode == 0 and b"Traceback" not in result.stderr
        assert isinstance(json.loads(result.stdout), list)
