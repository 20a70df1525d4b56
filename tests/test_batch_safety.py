"""Batch runs under hostile input (issue 10): one bad line is one error line, ids never shift or collide."""

import json
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc

import pytest
from conftest import ROOT

from inference import load_model
from inference.__main__ import main as inference_main
from inference.batch import _complete_lines, count_documents, iter_documents, run_file
from labeling.locking import OutputLockedError, exclusive_lock

OK1 = "استثمرت إنفيديا 30 مليار دولار في OpenAI."
OK2 = "قالت أمازون إنها ستدرس الصفقة."


@pytest.fixture(scope="module")
def model(model_dir):
    return load_model(model_dir)


def doc(rid, text, **extra):
    return json.dumps({"id": rid, "text": text, **extra}, ensure_ascii=False)


def run(model, tmp_path, content: bytes, **kwargs):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(content)
    counts = run_file(model, src, out, batch_size=2, show_progress=False, **kwargs)
    return counts, [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]


def test_an_integer_over_4300_digits_or_deep_nesting_is_one_error_line_and_the_run_goes_on(model, tmp_path):
    lines = [
        doc("ok1", OK1),
        '{"id": "big", "text": "x", "n": ' + "7" * 5000 + "}",
        "[" * 100_000 + "]" * 100_000,
        doc("ok2", OK2),
    ]
    (written, failed), rows = run(model, tmp_path, ("\n".join(lines) + "\n").encode())
    assert (written, failed) == (4, 2)
    assert [r["id"] for r in rows] == ["ok1", None, None, "ok2"]
    assert rows[1] == {
        "id": None,
        "line": 2,
        "source": "",
        "error": "bad JSON: Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits",
    }
    assert (rows[2]["line"], rows[2]["error"]) == (3, "bad JSON: nested too deeply")


def test_resume_goes_past_an_unreadable_line_instead_of_stopping_on_it_again(model, tmp_path):
    lines = [doc("ok1", OK1), '{"n": ' + "7" * 5000 + "}", doc("ok2", OK2)]
    _, full = run(model, tmp_path, ("\n".join(lines) + "\n").encode())
    (tmp_path / "out.jsonl.partial").write_text(json.dumps(full[0]) + "\n", encoding="utf-8")
    (written, failed), rows = run(model, tmp_path, ("\n".join(lines) + "\n").encode(), resume=True)
    assert (written, failed) == (3, 1) and rows == full


def test_a_bom_and_a_raw_cr_shift_no_id_and_an_error_never_takes_a_real_id(model, tmp_path):
    lines = [
        "\ufeff" + doc("a", OK1),
        '{"id": "b",\r"text": "' + OK2 + '"}',
        '{"id": "c", "text": ',
        doc("line-3", OK2),
        json.dumps({"text": OK1}, ensure_ascii=False),
    ]
    (written, failed), rows = run(model, tmp_path, ("\n".join(lines) + "\n").encode())
    assert (written, failed) == (5, 1)
    assert [r["id"] for r in rows] == ["a", "b", None, "line-3", "line-5"]
    assert rows[2]["line"] == 3 and rows[2]["error"].startswith("bad JSON")
    assert rows[1]["text"] == OK2


def test_an_unreadable_id_or_source_is_an_error_line_and_a_lone_surrogate_in_an_id_is_escaped(model, tmp_path):
    surrogate = json.dumps({"id": "\ud800", "text": OK2})  # the JSON escape \\ud800: no UTF-8 for it
    lines = [doc(["a", "list"], OK1), doc("s", OK1, source={"url": "x"}), surrogate, doc(7, OK2)]
    (written, failed), rows = run(model, tmp_path, ("\n".join(lines) + "\n").encode())
    assert (written, failed) == (4, 2)
    assert [(r["id"], r.get("error")) for r in rows] == [
        (None, "expected a string 'id' and 'source'"),
        (None, "expected a string 'id' and 'source'"),
        ("\ud800", None),
        ("7", None),
    ]


def test_resume_reads_the_partial_one_line_at_a_time(tmp_path):
    partial = tmp_path / "out.jsonl.partial"
    row = (json.dumps({"id": "d", "source": "", "text": OK1 * 20, "spans": []}, ensure_ascii=False) + "\n").encode()
    with open(partial, "wb") as handle:
        for _ in range(10_000):
            handle.write(row)
        handle.write(row[:100])  # torn by a crash
    size = partial.stat().st_size
    tracemalloc.start()
    try:
        done = _complete_lines(partial)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert done == 10_000 and partial.stat().st_size == size - 100
    assert size > 10_000_000 and peak < 1_000_000


def test_a_second_run_on_the_same_output_is_refused_and_writes_nothing(model, tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(doc("ok1", OK1) + "\n", encoding="utf-8")
    with exclusive_lock(out):
        with pytest.raises(OutputLockedError, match="out.jsonl is being written by another process"):
            run_file(model, src, out, show_progress=False)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl.lock"]


def test_the_batch_cli_reports_a_locked_output_as_one_error_line(model_dir, tmp_path, capsys):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(doc("ok1", OK1) + "\n", encoding="utf-8")
    with exclusive_lock(out):
        assert (
            inference_main(["--model", str(model_dir), "--input", str(src), "--output", str(out), "--no-progress"]) == 1
        )
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "is being written by another process" in err


def test_the_progress_total_counts_documents_not_raw_lines(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([doc("a", OK1), "", "   ", doc("b", OK2), "{broken", ""]) + "\n", encoding="utf-8")
    assert count_documents(src) == 3 == len(list(iter_documents(src)))


def test_a_blank_line_of_a_text_file_is_no_document_and_later_ids_keep_their_line_number(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text(f"{OK1}\n\n{OK2}\n", encoding="utf-8")
    assert [(d.id, d.text) for d in iter_documents(src)] == [("line-1", OK1), ("line-3", OK2)]
    assert count_documents(src) == 2


# --- the gold input, a bad batch size, Ctrl-C (issue 10, items 2, 5, 17) ----------------------------


def test_the_batch_cli_never_replaces_its_gold_input_with_predictions_even_with_force(
    model_dir, gold_path, tmp_path, capsys
):
    gold = shutil.copyfile(gold_path, tmp_path / "gold.jsonl")
    (tmp_path / "predictions.jsonl").symlink_to(gold)
    for output in (gold, tmp_path / "predictions.jsonl"):
        argv = ["--model", str(model_dir), "--input", str(gold), "--output", str(output), "--force", "--no-progress"]
        assert inference_main(argv) == 1
        assert "is an input of this command" in capsys.readouterr().err
    assert gold.read_bytes() == gold_path.read_bytes()


@pytest.mark.parametrize("batch_size", [0, -1])
def test_a_batch_size_below_1_is_refused_before_anything_is_written(model, tmp_path, batch_size):
    src = tmp_path / "in.jsonl"
    src.write_text(doc("ok1", OK1) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        run_file(model, src, tmp_path / "out.jsonl", batch_size=batch_size, show_progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def _sigint_default() -> None:
    """A process started in the background may inherit SIGINT ignored; Python only catches it when it is not."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_keeps_the_partial_output_and_resume_gives_what_one_run_gives(model, model_dir, tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    partial = tmp_path / "out.jsonl.partial"
    texts = [OK1, OK2, "قيمة الشركة مليار دولار", "ربحت أمازون مليون دولار من صفقة OpenAI"]
    src.write_text("".join(doc(f"d{i}", texts[i % 4]) + "\n" for i in range(600)), encoding="utf-8")
    argv = ["--model", str(model_dir), "--input", str(src), "--output", str(out), "--batch-size", "1"]
    argv += ["--no-progress", "--quiet"]
    command = subprocess.Popen(
        [sys.executable, "-m", "inference", *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_sigint_default,
    )
    deadline = time.monotonic() + 120
    while not (partial.exists() and partial.stat().st_size) and command.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    command.send_signal(signal.SIGINT)  # once the first documents are written
    _, err = command.communicate(timeout=120)
    assert (command.returncode, err) == (130, "interrupted; rerun with --resume\n")
    written = partial.read_text(encoding="utf-8").count("\n")
    assert not out.exists() and 0 < written < 600
    assert inference_main([*argv, "--resume"]) == 0
    run_file(model, src, tmp_path / "uninterrupted.jsonl", batch_size=1, show_progress=False)
    assert out.read_bytes() == (tmp_path / "uninterrupted.jsonl").read_bytes()
