"""Deal records: spans grouped into deals, with their sums as numbers (issue 11)."""

import csv
import io
import json

from inference import load_model
from inference.__main__ import main as inference_main
from inference.deals import deals_from_spans
from inference.deals_csv import main as csv_main
from labeling.records import check_records

TEXT = (
    "ضخت Thrive Capital نحو 1.25 مليار دولار في OpenAI. "
    "وفي صفقة أخرى استحوذت أرامكو على حصة مقابل ٣٫٦ مليار ريال سعودي."
)


def found(phrase: str, label: str, score: float = 0.9) -> dict:
    start = TEXT.index(phrase)
    return {"label": label, "text": phrase, "start": start, "end": start + len(phrase), "score": score}


SPANS = [
    found("Thrive Capital", "INVESTOR"),
    found("1.25 مليار دولار", "AMOUNT"),
    found("OpenAI", "PROJECT"),
    found("أرامكو", "INVESTOR"),
    found("٣٫٦ مليار ريال سعودي", "AMOUNT"),
]


def test_each_sentence_gives_one_deal_with_its_parts_by_role():
    deals = deals_from_spans(TEXT, SPANS)
    assert [[s["text"] for s in d["investors"]] for d in deals] == [["Thrive Capital"], ["أرامكو"]]
    assert [[s["text"] for s in d["projects"]] for d in deals] == [["OpenAI"], []]
    assert all(d["valuations"] == [] for d in deals)


def test_a_sum_carries_its_value_currency_and_qualifier():
    first, second = deals_from_spans(TEXT, SPANS)
    assert {k: first["amounts"][0][k] for k in ("value", "currency", "qualifier")} == {
        "value": 1_250_000_000,
        "currency": "USD",
        "qualifier": "about",
    }
    assert (second["amounts"][0]["value"], second["amounts"][0]["currency"]) == (3_600_000_000, "SAR")


def test_a_deal_gives_the_sentence_it_was_read_from():
    first, second = deals_from_spans(TEXT, SPANS)
    assert TEXT[slice(*first["sentence"])] == "ضخت Thrive Capital نحو 1.25 مليار دولار في OpenAI."
    assert TEXT[slice(*second["sentence"])].startswith("وفي صفقة أخرى")


def test_names_keep_their_span_fields_and_get_no_money_fields():
    investor = deals_from_spans(TEXT, SPANS)[0]["investors"][0]
    assert investor == SPANS[0]


def test_no_spans_give_no_deals():
    assert deals_from_spans("ارتفعت أرباح البنك الأهلي إلى 5 مليارات ريال.", []) == []


def test_a_model_groups_its_own_predicted_spans(model_dir):
    model = load_model(model_dir)
    predicted = model.predict(TEXT)
    deals = model.extract_deals(TEXT)
    assert deals == deals_from_spans(TEXT, predicted)
    listed = sorted(
        s["start"] for d in deals for role in ("investors", "amounts", "valuations", "projects") for s in d[role]
    )
    assert listed == sorted(s["start"] for s in predicted)
    assert model.extract_deals_batch([TEXT, ""]) == [deals, []]


def test_the_batch_cli_writes_each_documents_deals_with_deals(model_dir, tmp_path):
    src, out = tmp_path / "news.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps({"id": "n1", "text": TEXT}, ensure_ascii=False) + "\n", encoding="utf-8")
    argv = ["--model", str(model_dir), "--input", str(src), "--output", str(out), "--deals", "--no-progress"]
    assert inference_main(argv) == 0
    line = json.loads(out.read_text(encoding="utf-8"))
    assert line["deals"] == deals_from_spans(TEXT, line["spans"])


def test_one_text_with_deals_prints_its_spans_and_deals(model_dir, capsys):
    assert inference_main(["--model", str(model_dir), "--deals", TEXT]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"spans", "deals"} and printed["deals"] == deals_from_spans(TEXT, printed["spans"])


GOLD_LINE = {
    "id": "newsB-079",
    "text": "ضخت Thrive Capital نحو 1.25 مليار دولار في OpenAI. وساهمت Microsoft بمليار دولار.",
    "spans": [
        {"start": 4, "end": 18, "label": "INVESTOR", "text": "Thrive Capital"},
        {"start": 23, "end": 39, "label": "AMOUNT", "text": "1.25 مليار دولار", "value": 1250000000,
         "currency": "USD", "qualifier": "about"},
        {"start": 43, "end": 49, "label": "PROJECT", "text": "OpenAI"},
        {"start": 58, "end": 67, "label": "INVESTOR", "text": "Microsoft"},
        {"start": 69, "end": 80, "label": "AMOUNT", "text": "مليار دولار", "value": 1000000000,
         "currency": "USD", "qualifier": ""},
    ],
    "deals": [
        {"investors": [0], "amounts": [1], "valuations": [], "projects": [2]},
        {"investors": [3], "amounts": [4], "valuations": [], "projects": [2]},
    ],
}  # fmt: skip


def write_csv(tmp_path, *lines) -> list[dict]:
    src, out = tmp_path / "deals.jsonl", tmp_path / "deals.csv"
    src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    assert csv_main(["--input", str(src), "--output", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheet programs need to read the Arabic as UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_csv_has_one_row_per_gold_deal_with_its_sum_as_a_number(tmp_path):
    rows = write_csv(tmp_path, GOLD_LINE)
    assert [(r["investors"], r["amount_value"], r["currency"], r["qualifier"], r["projects"]) for r in rows] == [
        ("Thrive Capital", "1250000000", "USD", "about", "OpenAI"),
        ("Microsoft", "1000000000", "USD", "", "OpenAI"),
    ]
    assert rows[1]["sentence"] == "وساهمت Microsoft بمليار دولار."


def test_a_name_that_starts_like_a_formula_is_written_as_text(tmp_path):
    text = "استثمرت =HYPERLINK في OpenAI."
    spans = [{"start": 8, "end": 18, "label": "INVESTOR", "text": "=HYPERLINK", "score": 0.9}]
    (row,) = write_csv(tmp_path, {"id": "x", "text": text, "spans": spans})
    assert row["investors"] == "'=HYPERLINK"


def test_batch_error_lines_give_no_row_and_a_bad_line_is_one_error(tmp_path, capsys):
    rows = write_csv(tmp_path, {"id": None, "line": 2, "error": "bad JSON"}, GOLD_LINE)
    assert len(rows) == 2
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": "x", "text": 5}\n', encoding="utf-8")
    assert csv_main(["--input", str(src), "--output", str(tmp_path / "bad.csv")]) == 1
    assert "bad.jsonl:1" in capsys.readouterr().err


def test_the_gold_line_of_these_tests_is_a_valid_version_2_record(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOLD_LINE, ensure_ascii=False) + "\n", encoding="utf-8")
    assert check_records(path)[1] == []
