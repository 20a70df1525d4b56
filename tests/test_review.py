from dataclasses import replace

import pytest

from labeling.money import MoneyValue
from labeling.records import Deal, Record, make_span
from labeling.review import Change, ReviewError, apply_change

TEXT = "استحوذت أرامكو على حصة في شركة ناشئة بقيمة 500 مليون دولار، وقالت أمازون إنها ستراقب."


def record():
    start = TEXT.index("أمازون")
    return Record("r", TEXT, [make_span(TEXT, start, start + 6, "INVESTOR")])


def change(**kw):
    base = {"id": "r", "reason": "test"}
    return Change(**{**base, **kw})


def test_add_places_the_span_inside_its_unique_context():
    out = apply_change(
        record(), change(action="ADD", label="AMOUNT", span="500 مليون دولار", context="بقيمة 500 مليون دولار،")
    )
    assert ("AMOUNT", "500 مليون دولار") in [(s.label, s.text) for s in out.spans]


def test_remove_relabel_and_boundary():
    ctx = "وقالت أمازون إنها"
    assert apply_change(record(), change(action="REMOVE", label="INVESTOR", span="أمازون", context=ctx)).spans == []
    relabeled = apply_change(
        record(), change(action="RELABEL", label="INVESTOR", span="أمازون", context=ctx, new_label="PROJECT")
    )
    assert [(s.label, s.text) for s in relabeled.spans] == [("PROJECT", "أمازون")]
    widened = apply_change(
        record(), change(action="BOUNDARY", label="INVESTOR", span="أمازون", context=ctx, new_span="وقالت أمازون")
    )
    assert [s.text for s in widened.spans] == ["وقالت أمازون"]


def test_an_ambiguous_context_is_refused():
    with pytest.raises(ReviewError, match="occurs 0 times"):
        apply_change(record(), change(action="ADD", label="INVESTOR", span="أرامكو", context="لا يوجد"))


def test_a_change_that_would_make_an_invalid_span_is_refused():
    with pytest.raises(ReviewError, match="punctuation"):
        apply_change(record(), change(action="ADD", label="AMOUNT", span="دولار،", context="مليون دولار، وقالت"))


# --- version 2: deals and money values ---------------------------------------------------------------------

DEAL_TEXT = "استحوذت أرامكو على حصة في شركة ناشئة بقيمة 500 مليون دولار، وقالت أمازون إنها ستراقب."


def deal_record():
    """Aramco buys a stake for $500 million: one deal, with the sum's money value; Amazon (wrongly) in it too."""
    investor = make_span(DEAL_TEXT, 8, 14, "INVESTOR")
    start = DEAL_TEXT.index("500")
    amount = replace(make_span(DEAL_TEXT, start, start + 15, "AMOUNT"), money=MoneyValue(500000000, "USD", ""))
    amazon = make_span(DEAL_TEXT, DEAL_TEXT.index("أمازون"), DEAL_TEXT.index("أمازون") + 6, "INVESTOR")
    return Record("r", DEAL_TEXT, [investor, amount, amazon], deals=[Deal(investors=(0, 2), amounts=(1,))])


def test_removing_a_span_takes_it_out_of_its_deals():
    out = apply_change(deal_record(), change(action="REMOVE", label="INVESTOR", span="أمازون", context="وقالت أمازون"))
    assert out.deals == [Deal(investors=(0,), amounts=(1,))]


def test_an_added_span_joins_no_deal_and_indices_follow_the_sorted_spans():
    ctx = "حصة في شركة ناشئة"
    out = apply_change(deal_record(), change(action="ADD", label="PROJECT", span="شركة ناشئة", context=ctx))
    assert [s.label for s in out.spans] == ["INVESTOR", "PROJECT", "AMOUNT", "INVESTOR"]
    assert out.deals == [Deal(investors=(0, 3), amounts=(2,))]


def test_relabeling_between_money_labels_keeps_the_money_value_and_the_deal_checks_the_role():
    ctx = "بقيمة 500 مليون دولار،"
    relabel = change(action="RELABEL", label="AMOUNT", span="500 مليون دولار", context=ctx, new_label="VALUATION")
    with pytest.raises(ReviewError, match="amounts index 1 is VALUATION span"):
        apply_change(deal_record(), relabel)
    no_deal = replace(deal_record(), deals=None)
    assert apply_change(no_deal, relabel).spans[1].money == MoneyValue(500000000, "USD", "")


def test_a_new_boundary_drops_the_money_value_read_from_the_old_text():
    ctx = "بقيمة 500 مليون دولار،"
    moved = change(action="BOUNDARY", label="AMOUNT", span="500 مليون دولار", context=ctx, new_span="500 مليون")
    out = apply_change(deal_record(), moved)
    assert out.spans[1].text == "500 مليون" and out.spans[1].money is None and out.deals == deal_record().deals
