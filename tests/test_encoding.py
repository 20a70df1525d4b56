"""What the model reads at once: document windows or single sentences."""

import pytest

from inference.encoding import encode_documents, text_pieces
from labeling.tokenize import tokenize

TEXT = (
    "استثمرت مبادلة ٥٠٠ مليون دولار في شركة تمارا. وبلغت إيرادات الشركة ٣ مليارات ريال؟ "
    "جمعت الشركة الناشئة 20 مليون دولار"
)
WORDS = [t.text for t in tokenize(TEXT)]


def test_document_context_reads_the_whole_text_as_one_piece():
    assert text_pieces(WORDS, "document") == [(0, len(WORDS))]


def test_sentence_context_cuts_after_each_full_stop_or_question_mark():
    pieces = text_pieces(WORDS, "sentence")
    assert [WORDS[a:b][-1] for a, b in pieces] == [".", "؟", "دولار"]
    assert [" ".join(WORDS[a:b][:2]) for a, b in pieces] == ["استثمرت مبادلة", "وبلغت إيرادات", "جمعت الشركة"]
    assert pieces[0][0] == 0 and pieces[-1][1] == len(WORDS)


def test_unknown_context_is_a_value_error():
    with pytest.raises(ValueError, match="context"):
        text_pieces(WORDS, "paragraph")


def test_sentence_windows_keep_document_word_ids_and_never_cross_a_sentence(model_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    windows = encode_documents(tokenizer, [WORDS], max_length=64, stride=16, context="sentence")
    assert len(windows) == 3
    for window, (start, end) in zip(windows, text_pieces(WORDS, "sentence")):
        ids = {w for w in window.word_ids if w is not None}
        assert ids == set(range(start, end))


def test_window_settings_round_trip_through_a_model_config():
    from types import SimpleNamespace

    from inference.encoding import WindowSettings

    settings = WindowSettings(128, 32, "sentence")
    assert WindowSettings.from_config(SimpleNamespace(windows=settings.to_config())) == settings


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "128",
        {"max_length": 128},
        {"max_length": 0, "stride": 0},
        {"max_length": 128, "stride": 32, "context": "page"},
        {"max_length": 128, "stride": 32, "colour": "red"},
    ],
)
def test_missing_or_invalid_window_settings_are_a_value_error(raw):
    from types import SimpleNamespace

    from inference.encoding import WindowSettings

    with pytest.raises(ValueError):
        WindowSettings.from_config(SimpleNamespace(windows=raw))
