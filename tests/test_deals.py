"""Deal records: spans grouped into deals, with their sums as numbers (issue 11)."""

from inference import load_model
from inference.deals import deals_from_spans

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
