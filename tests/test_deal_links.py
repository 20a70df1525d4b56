"""Deal links: the rules baseline that groups spans into deals, and the link and money scores."""

from inference.metrics import deal_links, deal_scores, link_scores, money_scores
from labeling.link import link_by_sentence
from labeling.money import MoneyValue
from labeling.records import Deal, Record, Span, make_span

TEXT = (
    "ضخت Thrive Capital 1.25 مليار دولار في OpenAI. "
    "وفي صفقة أخرى استحوذت أرامكو على حصة في رونغشنغ مقابل 3.6 مليار دولار."
)


def span(phrase: str, label: str, money: MoneyValue | None = None) -> Span:
    start = TEXT.index(phrase)
    plain = make_span(TEXT, start, start + len(phrase), label)
    return Span(plain.start, plain.end, plain.label, plain.text, money)


THRIVE = span("Thrive Capital", "INVESTOR")
SUM1 = span("1.25 مليار دولار", "AMOUNT", MoneyValue(1_250_000_000, "USD", ""))
OPENAI = span("OpenAI", "PROJECT")
ARAMCO = span("أرامكو", "INVESTOR")
RONGSHENG = span("رونغشنغ", "PROJECT")
SUM2 = span("3.6 مليار دولار", "AMOUNT", MoneyValue(3_600_000_000, "USD", ""))
SPANS = [THRIVE, SUM1, OPENAI, ARAMCO, RONGSHENG, SUM2]
GOLD = Record("d1", TEXT, SPANS, deals=[Deal((0,), (1,), (), (2,)), Deal((3,), (5,), (), (4,))])


def test_the_baseline_makes_one_deal_of_each_sentence():
    assert link_by_sentence(TEXT, SPANS) == [Deal((0,), (1,), (), (2,)), Deal((3,), (5,), (), (4,))]


def test_a_sentence_without_spans_makes_no_deal():
    text = "قال المتحدث إن الشركة تدرس خياراتها. استثمرت سوفت بنك 22.5 مليار دولار."
    start = text.index("سوفت بنك")
    assert link_by_sentence(text, [make_span(text, start, start + 8, "INVESTOR")]) == [Deal((0,))]


def test_every_pair_of_spans_in_one_deal_is_a_link():
    # a deal of three spans gives three links; two deals of three give six
    assert len(deal_links(GOLD)) == 6
    keys = {(s.start, s.end, s.label) for s in (THRIVE, OPENAI)}
    assert frozenset(keys) in deal_links(GOLD)


def test_links_across_two_deals_are_wrong_and_the_missed_ones_lower_recall():
    one_deal = Record("d1", TEXT, SPANS, deals=[Deal((0, 3), (1, 5), (), (2, 4))])
    scores = link_scores([(GOLD, one_deal)])
    # 15 predicted links (6 spans in one deal), 6 right: precision 6/15, recall 6/6
    assert (scores["precision"], scores["recall"], scores["support"]) == (6 / 15, 1.0, 6)


def test_a_link_needs_both_spans_exactly():
    cut = Span(THRIVE.start, THRIVE.start + 6, "INVESTOR", "Thrive")
    pred = Record("d1", TEXT, [cut, *SPANS[1:]], deals=GOLD.deals)
    assert link_scores([(GOLD, pred)])["recall"] == 4 / 6


def test_money_scores_compare_each_field_on_spans_both_sides_have():
    wrong_currency = Span(SUM2.start, SUM2.end, "AMOUNT", SUM2.text, MoneyValue(3_600_000_000, "SAR", ""))
    pred = Record("d1", TEXT, [SUM1, wrong_currency])
    scores = money_scores([(GOLD, pred)])
    assert scores == {"n": 2, "accuracy": 0.5, "value": 1.0, "currency": 0.5, "qualifier": 1.0}


def test_deal_scores_read_the_gold_sums_and_link_gold_and_predicted_spans():
    # predicted: Thrive Capital missed, so its two links are missed end to end (4 of 6 found)
    pred = Record("d1", TEXT, SPANS[1:])
    scores = deal_scores([GOLD], [pred])
    assert scores["n_docs"] == 1 and scores["money"] == {
        "n": 2,
        "accuracy": 1.0,
        "value": 1.0,
        "currency": 1.0,
        "qualifier": 1.0,
    }
    assert scores["links_gold_spans"]["f1"] == 1.0
    assert (scores["links_end_to_end"]["precision"], scores["links_end_to_end"]["recall"]) == (1.0, 4 / 6)


def test_gold_without_deals_gets_no_deal_scores():
    version_1 = Record("d1", TEXT, SPANS)
    assert deal_scores([version_1], [version_1]) is None
