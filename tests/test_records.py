import json

import pytest

from labeling.money import MoneyValue
from labeling.records import (
    DataError,
    Deal,
    Record,
    Span,
    check_records,
    dump_records,
    load_records,
    without_span,
    write_records,
)

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


# --- version 2: deals and money values -------------------------------------------------------------------

# newsA-038, the guidelines' version-2 example: one purchase, the buyer named twice, the price in two currencies.
DEAL_TEXT = (
    "استحوذ صندوق الثروة السيادية السعودي (صندوق الاستثمارات العامة)، على حصة مسيطرة في شركة إماراتية متخصصة"
    " بالديكور والتصاميم الداخلية.\nوقالت شركة ديبا للتصميم الداخلي والمقاولات المتخصصة، المدرجة في بورصة دبي؛"
    " إن صندوق الاستثمارات العامة السعودي اتفق على شراء أسهم جديدة بحوالي 150 مليون درهم (40.84 مليون دولار)."
)


def deal_span(phrase, label, nth=0, **money):
    start = -1
    for _ in range(nth + 1):
        start = DEAL_TEXT.index(phrase, start + 1)
    return {"start": start, "end": start + len(phrase), "label": label, "text": phrase, **money}


def deal_spans():
    return [
        deal_span("صندوق الاستثمارات العامة", "INVESTOR"),
        deal_span("ديبا", "PROJECT"),
        deal_span("صندوق الاستثمارات العامة", "INVESTOR", nth=1),
        deal_span("150 مليون درهم", "AMOUNT", value=150000000, currency="AED", qualifier="about"),
        deal_span("40.84 مليون دولار", "AMOUNT", value=40840000, currency="USD", qualifier=""),
    ]


def deal(investors=(0, 2), amounts=(3, 4), valuations=(), projects=(1,)):
    return {
        "investors": list(investors),
        "amounts": list(amounts),
        "valuations": list(valuations),
        "projects": list(projects),
    }


def v2(spans=None, deals=None):
    return {
        "id": "newsA-038",
        "source": "https://arabi21.co.uk/storyamp/1417062",
        "text": DEAL_TEXT,
        "spans": deal_spans() if spans is None else spans,
        "topic": "acquisition",
        "deals": [deal()] if deals is None else deals,
    }


def with_money(index, **fields):
    spans = deal_spans()
    spans[index] = {**spans[index], **fields}
    return spans


def test_the_example_has_the_offsets_the_guidelines_give():
    assert [(s["start"], s["end"]) for s in deal_spans()] == [(38, 62), (144, 148), (211, 235), (276, 290), (292, 309)]


def test_a_version_1_record_writes_back_byte_for_byte_without_deals_or_money(tmp_path):
    spans = [{k: s[k] for k in ("start", "end", "label", "text")} for s in deal_spans()]
    path = write_lines(tmp_path, {"id": "newsA-038", "source": "s", "text": DEAL_TEXT, "spans": spans, "topic": "x"})
    (record,) = load_records(path)
    assert record.deals is None and all(s.money is None for s in record.spans)
    assert dump_records([record]) == path.read_text(encoding="utf-8")


def test_a_version_2_record_writes_back_byte_for_byte(tmp_path):
    path = write_lines(tmp_path, v2())
    assert dump_records(load_records(path)) == path.read_text(encoding="utf-8")


def test_an_empty_deals_list_is_kept(tmp_path):
    path = write_lines(tmp_path, v2(deals=[]))
    (record,) = load_records(path)
    assert record.deals == [] and record.to_json()["deals"] == []


def test_money_fields_load_as_the_spans_money_value(tmp_path):
    (record,) = load_records(write_lines(tmp_path, v2()))
    assert record.spans[3].money == MoneyValue(150000000, "AED", "about")
    assert record.spans[0].money is None


def test_deals_load_as_tuples_of_span_indices(tmp_path):
    (record,) = load_records(write_lines(tmp_path, v2()))
    assert record.deals == [Deal(investors=(0, 2), amounts=(3, 4), valuations=(), projects=(1,))]


def test_a_vague_sum_may_have_a_null_value(tmp_path):
    text = "ومن المتوقع أن تقدر قيمة هذا الاستثمار المحتمل بعدة مليارات من الدولارات على مدى فترة زمنية."  # seed-004
    start = text.index("عدة")
    money = {"value": None, "currency": "USD", "qualifier": ""}
    amount = {"start": start, "end": start + 24, "label": "AMOUNT", "text": "عدة مليارات من الدولارات", **money}
    assert messages(write_lines(tmp_path, rec([amount], text=text) | {"deals": [deal((), (0,), (), ())]})) == []


def test_a_money_value_does_not_stop_a_span_matching_the_same_span_without_one():
    assert Span(276, 290, "AMOUNT", "150 مليون درهم", MoneyValue(150000000, "AED", "about")) == Span(
        276, 290, "AMOUNT", "150 مليون درهم"
    )


def test_writing_sorts_the_spans_and_moves_deal_indices_with_them():
    spans = [Span(**{k: s[k] for k in ("start", "end", "label", "text")}) for s in deal_spans()]
    shuffled = [spans[3], spans[0], spans[4], spans[1], spans[2]]  # file order: 0->3, 1->0, 2->4, 3->1, 4->2
    record = Record("newsA-038", DEAL_TEXT, shuffled, deals=[Deal(investors=(1, 4), amounts=(0, 2), projects=(3,))])
    assert record.to_json()["deals"] == [deal()]
    assert [s["start"] for s in record.to_json()["spans"]] == [38, 144, 211, 276, 292]


@pytest.mark.parametrize("bad", ["0", 1.0, True, None])
def test_a_deal_index_must_be_an_integer(tmp_path, bad):
    (msg,) = messages(write_lines(tmp_path, v2(deals=[deal(investors=(bad, 2))])))
    assert "deal 0: investors must be a list of span indices (integers)" in msg


def test_a_deal_index_must_point_at_a_span(tmp_path):
    (msg,) = messages(write_lines(tmp_path, v2(deals=[deal(amounts=(3, 5))])))
    assert msg.endswith("deal 0: amounts index 5 is out of range (the record has 5 spans)")


def test_a_deal_may_not_list_a_span_twice_in_one_role(tmp_path):
    (msg,) = messages(write_lines(tmp_path, v2(deals=[deal(investors=(0, 2, 0))])))
    assert msg.endswith("deal 0: investors lists span 0 twice")


def test_each_role_lists_spans_of_its_label(tmp_path):
    (msg,) = messages(write_lines(tmp_path, v2(deals=[deal(investors=(0, 1), projects=())])))
    assert msg.endswith("deal 0: investors index 1 is PROJECT span 144-148 'ديبا', not INVESTOR")


def test_a_deal_lists_at_least_one_span(tmp_path):
    (msg,) = messages(write_lines(tmp_path, v2(deals=[deal(), deal((), (), (), ())])))
    assert msg.endswith("deal 1 lists no span")


def test_a_deal_has_exactly_the_four_lists(tmp_path):
    partial = {"investors": [0, 2], "amounts": [3, 4], "projects": [1]}
    (msg,) = messages(write_lines(tmp_path, v2(deals=[partial])))
    assert "a deal has exactly investors, amounts, valuations, projects" in msg


def test_deals_must_be_a_list(tmp_path):
    (msg,) = messages(write_lines(tmp_path, v2(deals={"investors": [0]})))
    assert msg.endswith("record deals must be a list, got dict")


def test_money_fields_belong_on_amount_and_valuation_spans_only(tmp_path):
    spans = with_money(1, value=150000000, currency="AED", qualifier="")
    (msg,) = messages(write_lines(tmp_path, v2(spans=spans)))
    assert msg.endswith(
        "span 144-148 PROJECT: money fields (value, currency, qualifier) belong on AMOUNT and VALUATION spans only"
    )


def test_money_fields_go_together(tmp_path):
    spans = deal_spans()
    del spans[3]["qualifier"]
    (msg,) = messages(write_lines(tmp_path, v2(spans=spans)))
    assert "has value, currency but not qualifier" in msg


@pytest.mark.parametrize("code", ["درهم", "aed", "DIRHAM", None])
def test_currency_is_an_iso_code_or_empty(tmp_path, code):
    (msg,) = messages(write_lines(tmp_path, v2(spans=with_money(3, currency=code))))
    assert msg.endswith(f'span 276-290 AMOUNT: currency {code!r} is not an ISO 4217 code or ""')


def test_an_empty_currency_is_allowed(tmp_path):
    assert messages(write_lines(tmp_path, v2(spans=with_money(3, currency="")))) == []


@pytest.mark.parametrize("word", ["approximately", "نحو", None])
def test_qualifier_is_one_of_the_known_ones(tmp_path, word):
    (msg,) = messages(write_lines(tmp_path, v2(spans=with_money(3, qualifier=word))))
    assert (
        f"span 276-290 AMOUNT: qualifier {word!r} is not one of '', 'about', 'up_to', 'more_than', 'less_than'" in msg
    )


@pytest.mark.parametrize("number", [0, -150000000, "150000000", True, [150000000]])
def test_value_is_a_positive_number_or_null(tmp_path, number):
    (msg,) = messages(write_lines(tmp_path, v2(spans=with_money(3, value=number))))
    assert msg.endswith(f"span 276-290 AMOUNT: value {number!r} is not a positive finite number or null")


@pytest.mark.parametrize("literal", ["1e999", "NaN", "-Infinity"])
def test_value_is_finite(tmp_path, literal):
    line = json.dumps(v2(), ensure_ascii=False).replace('"value": 150000000', f'"value": {literal}')
    (msg,) = messages(write_lines(tmp_path, line))
    assert "is not a positive finite number or null" in msg


def test_write_refuses_a_record_whose_deal_breaks_the_rules(tmp_path):
    spans = [Span(38, 62, "INVESTOR", DEAL_TEXT[38:62]), Span(144, 148, "PROJECT", "ديبا")]
    with pytest.raises(DataError, match="investors index 1 is PROJECT span"):
        write_records(tmp_path / "out.jsonl", [Record("d", DEAL_TEXT, spans, deals=[Deal(investors=(1,))])])


def test_removing_a_span_drops_it_from_its_deals_and_renumbers_the_rest(tmp_path):
    (record,) = load_records(write_lines(tmp_path, v2(deals=[deal(), deal((2,), (4,), (), ())])))
    assert without_span(record, 3).deals == [Deal((0, 2), (3,), (), (1,)), Deal((2,), (3,), (), ())]


def test_removing_the_only_span_of_a_deal_drops_the_deal(tmp_path):
    (record,) = load_records(write_lines(tmp_path, v2(deals=[deal(), deal((), (4,), (), ())])))
    assert without_span(record, 4).deals == [Deal((0, 2), (3,), (), (1,))]
