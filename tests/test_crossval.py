import pytest

from training.config import ConfigError
from training.crossval import folds_of, summarize


def test_five_folds_over_five_documents_leave_one_out():
    folds = folds_of(5, 5, seed=13)
    assert sorted(len(f) for f in folds) == [1] * 5 and sorted(i for f in folds for i in f) == [0, 1, 2, 3, 4]


def test_more_folds_than_documents_is_a_config_error():
    with pytest.raises(ConfigError):
        folds_of(3, 5, seed=13)


def _metrics(f1_investor, support_investor):
    zero = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    per = {label: dict(zero) for label in ("AMOUNT", "VALUATION", "PROJECT")}
    per["INVESTOR"] = {"precision": f1_investor, "recall": f1_investor, "f1": f1_investor, "support": support_investor}
    block = {"precision": f1_investor, "recall": f1_investor, "f1": f1_investor, "per_label": per}
    return {"word": block, "span": block}


def test_summary_averages_only_folds_where_the_label_occurs():
    summary = summarize([_metrics(0.5, 4), _metrics(1.0, 2), _metrics(0.0, 0)], _metrics(0.7, 6))
    inv = summary["span"]["INVESTOR"]
    assert inv["mean"] == pytest.approx(0.75) and inv["std"] == pytest.approx(0.25) and inv["folds"] == 2
    assert inv["pooled"] == 0.7 and summary["span"]["AMOUNT"]["mean"] is None
