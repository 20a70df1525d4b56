from labeling.preannotate import preannotate, suggest
from labeling.records import Deal, Record, make_span


def found(text):
    return [(s.label, s.text) for s in preannotate(text)]


def test_investment_sentence_gives_investor_amount_and_project():
    assert found("تقترب شركة إنفيديا من ضخ استثمار ضخم بقيمة 30 مليار دولار في شركة OpenAI.") == [
        ("INVESTOR", "إنفيديا"),
        ("AMOUNT", "30 مليار دولار"),
        ("PROJECT", "OpenAI"),
    ]


def test_money_after_a_valuation_cue_is_valuation():
    assert found("جولة تمويل قد ترفع تقييمها إلى نحو 830 مليار دولار.") == [("VALUATION", "830 مليار دولار")]


def test_revenue_is_not_labeled():
    assert found("تتوقع الشركة تحقيق إيرادات بقيمة 13 مليار دولار هذا العام.") == []


def test_arabic_indic_digits_and_other_currencies_are_money():
    assert found("جمعت الشركة الناشئة تمويلًا بقيمة ٢٥ مليون ريال سعودي.") == [("AMOUNT", "٢٥ مليون ريال سعودي")]


def test_vague_amount_drops_its_preposition():
    assert found("تقدر قيمة هذا الاستثمار بعدة مليارات من الدولارات.")[-1] == ("AMOUNT", "عدة مليارات من الدولارات")


def test_names_in_a_list_with_proclitics_are_each_labeled():
    assert found("استثمارات من إنفيديا وأمازون ومايكروسوفت") == [
        ("INVESTOR", "إنفيديا"),
        ("INVESTOR", "أمازون"),
        ("INVESTOR", "مايكروسوفت"),
    ]


def test_names_outside_deal_sentences_are_not_labeled():
    assert found("تتنافس أمازون ومايكروسوفت وجوجل على جذب العملاء.") == []


def test_suggestions_never_replace_gold_spans():
    text = "استثمرت أمازون في OpenAI"
    gold = make_span(text, 8, 14, "PROJECT")  # deliberately different from what the rules say
    out = suggest(Record("d", text, [gold]))
    assert gold in out.spans and ("PROJECT", "OpenAI") in [(s.label, s.text) for s in out.spans]
    assert not any(s.start == 8 and s.label == "INVESTOR" for s in out.spans)


def test_suggestions_keep_the_gold_deals_pointing_at_their_spans():
    text = "استثمرت أمازون 4 مليارات دولار في Anthropic"
    start = text.index("4 مليارات")
    amount = make_span(text, start, start + 15, "AMOUNT")
    out = suggest(Record("d", text, [amount], deals=[Deal(amounts=(0,))]))
    assert len(out.spans) > 1 and out.deals == [Deal(amounts=(out.spans.index(amount),))]
