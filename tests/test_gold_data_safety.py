"""Gold data under hostile input (issue 10): nothing lost, nothing injected, every bad line a file:line problem."""

import json
import os

import pytest

from labeling.__main__ import main as labeling_main
from labeling.conll import from_conll, to_conll
from labeling.labelstudio import from_labelstudio
from labeling.records import (
    DataError,
    Record,
    atomic_write_text,
    check_records,
    make_span,
    span_problems,
    write_records,
)

TEXT = "استثمرتْ أمازونُ ثلاثين مليار دولار في OpenAI."
AMAZON = {"start": 9, "end": 16, "text": "أمازونُ", "labels": ["INVESTOR"]}
HUGE_INT = "7" * 5000  # json.loads raises ValueError: over Python's 4,300-digit limit


def task(text=TEXT, annotations=(), rid="doc-1"):
    return {
        "data": {"id": rid, "text": text, "source": "https://example.com/a"},
        "annotations": [
            {"result": [{"type": "labels", "value": v} for v in values], **extra} for values, extra in annotations
        ],
    }


def line(obj):
    return json.dumps(obj, ensure_ascii=False)


def record_line(rid="d1", source="t", spans=()):
    return line({"id": rid, "source": source, "text": TEXT, "spans": list(spans)})


def problems_of(tmp_path, content, encoding="utf-8"):
    path = tmp_path / "data.jsonl"
    path.write_bytes(content.encode(encoding))
    return check_records(path)


# --- item 3: the Label Studio importer -----------------------------------------------------------


def test_a_cancelled_last_annotation_does_not_wipe_the_real_spans():
    skipped = ([], {"was_cancelled": True})
    (record,) = from_labelstudio(json.dumps([task(annotations=[([AMAZON], {}), skipped])]))
    assert [(s.start, s.end, s.label, s.text) for s in record.spans] == [(9, 16, "INVESTOR", "أمازونُ")]


def test_the_last_annotation_that_was_not_cancelled_wins():
    amount = {"start": 17, "end": 35, "text": "ثلاثين مليار دولار", "labels": ["AMOUNT"]}
    tasks = [task(annotations=[([AMAZON], {}), ([amount], {"was_cancelled": False}), ([], {"was_cancelled": True})])]
    (record,) = from_labelstudio(json.dumps(tasks))
    assert [s.text for s in record.spans] == ["ثلاثين مليار دولار"]


@pytest.mark.parametrize("text", [["استثمرت", "أمازون"], {"ar": "استثمرت أمازون"}, 42])
def test_task_text_that_is_not_a_string_is_rejected_with_the_task_position(text):
    tasks = [task(), task(text=text, rid="doc-2")]
    with pytest.raises(DataError) as err:
        from_labelstudio(json.dumps(tasks, ensure_ascii=False), "export.json")
    (problem,) = err.value.problems
    assert (problem.file, problem.line) == ("export.json", 2) and "text must be a string" in problem.message


@pytest.mark.parametrize("start,end", [(True, 16), (9, 16.0), ("9", 16)])
def test_span_offsets_must_be_integers_not_booleans_floats_or_strings(start, end):
    value = {**AMAZON, "start": start, "end": end}
    with pytest.raises(DataError, match="task 1: .*offsets must be integers"):
        from_labelstudio(json.dumps([task(annotations=[([value], {})])]))


def test_duplicate_task_ids_are_rejected_naming_both_tasks():
    with pytest.raises(DataError) as err:
        from_labelstudio(json.dumps([task(rid="doc-1"), task(rid="doc-2"), task(rid="doc-1")]))
    (problem,) = err.value.problems
    assert (problem.line, problem.record_id) == (3, "doc-1")
    assert problem.message == "task 3: duplicate id (first in task 1)"


# --- item 4: control characters in id and source ------------------------------------------------

INJECTED_ID = "doc-1\nمليار\tB-AMOUNT"  # read back from CoNLL, this id would add a word and a gold AMOUNT


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("id", INJECTED_ID, "U+000A"),
        ("source", "https://a.example\r", "U+000D"),
        ("id", "doc\u2028one", "U+2028"),
        ("source", "page\x00", "U+0000"),
    ],
)
def test_validate_rejects_a_control_character_in_id_or_source(tmp_path, field, value, code):
    records, problems = problems_of(
        tmp_path, line({"id": "d1", "source": "t", "text": TEXT, "spans": [], field: value}) + "\n"
    )
    assert records == [] and len(problems) == 1
    assert f"record {field} {value!r} holds the control character {code}" in problems[0].message
    assert "\n" not in str(problems[0])  # the problem is still one line of output


def test_the_conll_writer_refuses_an_id_with_a_newline_instead_of_injecting_a_span():
    record = Record(INJECTED_ID, TEXT, [make_span(TEXT, 9, 16, "INVESTOR")], "https://example.com/a")
    with pytest.raises(DataError, match="U\\+000A"):
        to_conll([record])


def test_write_records_refuses_what_validate_would_reject(tmp_path):
    with pytest.raises(DataError, match="control character U\\+000A"):
        write_records(tmp_path / "out.jsonl", [Record(INJECTED_ID, TEXT)])
    assert not (tmp_path / "out.jsonl").exists()


def test_conll_lines_end_at_newline_only():
    (record,) = from_conll("# id = d1\n# source = page\x85two\nأمازون\tB-INVESTOR\n")
    assert (record.id, record.source, record.text) == ("d1", "page\x85two", "أمازون")


# --- item 8: a number too long for Python, or nesting too deep ----------------------------------


def test_an_integer_over_4300_digits_is_one_problem_and_later_lines_are_still_checked(tmp_path):
    records, problems = problems_of(tmp_path, f'{{"id": "d0", "n": {HUGE_INT}}}\n' + record_line("d1") + "\n")
    assert [r.id for r in records] == ["d1"]
    assert [(p.line, p.message) for p in problems] == [
        (1, "bad JSON: Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits")
    ]


@pytest.mark.parametrize("content", [f"[{HUGE_INT}]", "[" * 100_000 + "]" * 100_000])
def test_labelstudio_import_reports_an_unreadable_number_or_nesting_as_data_error(content):
    with pytest.raises(DataError, match="bad JSON"):
        from_labelstudio(content, "export.json")


def test_cli_validate_and_apply_review_report_a_huge_integer_without_a_traceback(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(record_line("d1") + "\n" + f'{{"id": {HUGE_INT}}}\n', encoding="utf-8")
    review = tmp_path / "review.json"
    review.write_text(f'[{{"id": "d1", "n": {HUGE_INT}}}]', encoding="utf-8")
    clean = tmp_path / "clean.jsonl"
    clean.write_text(record_line("d1") + "\n", encoding="utf-8")
    assert labeling_main(["validate", str(gold)]) == 1
    assert f"{gold}:2: bad JSON: Exceeds the limit" in capsys.readouterr().err
    assert labeling_main(["apply-review", str(clean), str(review), "-o", str(tmp_path / "out.jsonl")]) == 1
    assert "bad review file" in capsys.readouterr().err


# --- item 9: BOM and raw CR ----------------------------------------------------------------------


def test_a_utf8_bom_at_the_start_of_the_file_is_skipped(tmp_path):
    records, problems = problems_of(tmp_path, "\ufeff" + record_line("d1") + "\n" + record_line("d2") + "\n")
    assert [r.id for r in records] == ["d1", "d2"] and problems == []


def test_a_raw_cr_inside_a_json_line_does_not_split_it_or_shift_later_lines(tmp_path):
    with_cr = '{"id": "d1",\r"source": "t", "text": "' + TEXT + '", "spans": []}'
    broken = '{"id": "d3", "text": '
    records, problems = problems_of(tmp_path, "\n".join([with_cr, record_line("d2"), broken]) + "\n")
    assert [r.id for r in records] == ["d1", "d2"]
    assert [p.line for p in problems] == [3]


def test_a_labelstudio_export_with_a_bom_is_read():
    (record,) = from_labelstudio("\ufeff" + json.dumps([task(annotations=[([AMAZON], {})])]))
    assert record.id == "doc-1"


# --- item 14: atomic writes follow the umask -----------------------------------------------------


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_atomically_written_files_follow_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        atomic_write_text(tmp_path / "new.jsonl", "{}\n")
        write_records(tmp_path / "records.jsonl", [Record("d1", TEXT)])
    finally:
        os.umask(old)
    assert (tmp_path / "new.jsonl").stat().st_mode & 0o777 == mode
    assert (tmp_path / "records.jsonl").stat().st_mode & 0o777 == mode


# --- item 15: a span boundary between a letter and its diacritic ---------------------------------


def test_a_span_that_cuts_the_diacritic_off_its_last_letter_is_reported():
    assert TEXT[9:15] == "أمازون" and TEXT[15] == "\u064f"  # damma on the nun
    assert span_problems(TEXT, [make_span(TEXT, 9, 15, "INVESTOR")]) == [
        "span 9-15 INVESTOR: the end separates 'ن' from its diacritic U+064F"
    ]


def test_a_span_that_starts_on_the_diacritic_of_the_letter_before_is_reported():
    assert TEXT[6:8] == "تْ"  # sukun on the ta
    assert span_problems(TEXT, [make_span(TEXT, 7, 16, "INVESTOR")]) == [
        "span 7-16 INVESTOR: the start separates 'ت' from its diacritic U+0652"
    ]


def test_a_span_that_keeps_its_diacritics_is_valid():
    assert span_problems(TEXT, [make_span(TEXT, 9, 16, "INVESTOR"), make_span(TEXT, 17, 35, "AMOUNT")]) == []


def test_validate_reports_a_cut_diacritic_with_file_line_and_id(tmp_path):
    cut = {"start": 9, "end": 15, "label": "INVESTOR", "text": "أمازون"}
    records, problems = problems_of(tmp_path, record_line("d1", spans=[cut]) + "\n")
    assert records == [] and [str(p) for p in problems] == [
        f"{tmp_path / 'data.jsonl'}:1 [d1]: span 9-15 INVESTOR: the end separates 'ن' from its diacritic U+064F"
    ]
