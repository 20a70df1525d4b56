import pytest

from labeling.records import Record, make_span
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
