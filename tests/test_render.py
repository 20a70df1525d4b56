"""The HTML page: right-to-left, spans in their label colours, checked in a real headless Chromium."""

import json
import shutil
import subprocess

import pytest

from inference.render import COLOURS, render_page
from inference.render import main as render_main
from labeling.records import Deal, Record, make_span

TEXT = "استثمرت إنفيديا ٣٠ مليار دولار في OpenAI."


def record(*items, rid="d1"):
    spans = []
    for phrase, label in items:
        start = TEXT.index(phrase)
        spans.append(make_span(TEXT, start, start + len(phrase), label))
    return Record(rid, TEXT, spans)


PRED = record(("إنفيديا", "INVESTOR"), ("٣٠ مليار دولار", "AMOUNT"), ("OpenAI", "INVESTOR"))
GOLD = record(("إنفيديا", "INVESTOR"), ("٣٠ مليار دولار", "AMOUNT"), ("OpenAI", "PROJECT"))


def test_page_is_right_to_left_and_escapes_text():
    page = render_page([Record("x<y>", "<script>alert(1)</script> إنفيديا", [])])
    assert '<html dir="rtl" lang="ar">' in page
    assert "<script>alert" not in page and "x&lt;y&gt;" in page


def test_score_shows_on_hover_and_errors_are_marked_against_gold():
    key = (TEXT.index("إنفيديا"), TEXT.index("إنفيديا") + 7, "INVESTOR")
    page = render_page([PRED], [GOLD], scores={"d1": {key: 0.934}})
    assert 'title="INVESTOR 0.93"' in page
    assert '<mark class="INVESTOR error" title="INVESTOR (wrong label)">OpenAI</mark>' in page
    assert page.count("<h2>gold</h2>") == 1


def test_render_reads_text_only_jsonl_as_the_batch_cli_does(model_dir, tmp_path):
    src, page = tmp_path / "news.jsonl", tmp_path / "page.html"
    lines = [{"id": "n1", "text": TEXT}, {"text": "قالت أمازون إنها ستدرس الصفقة."}]
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    assert render_main(["--model", str(model_dir), "--input", str(src), "--output", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "<h2>n1</h2>" in html and "<h2>line-2</h2>" in html and "ستدرس الصفقة" in html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _screenshot(tmp_path, name, records):
    from PIL import Image

    page = tmp_path / f"{name}.html"
    page.write_text(render_page(records), encoding="utf-8")
    shot = tmp_path / f"{name}.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=900,400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    pixels = list(
        Image.open(shot).convert("RGB").get_flattened_data()
        if hasattr(Image.Image, "get_flattened_data")
        else Image.open(shot).convert("RGB").getdata()
    )
    return {label: sum(p == rgb for p in pixels) for label, rgb in COLOURS.items()}


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium package is not installed (.ci/run installs it)")
def test_headless_chromium_screenshot_shows_each_span_in_its_label_colour(tmp_path):
    plain = _screenshot(tmp_path, "plain", [record()])  # the legend alone
    marked = _screenshot(
        tmp_path, "marked", [record(("إنفيديا", "INVESTOR"), ("٣٠ مليار دولار", "AMOUNT"), ("OpenAI", "PROJECT"))]
    )
    added = {label: marked[label] - plain[label] for label in COLOURS}
    assert added["INVESTOR"] > 300 and added["AMOUNT"] > 300 and added["PROJECT"] > 300
    assert added["VALUATION"] == 0


DEAL_TEXT = "ضخت Thrive Capital نحو 1.25 مليار دولار في OpenAI."


def deal_record() -> Record:
    spans = [
        make_span(DEAL_TEXT, 4, 18, "INVESTOR"),
        make_span(DEAL_TEXT, 23, 39, "AMOUNT"),
        make_span(DEAL_TEXT, 43, 49, "PROJECT"),
    ]
    return Record("n1", DEAL_TEXT, spans, deals=[Deal((0,), (1,), (), (2,))])


def test_each_span_of_a_deal_carries_its_deal_number_and_the_deal_is_listed_with_its_sum():
    page = render_page([deal_record()])
    assert '<mark class="INVESTOR" title="INVESTOR">Thrive Capital</mark><sup class="deal">1</sup>' in page
    assert '<li value="1">' in page and "(1,250,000,000 USD about)" in page


def test_render_draws_the_deals_the_batch_cli_wrote(tmp_path):
    # a line as `python -m inference --deals` writes it: each deal's parts are span dicts
    spans = [
        {"start": 4, "end": 18, "label": "INVESTOR", "text": "Thrive Capital", "score": 0.9},
        {"start": 43, "end": 49, "label": "PROJECT", "text": "OpenAI", "score": 0.8},
    ]
    line = {"id": "n1", "source": "", "text": DEAL_TEXT, "spans": spans}
    line["deals"] = [{"investors": [spans[0]], "amounts": [], "valuations": [], "projects": [spans[1]]}]
    out, page = tmp_path / "out.jsonl", tmp_path / "page.html"
    out.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    assert render_main(["--predictions", str(out), "--output", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert '<li value="1">' in html and 'OpenAI</mark><sup class="deal">1</sup>' in html
