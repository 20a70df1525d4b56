"""The label schema: one place for each label's kind, colour and gazetteer, read by every per-label table."""

import pytest

from inference import error_analysis, render
from labeling import augment, preannotate, trim
from labeling.gazetteers import names_of
from labeling.labels import (
    ID2TAG,
    KINDS,
    LABELS,
    SCHEMA,
    SPECS,
    TAG2ID,
    TAGS,
    LabelSpec,
    is_money,
    is_name,
    kind_of,
    labels_of_kind,
    tag_label,
)
from labeling.records import Record, make_span
from labeling.trim import trim_span


def test_tags_keep_the_order_the_trained_models_were_saved_with():
    assert LABELS == ("INVESTOR", "AMOUNT", "VALUATION", "PROJECT")
    assert TAGS == (
        "O",
        "B-INVESTOR",
        "I-INVESTOR",
        "B-AMOUNT",
        "I-AMOUNT",
        "B-VALUATION",
        "I-VALUATION",
        "B-PROJECT",
        "I-PROJECT",
    )
    assert TAG2ID["B-AMOUNT"] == 3 and ID2TAG[8] == "I-PROJECT"
    assert tag_label("I-VALUATION") == "VALUATION" and tag_label("O") is None


def test_colours_are_the_ones_pages_and_screenshots_were_made_with():
    assert render.COLOURS == {
        "INVESTOR": (255, 209, 102),
        "AMOUNT": (6, 214, 160),
        "VALUATION": (17, 138, 178),
        "PROJECT": (239, 71, 111),
    }


def test_amount_and_valuation_are_money_investor_and_project_are_names():
    assert labels_of_kind("money") == ("AMOUNT", "VALUATION")
    assert labels_of_kind("name") == ("INVESTOR", "PROJECT")
    assert is_money("VALUATION") and not is_money("INVESTOR")
    assert is_name("PROJECT") and not is_name("AMOUNT")


def _labels_in_error_analysis() -> set[str]:
    """Labels whose every error pattern has a remedy (remedies are written per kind of label)."""
    return {label for label in LABELS if all(error_analysis.remedy((kind, label)) for kind in error_analysis.KINDS)}


#: Every table in the code that decides something per label, as the set of labels it covers.
PER_LABEL_TABLES = {
    "schema": lambda: set(SPECS),
    "render colours": lambda: set(render.COLOURS),
    "augment: names swapped or money rewritten": lambda: set(augment._NAMES) | set(labels_of_kind("money")),
    "trim: name rules or money rules": lambda: trim.NAME_LABELS | trim.MONEY_LABELS,
    "error analysis remedies": _labels_in_error_analysis,
    "preannotate: gazetteer names or money": lambda: (
        {n.label for names in preannotate._NAME_INDEX.values() for n in names} | set(labels_of_kind("money"))
    ),
}


@pytest.mark.parametrize("table", PER_LABEL_TABLES)
def test_every_per_label_table_covers_exactly_the_labels(table):
    assert PER_LABEL_TABLES[table]() == set(LABELS)


def test_each_label_is_exactly_one_kind_everywhere():
    assert not trim.NAME_LABELS & trim.MONEY_LABELS
    assert not set(augment._NAMES) & set(labels_of_kind("money"))
    assert {kind for _, kind in error_analysis.REMEDIES} == set(KINDS)
    assert [spec.name for spec in SCHEMA] == list(LABELS)


def test_an_unknown_label_is_an_error_that_says_where_to_add_it():
    with pytest.raises(KeyError, match="SCHEMA in labeling/labels.py"):
        kind_of("ADVISOR")
    with pytest.raises(KeyError):
        error_analysis.remedy(("missed", "ADVISOR"))


def test_a_name_label_names_its_gazetteer_and_a_money_label_has_none():
    with pytest.raises(ValueError, match="gazetteer"):
        LabelSpec("ADVISOR", "name", (0, 0, 0))
    with pytest.raises(ValueError, match="gazetteer"):
        LabelSpec("REVENUE", "money", (0, 0, 0), gazetteer="INVESTORS")
    with pytest.raises(ValueError, match="kind"):
        LabelSpec("ADVISOR", "person", (0, 0, 0))
    with pytest.raises(ValueError):
        labels_of_kind("person")


def test_each_name_label_reads_its_own_gazetteer():
    assert "إنفيديا" in names_of("INVESTOR") and "إنفيديا" not in names_of("PROJECT")
    assert "OpenAI" in names_of("PROJECT") and "OpenAI" not in names_of("INVESTOR")
    assert names_of("AMOUNT") == () and names_of("VALUATION") == ()


@pytest.mark.parametrize("label", labels_of_kind("money"))
def test_every_money_label_drops_qualifiers_and_the_preposition_before_a_vague_amount(label):
    def trimmed(phrase):
        bounds = trim_span(phrase, 0, len(phrase), label)
        return phrase[bounds[0] : bounds[1]]

    assert trimmed("ما يصل إلى 30 مليار دولار") == "30 مليار دولار"
    assert trimmed("بعدة مليارات من الدولارات") == "عدة مليارات من الدولارات"


@pytest.mark.parametrize("label", labels_of_kind("name"))
def test_every_name_label_drops_the_company_word_and_the_conjunction_but_keeps_a_name_like_wall_street(label):
    def trimmed(phrase):
        bounds = trim_span(phrase, 0, len(phrase), label)
        return phrase[bounds[0] : bounds[1]]

    assert trimmed("شركة OpenAI،") == "OpenAI"
    assert trimmed("وأمازون") == "أمازون"
    assert trimmed("وول ستريت") == "وول ستريت"


def test_augmentation_swaps_a_name_for_one_of_its_own_label_and_rewrites_both_kinds_of_money():
    text = "استثمرت إنفيديا 30 مليار دولار في OpenAI بتقييم 500 مليار دولار."
    spans = [
        make_span(text, text.index(p), text.index(p) + len(p), label)
        for p, label in (
            ("إنفيديا", "INVESTOR"),
            ("30 مليار دولار", "AMOUNT"),
            ("OpenAI", "PROJECT"),
            ("500 مليار دولار", "VALUATION"),
        )
    ]
    for copy in range(5):
        investor, amount, project, valuation = augment.augment_record(
            Record("d", text, spans), copy, augment.AugmentConfig(copies=5)
        ).spans
        assert investor.text in names_of("INVESTOR") and investor.text != "إنفيديا"
        assert project.text in names_of("PROJECT") and project.text != "OpenAI"
        assert amount.text != "30 مليار دولار" and valuation.text != "500 مليار دولار"


def test_remedies_follow_the_kind_of_the_gold_label():
    assert "money styles" in error_analysis.remedy(("missed", "VALUATION"))
    assert "varied names" in error_analysis.remedy(("missed", "PROJECT"))
    assert "both roles" in error_analysis.remedy(("wrong label", "INVESTOR→PROJECT"))
    assert "VALUATION examples" in error_analysis.remedy(("wrong label", "AMOUNT→VALUATION"))
