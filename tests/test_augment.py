from dataclasses import replace

from labeling.augment import AugmentConfig, augment_record, augment_records, new_amount
from labeling.money import MoneyValue
from labeling.records import Deal, Record, make_span, span_problems

TEXT = "قالت المصادر إن إنفيديا وأمازون تستثمران 30 مليار دولار في OpenAI، ما يرفع تقييمها إلى ٨٣٠ مليار دولار."


def record():
    spans = []
    for phrase, label in (
        ("إنفيديا", "INVESTOR"),
        ("أمازون", "INVESTOR"),
        ("30 مليار دولار", "AMOUNT"),
        ("OpenAI", "PROJECT"),
        ("٨٣٠ مليار دولار", "VALUATION"),
    ):
        start = TEXT.index(phrase)
        spans.append(make_span(TEXT, start, start + len(phrase), label))
    return Record("doc", TEXT, spans)


def test_every_span_is_replaced_by_one_of_its_kind_and_offsets_stay_valid():
    aug = augment_record(record(), 0, AugmentConfig(copies=1))
    assert span_problems(aug.text, aug.spans) == []
    assert [s.label for s in aug.spans] == ["INVESTOR", "INVESTOR", "AMOUNT", "PROJECT", "VALUATION"]
    assert all(a.text != g.text for a, g in zip(aug.spans, record().spans))


def test_text_outside_the_spans_is_unchanged():
    aug = augment_record(record(), 0, AugmentConfig(copies=1))
    assert aug.text.startswith("قالت المصادر إن ") and aug.text.endswith(".")
    assert "تستثمران" in aug.text and "ما يرفع تقييمها إلى" in aug.text


def test_augmentation_is_reproducible_and_copies_differ():
    cfg = AugmentConfig(copies=2)
    first, second = augment_records([record()], cfg), augment_records([record()], cfg)
    assert [r.to_json() for r in first] == [r.to_json() for r in second]
    assert first[0].text != first[1].text and [r.id for r in first] == ["doc-aug0", "doc-aug1"]


def test_vague_amounts_are_kept_as_they_are():
    text = "تقدر قيمة الاستثمار بعدة مليارات من الدولارات"
    start = text.index("عدة")
    rec = Record("v", text, [make_span(text, start, len(text), "AMOUNT")])
    assert augment_record(rec, 0, AugmentConfig(copies=1, swap_names=False)).text == text


def test_new_amounts_have_a_number_a_scale_and_a_currency():
    import random

    rng = random.Random(0)
    for _ in range(50):
        words = new_amount(rng).split()
        assert len(words) >= 3 and words[1] in ("مليون", "مليار", "ألف", "ملايين", "مليارات", "آلاف")


def test_augmented_copies_drop_deals_and_money_values():
    gold = record()
    amount = gold.spans[2]
    gold.spans[2] = replace(amount, money=MoneyValue(30_000_000_000, "USD", ""))
    gold.deals = [Deal(investors=(0, 1), amounts=(2,), valuations=(4,), projects=(3,))]
    aug = augment_record(gold, 0, AugmentConfig(copies=1, swap_names=False, rewrite_money=False))
    assert aug.deals is None and all(s.money is None for s in aug.spans)
    assert "deals" not in aug.to_json() and "value" not in aug.to_json()["spans"][2]
