import json

import pytest

from labeling.records import DataError, Record, Span, check_records, load_records, write_records

TEXT = "استثمرت إنفيديا 30 مليار دولار في OpenAI."


def write_lines(tmp_path, *objs):
    path = tmp_path / "data.jsonl"
    path.write_text(
        "".join((o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n" for o in objs), encoding="utf-8"
    )
    return path


def rec(spans, rid="d1", text=TEXT):
    return {"id": rid, "source": "t", "text": text, "spans": spans}


def span(start, end, label):
    return {"start": start, "end": end, "label": label, "text": TEXT[start:end]}


def messages(path):
    return [str(p) for p in check_records(path)[1]]


def test_a_clean_file_loads_with_its_spans(tmp_path):
    path = write_lines(tmp_path, rec([span(8, 15, "INVESTOR"), span(16, 30, "AMOUNT")]))
    (record,) = load_records(path)
    assert [s.text for s in record.spans] == ["إنفيديا", "30 مليار دولار"]


def test_offsets_out_of_range_are_reported_with_file_line_and_id(tmp_path):
    path = write_lines(tmp_path, rec([]), rec([{"start": 30, "end": 99, "label": "AMOUNT", "text": "x"}], "d2"))
    (msg,) = messages(path)
    assert msg.startswith(f"{path}:2 [d2]:") and "out of range" in msg


def test_span_text_must_equal_the_slice(tmp_path):
    path = write_lines(tmp_path, rec([{"start": 8, "end": 15, "label": "INVESTOR", "text": "أمازون"}]))
    assert "but span text is 'أمازون'" in messages(path)[0]


def test_overlapping_spans_are_reported(tmp_path):
    path = write_lines(tmp_path, rec([span(16, 30, "AMOUNT"), span(19, 30, "VALUATION")]))
    assert any("overlap" in m for m in messages(path))


def test_unknown_label_is_reported(tmp_path):
    path = write_lines(tmp_path, rec([span(8, 15, "BUYER")]))
    assert "unknown label 'BUYER'" in messages(path)[0]


@pytest.mark.parametrize("start,end", [(7, 15), (34, 41)])
def test_spans_may_not_start_or_end_with_space_or_punctuation(tmp_path, start, end):
    path = write_lines(tmp_path, rec([span(start, end, "INVESTOR")]))
    assert "starts or ends with white space or punctuation" in messages(path)[0]


def test_duplicate_ids_are_reported(tmp_path):
    path = write_lines(tmp_path, rec([]), rec([]))
    assert messages(path) == [f"{path}:2 [d1]: duplicate id (first on line 1)"]


def test_bad_json_is_reported_and_other_lines_still_checked(tmp_path):
    path = write_lines(tmp_path, '{"id": "d1", "text": ', rec([span(8, 15, "BUYER")], "d2"))
    msgs = messages(path)
    assert msgs[0].startswith(f"{path}:1: bad JSON") and "[d2]" in msgs[1]


def test_load_records_raises_data_error_listing_every_problem(tmp_path):
    path = write_lines(tmp_path, rec([span(8, 15, "BUYER")]), "not json")
    with pytest.raises(DataError) as err:
        load_records(path)
    assert len(err.value.problems) == 2


def test_write_is_atomic_and_refuses_invalid_spans(tmp_path):
    path = tmp_path / "out.jsonl"
    good = Record("d1", TEXT, [Span(8, 15, "INVESTOR", "إنفيديا")])
    write_records(path, [good])
    before = path.read_text(encoding="utf-8")
    with pytest.raises(DataError):
        write_records(path, [Record("d1", TEXT, [Span(7, 15, "INVESTOR", TEXT[7:15])])])
    assert path.read_text(encoding="utf-8") == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
