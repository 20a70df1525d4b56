"""The command lines: one option style, existing outputs refused unless --force, one error line, deal-extract."""

import argparse
import ast
import importlib
import json
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest
import tomllib
from conftest import ROOT

from inference.__main__ import main as predict_main
from inference.bench import main as bench_main
from inference.evaluate import main as evaluate_main
from inference.render import main as render_main
from labeling.__main__ import main
from labeling.cli import PACKAGES, check_output_dir, resumable, run, setup_logging
from labeling.exceptions import ConfigError, DealExtractionError, OutputIsInputError
from training.cli import COMMANDS


def cli(*args):
    return subprocess.run([sys.executable, "-m", "labeling", *args], capture_output=True, text=True, cwd=ROOT)


# --- python -m labeling ----------------------------------------------------------------------


def test_validate_exits_0_on_the_gold_file(gold_path):
    result = cli("validate", "--input", str(gold_path))
    assert result.returncode == 0 and "OK" in result.stdout


def test_validate_exits_1_and_names_the_line_on_a_bad_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "x", "text": "أمازون", "spans": [{"start": 0, "end": 9, "label": "AMOUNT", "text": "أمازون"}]}\n'
    )
    result = cli("validate", "--input", str(bad))
    assert result.returncode == 1 and f"{bad}:1 [x]" in result.stderr and "Traceback" not in result.stderr


def test_missing_file_is_a_clear_error_not_a_traceback(tmp_path, capsys):
    assert main(["stats", "--input", str(tmp_path / "nope.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "cannot read file" in err and "Traceback" not in err


def test_stats_lists_documents_and_every_label(gold_path, capsys):
    assert main(["stats", "--input", str(gold_path)]) == 0
    rows = dict(line.split("\t") for line in capsys.readouterr().out.splitlines() if line.count("\t") == 1)
    assert rows["documents"] == "5"
    assert all(int(rows[label]) > 0 for label in ("INVESTOR", "AMOUNT", "VALUATION", "PROJECT"))


def test_conll_and_labelstudio_commands_round_trip(gold_path, tmp_path):
    def convert(command, source, target):
        assert main([command, "--input", str(source), "--output", str(tmp_path / target)]) == 0
        return tmp_path / target

    back = convert("from-labelstudio", convert("to-labelstudio", gold_path, "ls.json"), "back.jsonl")
    # the conversions carry spans only (version 1): deals and money values stay in the JSONL
    spans_only = [
        {
            **{k: v for k, v in r.items() if k != "deals"},
            "spans": [{k: s[k] for k in ("start", "end", "label", "text")} for s in r["spans"]],
        }
        for r in map(json.loads, gold_path.read_text(encoding="utf-8").splitlines())
    ]
    assert [json.loads(line) for line in back.read_text(encoding="utf-8").splitlines()] == spans_only
    again = convert("from-conll", convert("to-conll", gold_path, "g.conll"), "g.jsonl")
    assert cli("validate", "--input", str(again)).returncode == 0


def test_preannotate_writes_valid_records_and_refuses_to_overwrite(tmp_path):
    txt = tmp_path / "a.txt"
    txt.write_text("استثمرت إنفيديا 30 مليار دولار في OpenAI.", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["preannotate", "--input", str(txt), "--output", str(out)]) == 0
    (rec,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [s["label"] for s in rec["spans"]] == ["INVESTOR", "AMOUNT", "PROJECT"]
    assert main(["preannotate", "--input", str(txt), "--output", str(out)]) == 1


def test_split_keeps_every_page_in_one_split(tmp_path):
    lines = []
    for page in range(30):
        for k in range(2):
            lines.append(
                json.dumps(
                    {
                        "id": f"p{page}-{k}",
                        "source": f"https://news.example/{page}",
                        "text": "ربحت الشركة",
                        "spans": [],
                    },
                    ensure_ascii=False,
                )
            )
    data = tmp_path / "news.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["split", "--input", str(data), "--output-dir", str(tmp_path / "splits")]) == 0
    seen = {}
    for name in ("train", "dev", "test"):
        for line in (tmp_path / "splits" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            source = json.loads(line)["source"]
            assert seen.setdefault(source, name) == name
    assert len(seen) == 30 and set(seen.values()) == {"train", "dev", "test"}


# --- existing outputs -----------------------------------------------------------------------

SHORT_TEXTS = ["استثمرت إنفيديا 30 مليار دولار في OpenAI.", "ربحت الشركة مليون دولار.", "قيمة الشركة مليار دولار"]


def _short_gold(tmp_path):
    """Short texts: the plain transformers pipeline of the bench cannot read a whole seed article."""
    path = tmp_path / "short.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": f"s{i}", "text": t, "spans": []}, ensure_ascii=False) + "\n"
            for i, t in enumerate(SHORT_TEXTS)
        ),
        encoding="utf-8",
    )
    return path


def _writer(command, gold, model_dir, tmp_path):
    """(main, argv, the output file that an earlier run left) of a command that writes."""
    if command == "split":
        out = tmp_path / "splits"
        return main, ["split", "--input", str(gold), "--output-dir", str(out)], out / "train.jsonl"
    if command == "render":
        page = tmp_path / "page.html"
        return render_main, ["--predictions", str(gold), "--gold", str(gold), "--output", str(page)], page
    if command == "evaluate":
        out = tmp_path / "eval"
        argv = ["--baseline", "rules", "--input", str(gold), "--output-dir", str(out)]
        return evaluate_main, argv, out / "metrics.json"
    model = shutil.copytree(model_dir, tmp_path / "model")  # the bench exports ONNX files into it
    figures = tmp_path / "bench.json"
    return (
        bench_main,
        [
            "--model",
            str(model),
            "--input",
            str(_short_gold(tmp_path)),
            "--speed-on",
            "trained",
            "--latency-runs",
            "3",
            "--output",
            str(figures),
            "--quiet",
        ],
        figures,
    )


@pytest.mark.parametrize("command", ["split", "render", "evaluate", "bench"])
def test_an_existing_output_is_refused_without_force_and_replaced_with_it(
    command, gold_path, model_dir, tmp_path, capsys
):
    command_main, argv, output = _writer(command, gold_path, model_dir, tmp_path)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("an earlier run\n", encoding="utf-8")
    assert command_main(argv) == 1
    assert "pass --force" in capsys.readouterr().err
    assert output.read_text(encoding="utf-8") == "an earlier run\n"
    assert command_main([*argv, "--force"]) == 0
    assert output.read_text(encoding="utf-8") != "an earlier run\n"


def test_bench_writes_the_markdown_table_beside_the_json_figures(gold_path, model_dir, tmp_path):
    command_main, argv, figures = _writer("bench", gold_path, model_dir, tmp_path)
    assert command_main(argv) == 0
    assert set(json.loads(figures.read_text(encoding="utf-8"))["runtimes"]) == {
        "pipeline",
        "torch",
        "onnx",
        "onnx_int8",
    }
    assert figures.with_suffix(".md").read_text(encoding="utf-8").startswith("# Inference benchmarks")


def test_outputs_are_checked_before_any_work(gold_path, tmp_path, capsys):
    (tmp_path / "bench.md").write_text("an earlier table\n", encoding="utf-8")
    code = bench_main(
        ["--model", str(tmp_path / "no-model"), "--input", str(gold_path), "--output", str(tmp_path / "bench.json")]
    )
    assert code == 1 and "bench.md exists" in capsys.readouterr().err  # not: no model directory


def test_an_output_file_that_is_a_directory_is_refused_even_with_force(gold_path, tmp_path, capsys):
    assert main(["to-conll", "--input", str(gold_path), "--output", str(tmp_path), "--force"]) == 1
    assert "is a directory" in capsys.readouterr().err


def test_training_into_a_used_output_dir_needs_resume_or_force(gold_path, model_dir, tmp_path, capsys):
    from training.train import main as train_main

    run_dir = shutil.copytree(model_dir, tmp_path / "run")  # a finished two-epoch run of the TINY recipe
    argv = [
        "--backbone",
        "scratch",
        "--train-files",
        str(gold_path),
        "--dev-files",
        "--epochs",
        "2",
        "--patience",
        "5",
        "--batch-size",
        "8",
        "--max-length",
        "64",
        "--stride",
        "16",
        "--scratch-vocab-size",
        "1500",
        "--scratch-hidden-size",
        "32",
        "--scratch-num-hidden-layers",
        "2",
        "--scratch-num-attention-heads",
        "2",
        "--scratch-intermediate-size",
        "64",
        "--output-dir",
        str(run_dir),
        "--no-progress",
    ]
    assert train_main(argv) == 1
    assert "pass --force" in capsys.readouterr().err
    assert train_main([*argv, "--resume"]) == 0  # nothing left to train: it only reports
    assert "best epoch 2" in capsys.readouterr().out


# --- an output that is an input (issue 10, item 2) ----------------------------------------------


def _gold_copy(gold_path, tmp_path):
    gold = tmp_path / "gold.jsonl"
    shutil.copyfile(gold_path, gold)
    (tmp_path / "sub").mkdir()
    os.link(gold, tmp_path / "hard-link.jsonl")
    (tmp_path / "symlink.jsonl").symlink_to(gold)
    return gold


@pytest.mark.parametrize("output", ["gold.jsonl", "sub/../gold.jsonl", "hard-link.jsonl", "symlink.jsonl"])
def test_an_output_that_is_the_input_is_refused_even_with_force(output, gold_path, tmp_path, capsys):
    gold = _gold_copy(gold_path, tmp_path)
    assert main(["to-labelstudio", "--input", str(gold), "--output", str(tmp_path / output), "--force"]) == 1
    assert "is an input of this command" in capsys.readouterr().err
    assert gold.read_bytes() == gold_path.read_bytes()


def test_split_refuses_a_folder_where_it_would_overwrite_its_input(gold_path, tmp_path, capsys):
    splits = tmp_path / "splits"
    splits.mkdir()
    train = shutil.copyfile(gold_path, splits / "train.jsonl")
    assert main(["split", "--input", str(train), "--output-dir", str(splits), "--force"]) == 1
    assert "train.jsonl is an input of this command" in capsys.readouterr().err
    assert train.read_bytes() == gold_path.read_bytes()


def test_an_output_folder_may_hold_an_input_that_the_command_does_not_write(tmp_path):
    folder = tmp_path / "eval"
    folder.mkdir()
    gold = folder / "gold.jsonl"
    gold.write_text("", encoding="utf-8")
    check_output_dir(folder, True, [gold], writes=["metrics.json", "predictions.jsonl"])
    with pytest.raises(OutputIsInputError):
        check_output_dir(folder, True, [gold], writes=["gold.jsonl"])
    with pytest.raises(OutputIsInputError):  # a model directory: the whole folder is the command's
        check_output_dir(folder, True, [gold])


# --- counts (issue 10, item 5) ---------------------------------------------------------------------

COUNT_OPTIONS = {
    "--batch-size",
    "--threads",
    "--epochs",
    "--patience",
    "--latency-runs",
    "--docs",
    "--first",
    "--max-steps",
    "--save-every",
    "--max-sentences",
    "--max-words",
    "--min-count",
    "--folds",
}


def test_every_count_option_refuses_0_and_below_as_a_usage_error():
    checked = []
    for module in CLIS:
        for action in importlib.import_module(module).build_parser()._actions:
            for option in COUNT_OPTIONS.intersection(action.option_strings):
                for value in ("0", "-1"):
                    with pytest.raises(argparse.ArgumentTypeError, match="must be at least"):
                        action.type(value)
                checked.append(f"{module} {option}")
    assert "inference.__main__ --batch-size" in checked and len(checked) >= 15


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_batch_size_below_1_is_a_usage_error_not_an_empty_run(value, gold_path, model_dir, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    argv = ["--model", str(model_dir), "--input", str(gold_path), "--output", str(out), "--batch-size", value]
    with pytest.raises(SystemExit) as exited:
        predict_main(argv)
    assert exited.value.code == 2
    assert f"argument --batch-size: must be at least 1, got {value}" in capsys.readouterr().err
    assert not out.exists()


# --- failing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error, line",
    [
        (ConfigError("epochs must be at least 1"), "error: epochs must be at least 1"),
        (PermissionError(13, "Permission denied", "out.json"), "error: [Errno 13] Permission denied: 'out.json'"),
    ],
)
def test_a_project_error_or_an_oserror_ends_a_command_with_one_line_and_status_1(error, line, capsys):
    def command(argv):
        raise error

    assert run(command)([]) == 1
    assert capsys.readouterr().err == line + "\n"


def test_a_bug_still_shows_its_traceback():
    with pytest.raises(ZeroDivisionError):
        run(lambda argv: 1 / 0)([])


def test_ctrl_c_is_one_line_and_status_130(capsys):
    def command(argv):
        raise KeyboardInterrupt

    assert run(command)([]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_ctrl_c_in_work_that_can_resume_says_to_rerun_with_resume(capsys):
    def command(argv):
        with resumable():
            raise KeyboardInterrupt

    assert run(command)([]) == 130
    assert capsys.readouterr().err == "interrupted; rerun with --resume\n"


def test_ctrl_c_in_training_keeps_the_last_epoch_and_resume_finishes_the_run(tmp_path, monkeypatch, capsys):
    import training.train as training_run

    out = tmp_path / "run"
    argv = [
        *("--backbone", "scratch", "--train-files", str(_short_gold(tmp_path)), "--dev-files", "--dev-fraction", "0"),
        *("--epochs", "2", "--batch-size", "8", "--max-length", "64", "--stride", "16", "--augment-copies", "0"),
        *("--scratch-vocab-size", "300", "--scratch-hidden-size", "32", "--scratch-num-hidden-layers", "1"),
        *("--scratch-num-attention-heads", "2", "--scratch-intermediate-size", "64"),
        *("--output-dir", str(out), "--no-progress", "--quiet"),
    ]
    step, steps = training_run.optimizer_step, []

    def ctrl_c_in_epoch_2(*args):  # three texts in batches of 8: one step an epoch
        steps.append(args)
        if len(steps) == 2:
            raise KeyboardInterrupt
        return step(*args)

    monkeypatch.setattr(training_run, "optimizer_step", ctrl_c_in_epoch_2)
    assert training_run.main(argv) == 130
    assert capsys.readouterr().err == "interrupted; rerun with --resume\n"
    assert json.loads((out / "checkpoint" / "state" / "trainer_state.json").read_text(encoding="utf-8"))["epoch"] == 1
    monkeypatch.setattr(training_run, "optimizer_step", step)
    assert training_run.main([*argv, "--resume"]) == 0
    history = json.loads((out / "metrics.json").read_text(encoding="utf-8"))["history"]
    assert [row["epoch"] for row in history] == [1, 2]


def test_a_missing_model_is_one_error_line_and_exit_status_1_from_the_shell(gold_path, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "inference.evaluate",
            "--model",
            str(tmp_path / "nothing"),
            "--input",
            str(gold_path),
            "--output-dir",
            str(tmp_path / "eval"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: no model directory at ") and result.stderr.count("\n") == 1


def test_quiet_keeps_warnings_and_drops_progress(capsys):
    log = logging.getLogger("training.somewhere")
    try:
        setup_logging(quiet=False)
        log.info("fold 1/5")
        setup_logging(quiet=True)
        log.info("fold 2/5")
        log.warning("no checkpoint")
    finally:
        setup_logging(quiet=False)
    assert capsys.readouterr().err == "fold 1/5\nwarning: no checkpoint\n"


# --- old spellings -----------------------------------------------------------------------------


def test_old_spellings_still_work_and_say_what_replaces_them(gold_path, tmp_path, capsys):
    txt = tmp_path / "a.txt"
    txt.write_text("استثمرت إنفيديا 30 مليار دولار في OpenAI.", encoding="utf-8")
    assert main(["to-conll", str(gold_path), str(tmp_path / "g.conll")]) == 0
    assert main(["preannotate", str(txt), "-o", str(tmp_path / "p.jsonl")]) == 0
    assert main(["split", str(gold_path), "--out", str(tmp_path / "splits")]) == 0
    assert evaluate_main(["--baseline", "rules", "--data", str(gold_path), "--out", str(tmp_path / "eval")]) == 0
    assert render_main(["--predictions", str(gold_path), "--out", str(tmp_path / "page.html")]) == 0
    assert all(
        (tmp_path / name).exists()
        for name in ("g.conll", "p.jsonl", "splits/test.jsonl", "eval/metrics.json", "page.html")
    )
    err = capsys.readouterr().err
    for note in (
        "bare file arguments are deprecated; use --input --output",
        "-o is deprecated; use --output",
        "--out is deprecated; use --output-dir",
        "--data is deprecated; use --input",
        "--out is deprecated; use --output",
    ):
        assert f"warning: {note}\n" in err


def test_bench_old_json_flag_names_the_figures_file(gold_path, tmp_path, capsys):
    (tmp_path / "old.json").write_text("{}", encoding="utf-8")
    assert bench_main(["--model", str(tmp_path), "--data", str(gold_path), "--json", str(tmp_path / "old.json")]) == 1
    assert "old.json exists" in capsys.readouterr().err


CLIS = [
    "inference.__main__",
    "inference.evaluate",
    "inference.render",
    "inference.bench",
    "inference.bench_files",
    "inference.export",
    "inference.ablation",
    "inference.deals_csv",
    "inference.agreement",
    "training.train",
    "training.crossval",
    "training.pretrain",
    "training.intermediate",
    "training.e5_small",
    "training.vocab_trim",
    "training.linker",
    "training.learning_curve",
]
LABELING_COMMANDS = [
    "validate",
    "stats",
    "to-conll",
    "from-conll",
    "to-labelstudio",
    "from-labelstudio",
    "split",
    "apply-review",
    "preannotate",
]
READ_ONLY = {"inference.bench_files", "validate", "stats"}
OLD_SPELLING = re.compile(r"(?<![\w-])(--out|--data|--json|--md|-o)(?![\w-])")


def _helps(capsys):
    """(name, help text) of every command, labeling's subcommands one by one."""
    helps = [(module, importlib.import_module(module).build_parser().format_help()) for module in CLIS]
    for command in LABELING_COMMANDS:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        helps.append((command, capsys.readouterr().out))
    return helps


def test_help_shows_only_the_new_spellings_and_every_command_has_quiet_and_force(capsys):
    for name, text in _helps(capsys):
        assert not OLD_SPELLING.search(text), name
        assert "--quiet" in text, name
        assert ("--force" in text) == (name not in READ_ONLY), name


# --- deal-extract --------------------------------------------------------------------------------


def test_deal_extract_is_the_projects_console_script():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["deal-extract"] == "training.cli:script"
    assert callable(importlib.import_module("training.cli").script)


def test_deal_extract_help_lists_each_command_on_one_line(capsys):
    from training.cli import COMMANDS
    from training.cli import main as deal_extract

    with pytest.raises(SystemExit) as exited:
        deal_extract(["--help"])
    out = capsys.readouterr().out
    assert exited.value.code == 0
    for name in (
        "train",
        "crossval",
        "pretrain",
        "intermediate",
        "predict",
        "evaluate",
        "bench",
        "render",
        "export",
        "label",
    ):
        assert re.search(rf"^  {re.escape(name)} +{re.escape(COMMANDS[name].summary)}$", out, re.M), name


def test_deal_extract_runs_the_chosen_command_with_the_rest_of_the_line(gold_path, capsys):
    from training.cli import main as deal_extract

    assert deal_extract(["label", "stats", "--input", str(gold_path)]) == 0
    assert "documents\t5" in capsys.readouterr().out


def test_deal_extract_imports_only_the_chosen_command(gold_path):
    code = (
        "import sys; from training.cli import main; main(['label', 'stats', '--input', sys.argv[1]]); "
        "print(sorted(m for m in sys.modules if m.startswith(('training.', 'inference.'))))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(gold_path)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "['training.cli']"


# --- the packages' code --------------------------------------------------------------------------

SOURCES = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _is_main_guard(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in ("__name__ == '__main__'", '__name__ == "__main__"')


def _reads_argv(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "argv" and ast.unparse(node.value) == "sys") or (
        isinstance(node, ast.ImportFrom) and node.module == "sys" and any(a.name == "argv" for a in node.names)
    )


def test_no_function_reads_sys_argv_but_the_console_scripts_entry_point():
    """The command line is passed in: only ``if __name__ == "__main__"`` and ``training.cli.script`` read it."""
    found = []
    for path in SOURCES:
        for top in ast.parse(path.read_text(encoding="utf-8")).body:
            if _is_main_guard(top) or (
                path.name == "cli.py"
                and path.parent.name == "training"
                and isinstance(top, ast.FunctionDef)
                and top.name == "script"
            ):
                continue
            found += [f"{path.relative_to(ROOT)}:{n.lineno}" for n in ast.walk(top) if _reads_argv(n)]
    assert found == []


def test_every_main_takes_argv_and_is_given_it():
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        mains = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"]
        for fn in mains:
            assert [a.arg for a in fn.args.args] == ["argv"] and not fn.args.defaults, path
            guard = [ast.unparse(n) for n in tree.body if _is_main_guard(n)]
            assert guard == ["if __name__ == '__main__':\n    sys.exit(main(sys.argv[1:]))"], path


COMMAND_FUNCTIONS = {"main", "run", "_import_command"}  # and labeling's cmd_* subcommands


def test_library_functions_log_and_only_commands_print():
    found = []
    for path in SOURCES:
        for top in ast.parse(path.read_text(encoding="utf-8")).body:
            if _is_main_guard(top) or (
                isinstance(top, ast.FunctionDef) and (top.name in COMMAND_FUNCTIONS or top.name.startswith("cmd_"))
            ):
                continue
            found += [
                f"{path.relative_to(ROOT)}:{n.lineno}"
                for n in ast.walk(top)
                if isinstance(n, ast.Call) and ast.unparse(n.func) == "print"
            ]
    assert found == []


def test_every_project_exception_is_defined_in_labeling_exceptions():
    found = []
    for path in SOURCES:
        if path.relative_to(ROOT).as_posix() == "labeling/exceptions.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                re.search(r"(Error|Exception)$", ast.unparse(b)) for b in node.bases
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert found == []


@pytest.mark.parametrize(
    "module, name, builtin",
    [
        ("labeling.records", "DataError", ValueError),
        ("labeling.review", "ReviewError", ValueError),
        ("inference.model", "ModelNotFoundError", FileNotFoundError),
        ("inference", "ModelNotFoundError", OSError),
        ("training.config", "ConfigError", ValueError),
        ("training.backbone", "BackboneError", RuntimeError),
        ("training.e5_small", "E5FileError", RuntimeError),
        ("training.pretrain", "CorpusError", ValueError),
        ("training.ner_corpora", "NerFormatError", ValueError),
        ("training.intermediate", "UsageError", ValueError),
        ("labeling.cli", "OutputExistsError", FileExistsError),
    ],
)
def test_errors_keep_their_old_homes_and_builtin_bases_under_one_base(module, name, builtin):
    error = getattr(importlib.import_module(module), name)
    assert error is getattr(importlib.import_module("labeling.exceptions"), name)
    assert issubclass(error, DealExtractionError) and issubclass(error, builtin)


# --- the documentation -------------------------------------------------------------------------

DOCS = [
    "README.md",
    "model_card.md",
    "data/README.md",
    "seeds/README.md",
    *(f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md"))),
]
MODULES = {"labeling": "labeling.__main__", "inference": "inference.__main__", **{m: m for m in CLIS}}


def _command_lines(text):
    """Every ``python -m MODULE ...`` or ``deal-extract ...`` of a text: code lines (with their ``\\``
    continuations) and inline code."""
    text = re.sub(r"\\\n\s*", " ", text)
    found = re.findall(r"^\s*(?:\$ )?((?:python -m|deal-extract) [^\n]+)", text, re.M)
    found += [" ".join(c.split()) for c in re.findall(r"`((?:python -m|deal-extract) [^`]+)`", text)]
    return found


LOOP_VALUES = {"$ctx": "document"}  # a shell loop's variable in model_card.md, where a choice is expected


def _documented_call(line):
    """(module, argv) of a documented command line; None for a mention of a command rather than a call."""
    words = [LOOP_VALUES.get(w, w) for w in shlex.split(line, comments=True)]
    command, argv = (words[1], words[2:]) if words[0] == "deal-extract" else (words[2], words[3:])
    if command == "pytest" or command.isupper() or command.startswith("-"):  # pytest, COMMAND, deal-extract --help
        return None
    module = COMMANDS[command].module if words[0] == "deal-extract" else MODULES[command]
    subcommand = 1 if module == "labeling.__main__" else 0
    if "..." in argv or len(argv) <= subcommand:  # python -m labeling validate, in prose
        return None
    return module, argv


def test_every_command_line_in_the_docs_and_the_help_parses_in_the_new_style():
    texts = {doc: (ROOT / doc).read_text(encoding="utf-8") for doc in DOCS}
    texts |= {module: importlib.import_module(module).__doc__ for module in {*MODULES.values(), "training.cli"}}
    calls = [(name, line, _documented_call(line)) for name, text in texts.items() for line in _command_lines(text)]
    calls = [(name, line, call) for name, line, call in calls if call is not None]
    for name, line, (module, argv) in calls:
        args = importlib.import_module(module).build_parser().parse_args(argv)  # exits on a bad line
        assert args.deprecated_spellings == [], (name, line)
    assert len(calls) > 50
