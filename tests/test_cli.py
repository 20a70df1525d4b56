import json
import subprocess
import sys

from labeling.__main__ import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "labeling", *args], capture_output=True, text=True)


def test_validate_exits_0_on_the_gold_file(gold_path):
    result = run("validate", str(gold_path))
    assert result.returncode == 0 and "OK" in result.stdout


def test_validate_exits_1_and_names_the_line_on_a_bad_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "أمازون", "spans": [{"start": 0, "end": 9, "label": "AMOUNT", "text": "أمازون"}]}\n')
    result = run("validate", str(bad))
    assert result.returncode == 1 and f"{bad}:1 [x]" in result.stderr and "Traceback" not in result.stderr


def test_missing_file_is_a_clear_error_not_a_traceback(tmp_path, capsys):
    assert main(["stats", str(tmp_path / "nope.jsonl")]) == 1
    err = capsys.readouterr().err
    assert "cannot read file" in err and "Traceback" not in err


def test_stats_lists_documents_and_every_label(gold_path, capsys):
    assert main(["stats", str(gold_path)]) == 0
    rows = dict(line.split("\t") for line in capsys.readouterr().out.splitlines() if line.count("\t") == 1)
    assert rows["documents"] == "5"
    assert all(int(rows[label]) > 0 for label in ("INVESTOR", "AMOUNT", "VALUATION", "PROJECT"))


def test_conll_and_labelstudio_commands_round_trip(gold_path, tmp_path):
    assert main(["to-labelstudio", str(gold_path), str(tmp_path / "ls.json")]) == 0
    assert main(["from-labelstudio", str(tmp_path / "ls.json"), str(tmp_path / "back.jsonl")]) == 0
    assert (tmp_path / "back.jsonl").read_text(encoding="utf-8") == gold_path.read_text(encoding="utf-8")
    assert main(["to-conll", str(gold_path), str(tmp_path / "g.conll")]) == 0
    assert main(["from-conll", str(tmp_path / "g.conll"), str(tmp_path / "g.jsonl")]) == 0
    assert run("validate", str(tmp_path / "g.jsonl")).returncode == 0


def test_preannotate_writes_valid_records_and_refuses_to_overwrite(tmp_path):
    txt = tmp_path / "a.txt"
    txt.write_text("استثمرت إنفيديا 30 مليار دولار في OpenAI.", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["preannotate", str(txt), "-o", str(out)]) == 0
    (rec,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [s["label"] for s in rec["spans"]] == ["INVESTOR", "AMOUNT", "PROJECT"]
    assert main(["preannotate", str(txt), "-o", str(out)]) == 1


def test_split_keeps_every_page_in_one_split(tmp_path):
    lines = []
    for page in range(30):
        for k in range(2):
            lines.append(json.dumps({"id": f"p{page}-{k}", "source": f"https://news.example/{page}",
                                     "text": "ربحت الشركة", "spans": []}, ensure_ascii=False))
    data = tmp_path / "news.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["split", str(data), "--out", str(tmp_path / "splits")]) == 0
    seen = {}
    for name in ("train", "dev", "test"):
        for line in (tmp_path / "splits" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            source = json.loads(line)["source"]
            assert seen.setdefault(source, name) == name
    assert len(seen) == 30 and set(seen.values()) == {"train", "dev", "test"}
