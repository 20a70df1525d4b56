"""Every command against hostile inputs and outputs (issue 10): one ``error:`` line and status 1, never a traceback.

Each case is a ``deal-extract`` command line (the commands of training/cli.py) and runs in a process
of its own, as ``python -m MODULE ARGS`` runs it: ``cli_zygote.py`` forks the processes from one
interpreter that has imported torch once, so the sweep takes seconds, not minutes. A case names
the phrase its error line must hold; no case may change a file it reads.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import GOLD, ROOT

from training.cli import COMMANDS

SHORT = ["استثمرت إنفيديا 30 مليار دولار في OpenAI.", "ربحت الشركة مليون دولار.", "قيمة الشركة مليار دولار"]
NER = "شركة O\nأمازون B-ORG\nفي O\nالرياض B-LOC\n\nاستثمرت O\nإنفيديا B-ORG\n"
DEEP = "[" * 100_000 + "]" * 100_000
ENOSPC = (
    "import errno, os\n"
    "def fsync(fd):\n"
    "    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n"
    "os.fsync = fsync  # every write of the project ends with an fsync: the disk is full there\n"
)


@dataclass(frozen=True)
class Case:
    name: str
    line: str  # COMMAND ARGS as given to deal-extract; {case} is the case's own folder, see run_cases for the rest
    says: str  # what the error line must say
    code: int = 1
    stdout: str | None = None  # a file to point stdout at (/dev/full)
    setup: str = ""  # Python run in the command's process before it starts


# --- broken model directories ---------------------------------------------------------------------


def _truncate(name: str):
    def edit(model: Path) -> None:
        path = model / name
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    return edit


def _edit_config(**changes):
    def edit(model: Path) -> None:
        config = json.loads((model / "config.json").read_text(encoding="utf-8"))
        config.update(changes)
        (model / "config.json").write_text(json.dumps(config), encoding="utf-8")

    return edit


def _write(name: str, content: str | bytes):
    def edit(model: Path) -> None:
        (model / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    return edit


def _dangling(name: str):
    def edit(model: Path) -> None:
        (model / name).unlink()
        (model / name).symlink_to(model / "nowhere")

    return edit


#: A copy of the tiny model broken one way, and what the error line says about it.
BROKEN_MODELS = {
    "truncated-weights": (_truncate("model.safetensors"), "model.safetensors"),
    "garbage-weights": (_write("model.safetensors", b"\x00not safetensors" * 64), "model.safetensors"),
    "empty-weights": (_write("model.safetensors", b""), "model.safetensors"),
    "dangling-weights-link": (_dangling("model.safetensors"), "missing model.safetensors"),
    "garbage-tokenizer": (_write("tokenizer.json", "{ not a tokenizer"), "tokenizer"),
    "tokenizer-of-wrong-shape": (_write("tokenizer.json", '{"model": [1, 2]}'), "tokenizer"),
    "truncated-tokenizer": (_truncate("tokenizer.json"), "tokenizer"),
    "config-not-json": (_write("config.json", "{ not json"), "config.json"),
    "config-a-list": (_write("config.json", "[1, 2]"), "config.json"),
    "config-deeply-nested": (_write("config.json", '{"a": ' + DEEP + "}"), "config.json"),
    "config-unknown-model-type": (_edit_config(model_type="no-such-model"), "config.json"),
    "config-wrong-model-type": (_edit_config(model_type="gpt2"), "model.safetensors"),
    "config-other-vocab-size": (_edit_config(vocab_size=77), "model.safetensors"),
    "config-other-labels": (_edit_config(id2label={"0": "O", "1": "B-ORG"}, label2id={"O": 0, "B-ORG": 1}), "labels"),
    "config-bad-windows": (_edit_config(windows={"max_length": -1}), "retrain"),
    "dangling-config-link": (_dangling("config.json"), "missing config.json"),
    "training-config-a-list": (_write("training_config.yaml", "- not\n- a mapping\n"), "mapping"),
}
#: Those that a training command also refuses as its backbone (a head of other labels or size is replaced there).
BROKEN_BACKBONES = [
    "truncated-weights",
    "garbage-weights",
    "garbage-tokenizer",
    "config-not-json",
    "config-deeply-nested",
    "config-unknown-model-type",
]
#: Commands that load a model, {m} for it.
MODEL_COMMANDS = {
    "predict-text": "predict --model {m} --quiet 'استثمرت إنفيديا في OpenAI'",
    "predict-file": "predict --model {m} --input {case}/short.jsonl --output {case}/out.jsonl --no-progress --quiet",
    "evaluate": "evaluate --model {m} --input {case}/short.jsonl --output-dir {case}/eval --quiet",
    "render": "render --model {m} --input {case}/short.jsonl --output {case}/page.html --quiet",
    "export": "export --model {m} --quiet",
    "bench": "bench --model {m} --input {case}/short.jsonl --speed-on trained --latency-runs 1 "
    "--output {case}/bench.json --quiet",
    "bench-files": "bench-files --model {m} --input {case}/short.jsonl --docs 2 --first 1 --quiet",
    "ablation": "ablation --input {case}/short.jsonl --output-dir {case}/abl --model m={m} --quiet",
}
#: Commands that load a backbone, {m} for it.
BACKBONE_COMMANDS = {
    "train": "train --backbone {m} --offline-fallback false --train-files {case}/short.jsonl --dev-files --epochs 1 "
    "--output-dir {case}/run --no-progress --quiet",
    "intermediate": "intermediate --ner {case}/ner.txt:anercorp --backbone {m} --output-dir {case}/ner "
    "--no-progress --quiet",
    "pretrain": "pretrain --corpus {case}/corpus.txt --backbone {m} --output-dir {case}/dapt --max-steps 1 "
    "--no-progress --quiet",
}


def _model_cases() -> list[Case]:
    cases = []
    for broken, (_, says) in BROKEN_MODELS.items():
        if broken != "training-config-a-list":  # what training wrote down: read by the training commands only
            for name, line in MODEL_COMMANDS.items():
                cases.append(Case(f"{name}/{broken}", line.replace("{m}", f"{{broken}}/{broken}"), says))
    for broken in BROKEN_BACKBONES:
        for name, line in BACKBONE_COMMANDS.items():
            cases.append(Case(f"{name}/{broken}", line.replace("{m}", f"{{broken}}/{broken}"), "backbone"))
    for name, line in {**MODEL_COMMANDS, **BACKBONE_COMMANDS}.items():
        cases.append(Case(f"{name}/model-missing", line.replace("{m}", "{case}/nothing"), "{case}/nothing"))
        cases.append(Case(f"{name}/model-a-file", line.replace("{m}", "{case}/short.jsonl"), "short.jsonl"))
    config = "{broken}/training-config-a-list/training_config.yaml"
    cases.append(Case("train/config-a-list", f"train --config {config} --output-dir {{case}}/run", "mapping"))
    cases.append(Case("crossval/config-a-list", f"crossval --config {config} --output-dir {{case}}/cv", "mapping"))
    return cases


# --- outputs ------------------------------------------------------------------------------------------

#: Commands that write one file, {out}; the model is missing, so a refused output must be said first.
FILE_WRITERS = {
    "predict": "predict --model {case}/nothing --input {case}/short.jsonl --output {out}",
    "render": "render --model {case}/nothing --input {case}/short.jsonl --output {out}",
    "bench": "bench --model {case}/nothing --input {case}/short.jsonl --output {out}",
    "vocab-trim": "vocab-trim --corpus {case}/corpus.txt --input {case}/short.jsonl --output {out}",
    "to-conll": "label to-conll --input {case}/gold.jsonl --output {out}",
    "from-conll": "label from-conll --input {case}/gold.conll --output {out}",
    "to-labelstudio": "label to-labelstudio --input {case}/gold.jsonl --output {out}",
    "from-labelstudio": "label from-labelstudio --input {case}/ls.json --output {out}",
    "apply-review": "label apply-review --input {case}/gold.jsonl --review {case}/review.json --output {out}",
    "preannotate": "label preannotate --input {case}/news.txt --output {out}",
}
#: Commands that write a folder, {out}.
DIR_WRITERS = {
    "evaluate": "evaluate --model {case}/nothing --input {case}/short.jsonl --output-dir {out}",
    "ablation": "ablation --input {case}/short.jsonl --output-dir {out} --model m={case}/nothing",
    "split": "label split --input {case}/gold.jsonl --output-dir {out}",
    "train": "train --backbone {case}/nothing --offline-fallback false --output-dir {out}",
    "crossval": "crossval --backbone {case}/nothing --offline-fallback false --output-dir {out}",
    "pretrain": "pretrain --corpus {case}/corpus.txt --backbone {case}/nothing --output-dir {out}",
    "intermediate": "intermediate --ner {case}/ner.txt:anercorp --backbone {case}/nothing --output-dir {out}",
    "e5-small": "e5-small --output-dir {out}",
}
#: Outputs refused before any work (the commands above never get to their missing model).
FILE_OUTPUTS = {
    "output-an-existing-directory": ("{case}/folder.json", "is a directory"),
    "output-in-a-missing-directory": ("{case}/no/such/out.json", "does not exist"),
    "output-under-a-file": ("{case}/short.jsonl/out.json", "not a directory"),
    # A pipe stands for every file that is not a regular one. Never /dev/full: as root, an atomic
    # write would replace the device itself with a file, for the whole machine.
    "output-a-pipe": ("{case}/fifo.json", "not a regular file"),
}
DIR_OUTPUTS = {
    "output-dir-a-file": ("{case}/afile.txt", "is a file"),
    "output-dir-under-a-file": ("{case}/afile.txt/sub", "not a directory"),
    "output-dir-a-pipe": ("{case}/fifo.json", "is a file"),
}
PREDICT = "predict --model {model} --input {case}/short.jsonl --no-progress --quiet"
RULES = "evaluate --baseline rules --input {case}/short.jsonl --output-dir {case}/eval --quiet"


def _output_cases() -> list[Case]:
    cases = [
        Case(f"{name}/{where}", line.replace("{out}", out) + " --force", says)
        for writers, outputs in ((FILE_WRITERS, FILE_OUTPUTS), (DIR_WRITERS, DIR_OUTPUTS))
        for name, line in writers.items()
        for where, (out, says) in outputs.items()
    ]
    full = {"says": "No space left on device", "setup": ENOSPC}
    stdout_full = {"says": "No space left on device", "stdout": "/dev/full"}
    return cases + [
        Case("predict/read-only-location", f"{PREDICT} --output {{ro}}/out.jsonl", "out.jsonl"),
        Case("predict/full-disk", f"{PREDICT} --output {{case}}/out.jsonl", **full),
        Case(
            "to-conll/read-only-location",
            "label to-conll --input {case}/gold.jsonl --output {ro}/g.conll",
            "Permission denied: '{ro}/g.conll'",
        ),
        Case("to-conll/full-disk", "label to-conll --input {case}/gold.jsonl --output {case}/g.conll", **full),
        Case("split/read-only-location", "label split --input {case}/gold.jsonl --output-dir {ro}/splits", "splits"),
        Case("split/full-disk", "label split --input {case}/gold.jsonl --output-dir {case}/splits", **full),
        Case("evaluate/full-disk", RULES, **full),
        Case("render/full-disk", "render --predictions {case}/short.jsonl --output {case}/p.html", **full),
        Case("stats/stdout-full", "label stats --input {case}/gold.jsonl", **stdout_full),
        Case("validate/stdout-full", "label validate --input {case}/gold.jsonl", **stdout_full),
        Case("predict-text/stdout-full", "predict --model {model} --quiet 'استثمرت أمازون'", **stdout_full),
        Case("evaluate/stdout-full", RULES, **stdout_full),
        Case("deal-extract/stdout-full", "deal-extract label stats --input {case}/gold.jsonl", **stdout_full),
    ]


def _same_file_cases() -> list[Case]:
    """Item 2: an output that is an input (same name, other spelling, hard link, symlink): refused even with --force."""
    predict = "predict --model {case}/nothing --input {case}/gold.jsonl --force --output"
    lines = {
        "predict/output-is-input": f"{predict} {{case}}/gold.jsonl",
        "predict/output-is-input-spelled-otherwise": f"{predict} {{case}}/./../{{name}}/gold.jsonl",
        "predict/output-is-a-hard-link-to-input": f"{predict} {{case}}/link.jsonl",
        "predict/output-is-a-symlink-to-input": f"{predict} {{case}}/sym.jsonl",
        "deal-extract/output-is-input": f"deal-extract {predict} {{case}}/link.jsonl",
        "to-conll/output-is-input": "label to-conll --input {case}/gold.jsonl --output {case}/sym.jsonl --force",
        "from-conll/output-is-input": "label from-conll --input {case}/gold.conll --output {case}/gold.conll --force",
        "to-labelstudio/output-is-input": "label to-labelstudio --input {case}/gold.jsonl --output {case}/link.jsonl "
        "--force",
        "from-labelstudio/output-is-input": "label from-labelstudio --input {case}/ls.json --output {case}/ls.json "
        "--force",
        "apply-review/output-is-input": "label apply-review --input {case}/gold.jsonl --review {case}/review.json "
        "--output {case}/gold.jsonl --force",
        "apply-review/output-is-review": "label apply-review --input {case}/gold.jsonl --review {case}/review.json "
        "--output {case}/review.json --force",
        "preannotate/output-is-input": "label preannotate --input {case}/news.txt --output {case}/news.txt --force",
        "render/output-is-predictions": "render --predictions {case}/gold.jsonl --output {case}/gold.jsonl --force",
        "render/output-is-gold": "render --predictions {case}/short.jsonl --gold {case}/gold.jsonl "
        "--output {case}/sym.jsonl --force",
        "bench/output-is-input": "bench --model {case}/nothing --input {case}/gold.json --output {case}/gold.json "
        "--force",
        "vocab-trim/output-is-corpus": "vocab-trim --corpus {case}/corpus.txt --output {case}/corpus.txt --force",
        "split/output-holds-input": "label split --input {case}/made/train.jsonl --output-dir {case}/made --force",
        "evaluate/output-holds-input": "evaluate --baseline rules --input {case}/evaluated/predictions.jsonl "
        "--output-dir {case}/evaluated --force",
        "ablation/output-holds-input": "ablation --input {case}/evaluated/predictions.jsonl "
        "--output-dir {case}/evaluated --force",
    }
    return [Case(name, line, "is an input") for name, line in lines.items()]


# --- inputs ------------------------------------------------------------------------------------------

LABEL_STUDIO = {
    "ls-an-object": '{"data": {"text": "نص"}}',
    "ls-a-list-of-numbers": "[1, 2, 3]",
    "ls-data-a-list": '[{"data": ["نص"]}]',
    "ls-result-an-object": '[{"data": {"text": "نص"}, "annotations": [{"result": {"a": 1}}]}]',
    "ls-labels-null": '[{"data": {"text": "أمازون"}, "annotations": [{"result": '
    '[{"type": "labels", "value": {"start": 0, "end": 6, "labels": null}}]}]}]',
    "ls-labels-nested": '[{"data": {"text": "أمازون"}, "annotations": [{"result": '
    '[{"type": "labels", "value": {"start": 0, "end": 6, "labels": [' + "[" * 900 + "]" * 900 + "]}}]}]}]",
    "ls-source-nested-900-deep": '[{"data": {"text": "نص", "source": ' + "[" * 900 + "]" * 900 + "}}]",
    "ls-deeply-nested": DEEP,
}
REVIEWS = {
    "review-an-object": '{"id": "seed-001", "action": "ADD"}',
    "review-a-number": "7",
    "review-a-list-of-strings": '["ADD"]',
    "review-id-a-list": '[{"id": ["seed-001"], "action": "ADD", "label": "INVESTOR", "span": "x", "context": "x"}]',
    "review-context-a-number": '[{"id": "seed-001", "action": "ADD", "label": "INVESTOR", "span": "x", "context": 7}]',
    "review-deeply-nested": DEEP,
}
#: After a first record that is fine: a line nested too deeply to parse, or deep enough to break a writer.
DEEP_JSONL = {
    "jsonl-deeply-nested": DEEP,
    "jsonl-nested-990-deep": '{"id": "x", "text": "نص", "spans": [], "note": ' + "[" * 990 + "]" * 990 + "}",
}
DEEP_READERS = {
    "stats": "label stats --input {deep}",
    "to-conll": "label to-conll --input {deep} --output {case}/o.conll",
    "to-labelstudio": "label to-labelstudio --input {deep} --output {case}/o.json",
    "split": "label split --input {deep} --output-dir {case}/splits",
    "apply-review": "label apply-review --input {deep} --review {case}/review.json --output {case}/o.jsonl",
    "evaluate": "evaluate --baseline rules --input {deep} --output-dir {case}/eval --quiet",
    "render": "render --predictions {deep} --output {case}/p.html",
}


def _input_cases() -> list[Case]:
    cases = [
        Case(
            f"from-labelstudio/{name}",
            f"label from-labelstudio --input {{bad}}/{name}.json --output {{case}}/o.jsonl",
            f"{name}.json",
        )
        for name in LABEL_STUDIO
    ]
    cases += [
        Case(
            f"apply-review/{name}",
            f"label apply-review --input {{case}}/gold.jsonl --review {{bad}}/{name}.json --output {{case}}/o.jsonl",
            f"{name}.json",
        )
        for name in REVIEWS
    ]
    cases += [
        Case(f"{command}/{name}", line.replace("{deep}", f"{{bad}}/{name}.jsonl"), f"{name}.jsonl")
        for name in DEEP_JSONL
        for command, line in DEEP_READERS.items()
    ]
    return cases + [
        Case(
            "render/input-a-directory",
            "render --model {model} --input {case}/folder.json --output {case}/p.html",
            "folder.json",
        ),
        Case(
            "predict/input-a-directory",
            f"{PREDICT} --input {{case}}/folder.json --output {{case}}/p.jsonl",
            "folder.json",
        ),
        Case(
            "preannotate/input-a-directory",
            "label preannotate --input {case}/folder.json --output {case}/p.jsonl",
            "folder.json",
        ),
    ]


def _usage_cases() -> list[Case]:
    """Item 5: counts that must be positive are usage errors (status 2), never an empty run."""
    predict = "predict --model {model} --input {case}/short.jsonl --output {case}/o.jsonl"
    lines = {
        "predict/batch-size-0": (f"{predict} --batch-size 0", "--batch-size"),
        "predict/batch-size--1": (f"{predict} --batch-size -1", "--batch-size"),
        "deal-extract/batch-size-0": (f"deal-extract {predict} --batch-size 0", "--batch-size"),
        "bench/threads-0": ("bench --model {model} --input {case}/short.jsonl --threads 0", "--threads"),
        "bench/latency-runs-0": ("bench --model {model} --input {case}/short.jsonl --latency-runs 0", "--latency-runs"),
        "bench-files/docs-0": ("bench-files --model {model} --input {case}/short.jsonl --docs 0", "--docs"),
        "train/batch-size-0": ("train --batch-size 0 --output-dir {case}/run", "--batch-size"),
        "train/epochs-0": ("train --epochs 0 --output-dir {case}/run", "--epochs"),
        "crossval/folds-1": ("crossval --folds 1 --output-dir {case}/cv", "--folds"),
        "pretrain/batch-size-0": (
            "pretrain --corpus {case}/corpus.txt --backbone {model} --output-dir {case}/dapt --batch-size 0",
            "--batch-size",
        ),
        "intermediate/batch-size-0": (
            "intermediate --ner {case}/ner.txt --backbone {model} --output-dir {case}/ner --batch-size 0",
            "--batch-size",
        ),
    }
    return [Case(name, line, says, code=2) for name, (line, says) in lines.items()]


def _dev_full() -> bool:
    """Whether /dev/full is the device that fails every write (the stdout cases need it)."""
    return os.path.exists("/dev/full") and stat.S_ISCHR(os.stat("/dev/full").st_mode)


CASES = _model_cases() + _output_cases() + _same_file_cases() + _input_cases() + _usage_cases()
#: The files of a case folder that a command may read; none may change.
INPUTS = (
    "gold.jsonl",
    "gold.json",
    "short.jsonl",
    "gold.conll",
    "ls.json",
    "review.json",
    "news.txt",
    "corpus.txt",
    "made/train.jsonl",
    "evaluated/predictions.jsonl",
)


# --- running them ------------------------------------------------------------------------------------


def _case_folder(folder: Path) -> Path:
    """The files a case reads (a fresh copy each), and the things its outputs collide with."""
    folder.mkdir(parents=True)
    gold = GOLD.read_text(encoding="utf-8")
    short = "".join(
        json.dumps({"id": f"s{i}", "text": t, "spans": []}, ensure_ascii=False) + "\n" for i, t in enumerate(SHORT)
    )
    files = {
        "gold.jsonl": gold,
        "gold.json": gold,
        "short.jsonl": short,
        "gold.conll": "شركة\tO\nأمازون\tB-INVESTOR\n",
        "ls.json": "[]\n",
        "review.json": "[]\n",
        "news.txt": "\n".join(SHORT) + "\n",
        "corpus.txt": "\n".join(SHORT * 4) + "\n",
        "ner.txt": NER,
        "afile.txt": "a file, not a folder\n",
        "made/train.jsonl": short,
        "evaluated/predictions.jsonl": short,
    }
    for name, content in files.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(content, encoding="utf-8")
    (folder / "folder.json").mkdir()
    os.mkfifo(folder / "fifo.json")
    os.link(folder / "gold.jsonl", folder / "link.jsonl")
    (folder / "sym.jsonl").symlink_to("gold.jsonl")
    return folder


def _broken_models(model_dir: Path, root: Path) -> Path:
    for name, (breaks, _) in BROKEN_MODELS.items():
        shutil.copytree(model_dir, root / name, ignore=shutil.ignore_patterns("checkpoint", "onnx"))
        breaks(root / name)
    return root


def _bad_inputs(root: Path) -> Path:
    root.mkdir()
    for name, content in {**LABEL_STUDIO, **REVIEWS}.items():
        (root / f"{name}.json").write_text(content, encoding="utf-8")
    first = json.dumps({"id": "ok", "text": SHORT[0], "spans": []}, ensure_ascii=False)
    for name, content in DEEP_JSONL.items():
        (root / f"{name}.jsonl").write_text(first + "\n" + content + "\n", encoding="utf-8")
    return root


def _read_only(root: Path) -> Path:
    """A folder nobody may write into: chmod for a user, a sysfs folder for root (who ignores the mode)."""
    if os.geteuid() == 0:
        return Path("/sys")
    root.mkdir(mode=0o555)
    return root


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    changed: list[str]  # inputs of the case that it changed
    says: str  # the case's phrase, its paths filled in
    seconds: float


def _by_zygote(requests: list[dict], env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "cli_zygote.py")],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    return json.loads(done.stdout)


def _by_python_m(requests: list[dict], env: dict[str, str]) -> dict:
    """The same cases, each a fresh ``python -m MODULE`` (seconds each where torch is imported)."""
    codes = []
    for r in requests:
        with open(r["stdout"], "w") as out, open(r["stderr"], "w") as err:
            command = [sys.executable, "-m", r["module"], *r["argv"]]
            codes.append(subprocess.run(command, stdout=out, stderr=err, cwd=ROOT, env=env).returncode)
    return {"codes": codes, "seconds": [0.0] * len(codes)}


def run_cases(cases: list[Case], model_dir: Path, base: Path, python_m: bool = False) -> dict[str, Result]:
    """Run every case in its own process and folder under ``base``: forked by cli_zygote.py, or by ``python -m``."""
    paths = {
        "model": str(model_dir),
        "broken": str(_broken_models(model_dir, base / "broken")),
        "bad": str(_bad_inputs(base / "bad")),
        "ro": str(_read_only(base / "ro")),
    }
    requests, folders, says = [], [], []
    for k, c in enumerate(cases):
        folder = _case_folder(base / "cases" / f"{k:03d}")
        folders.append(folder)
        values = {**paths, "case": str(folder), "name": folder.name}
        says.append(c.says.format(**values))
        command, *argv = shlex.split(c.line.format(**values))
        requests.append(
            {
                "module": "training.cli" if command == "deal-extract" else COMMANDS[command].module,
                "argv": argv,
                "stdout": c.stdout if c.stdout and _dev_full() else str(folder / "stdout"),
                "stderr": str(folder / "stderr"),
                "setup": c.setup,
            }
        )
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "DEAL_EXTRACTION_CACHE": str(base / "cache"),
        "OMP_NUM_THREADS": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    report = _by_python_m(requests, env) if python_m else _by_zygote(requests, env)
    codes = report["codes"]
    fresh = _case_folder(base / "fresh")
    results = {}
    for c, folder, code, request, phrase, seconds in zip(cases, folders, codes, requests, says, report["seconds"]):
        out = Path(request["stdout"])
        changed = [n for n in INPUTS if (folder / n).read_bytes() != (fresh / n).read_bytes()]
        results[c.name] = Result(
            code,
            out.read_text(encoding="utf-8") if out.is_file() else "",
            (folder / "stderr").read_text(encoding="utf-8", errors="replace"),
            changed,
            phrase,
            seconds,
        )
    return results


@pytest.fixture(scope="module")
def sweep(model_dir, tmp_path_factory) -> dict[str, Result]:
    return run_cases(CASES, model_dir, tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_input_or_output_is_one_error_line_never_a_traceback(case, sweep):
    if case.stdout and not _dev_full():
        pytest.skip("no /dev/full device here")
    result = sweep[case.name]
    assert "Traceback" not in result.stderr, result.stderr
    assert result.code == case.code, result.stderr
    lines = result.stderr.splitlines()
    usage = case.code == 2  # argparse: the usage, then "PROG: error: ..."
    errors = [k for k, line in enumerate(lines) if (": error: " in line if usage else line.startswith("error: "))]
    assert len(errors) == 1, result.stderr
    assert result.says in "\n".join(lines[errors[0] :]), result.stderr  # several problems follow their count
    assert result.changed == []


#: Cases whose commands start fast (no torch), run both ways to show the zygote runs a command as python -m does.
WITNESSES = [
    "stats/stdout-full",
    "to-conll/output-is-input",
    "from-labelstudio/ls-labels-null",
    "split/output-dir-a-pipe",
]


def test_the_sweep_runs_a_command_as_python_m_runs_it(sweep, model_dir, tmp_path):
    cases = [c for c in CASES if c.name in WITNESSES]
    assert len(cases) == len(WITNESSES)
    by_python_m = run_cases(cases, model_dir, tmp_path, python_m=True)
    for c in cases:
        forked, real = sweep[c.name], by_python_m[c.name]
        assert (forked.code, _paths_out(forked.stderr)) == (real.code, _paths_out(real.stderr)), c.name


def _paths_out(stderr: str) -> str:
    """stderr without the case folders' paths, which differ between the two runs."""
    return re.sub(r"/\S*/cases/\d+", "CASE", re.sub(r"/\S*/bad/", "BAD/", stderr))
