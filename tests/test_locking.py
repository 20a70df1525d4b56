"""One writer per output (issue 10, item 10): a second batch run or training into the same output is refused."""

import subprocess
import sys

import pytest
from conftest import ROOT, TINY

from labeling.locking import OutputLockedError, exclusive_lock, lock_path

HOLD = """
import sys, time
from labeling.locking import exclusive_lock
with exclusive_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_the_lock_file_lies_beside_the_output_and_is_removed_after(tmp_path):
    out = tmp_path / "spans.jsonl"
    with exclusive_lock(out) as lock:
        assert lock == tmp_path / "spans.jsonl.lock" and lock.exists()
    assert not lock.exists()


def test_a_second_writer_is_refused_at_once_and_the_first_keeps_its_lock(tmp_path):
    out = tmp_path / "spans.jsonl"
    with exclusive_lock(out):
        with pytest.raises(OutputLockedError, match="spans.jsonl is being written by another process"):
            with exclusive_lock(out):
                pass
        assert lock_path(out).exists()
    with exclusive_lock(out):  # free again once the first writer is done
        pass


def test_a_symlink_to_the_output_shares_its_lock(tmp_path):
    (tmp_path / "runs").mkdir()
    (tmp_path / "latest").symlink_to(tmp_path / "runs")
    with exclusive_lock(tmp_path / "runs" / "model"):
        with pytest.raises(OutputLockedError):
            with exclusive_lock(tmp_path / "latest" / "model"):
                pass


def test_a_lock_held_by_another_process_names_its_pid_and_dies_with_it(tmp_path):
    out = tmp_path / "model"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(OutputLockedError, match=f"pid {holder.pid}"):
            with exclusive_lock(out):
                pass
    finally:
        holder.kill()
        holder.wait()
    # Killed, it never removed its lock file; the kernel released the lock all the same.
    assert lock_path(out).exists()
    with exclusive_lock(out):
        pass


def test_the_other_processes_of_a_distributed_launch_take_no_lock(tmp_path, monkeypatch):
    out = tmp_path / "model"
    with exclusive_lock(out, first_process_only=True):
        monkeypatch.setenv("RANK", "1")
        with exclusive_lock(out, first_process_only=True):
            pass


def test_a_training_into_a_locked_output_dir_is_refused_before_any_work(tmp_path, gold_path):
    from training.config import load_config
    from training.train import train

    out = tmp_path / "model"
    cfg = load_config(None, {**TINY, "train_files": [str(gold_path)], "output_dir": str(out)})
    with exclusive_lock(out):
        with pytest.raises(OutputLockedError):
            train(cfg, show_progress=False)
    assert not out.exists()


def test_the_training_cli_reports_a_locked_output_dir_as_one_error_line(tmp_path, gold_path, capsys):
    from training.train import main

    out = tmp_path / "model"
    tiny = [
        f"--{key.replace('__', '-').replace('_', '-')}={value}" for key, value in TINY.items() if key != "dev_files"
    ]
    with exclusive_lock(out):
        assert (
            main(
                [
                    *tiny,
                    "--epochs=1",
                    "--dev-files",
                    "--train-files",
                    str(gold_path),
                    "--output-dir",
                    str(out),
                    "--no-progress",
                ]
            )
            == 1
        )
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "is being written by another process" in err and "Traceback" not in err
