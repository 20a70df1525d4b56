from hypothesis import given
from hypothesis import strategies as st

from labeling.tokenize import split_sentences, tokenize


def words(text):
    return [t.text for t in tokenize(text)]


def test_decimal_and_grouped_numbers_stay_whole():
    assert words("1.4 تريليون و30,000 سهم") == ["1.4", "تريليون", "و", "30,000", "سهم"]


def test_arabic_indic_digits_with_arabic_decimal_separator():
    assert words("٢٫٥ مليار و٣٠ مليون") == ["٢٫٥", "مليار", "و", "٣٠", "مليون"]


def test_persian_digits_are_numbers():
    assert words("۱۲۰ میلیون") == ["۱۲۰", "میلیون"]


def test_arabic_punctuation_is_split_off():
    assert words("إنفيديا، وأمازون؛ لماذا؟ «سوفت بنك»") == [
        "إنفيديا",
        "،",
        "وأمازون",
        "؛",
        "لماذا",
        "؟",
        "«",
        "سوفت",
        "بنك",
        "»",
    ]


def test_sentence_final_period_is_not_a_decimal_point():
    assert words("بقيمة 30 مليار دولار.") == ["بقيمة", "30", "مليار", "دولار", "."]


def test_latin_names_keep_inner_hyphen():
    assert words("نماذج مثل GPT-4 وLlama") == ["نماذج", "مثل", "GPT-4", "و", "Llama"]


def test_tatweel_clitic_before_latin_name_is_its_own_word():
    assert words("الشركة المطوِّرة لـChatGPT") == ["الشركة", "المطوِّرة", "لـ", "ChatGPT"]


def test_diacritics_and_inner_tatweel_stay_inside_words():
    assert words("تمويلًا كبـــيرًا") == ["تمويلًا", "كبـــيرًا"]


def test_standalone_tatweel_is_a_separator():
    assert words("أمازون ـ مايكروسوفت") == ["أمازون", "مايكروسوفت"]


def test_zero_width_and_bidi_marks_separate_words_and_are_never_tokens():
    assert words("OpenAI\u200f\u200cإنفيديا") == ["OpenAI", "إنفيديا"]


def test_offsets_point_into_the_original_string():
    text = "استثمار إنفيديا في OpenAI بقيمة ٣٠ مليار دولار"
    tokens = tokenize(text)
    assert [(t.start, t.end) for t in tokens[:3]] == [(0, 7), (8, 15), (16, 18)]
    assert all(text[t.start : t.end] == t.text for t in tokens)


def test_sentences_split_after_arabic_question_mark_and_newlines_not_in_decimals():
    text = "جمعت 1.4 مليار دولار. لماذا؟ لأن\nالسوق نما"
    assert [text[s:e] for s, e in split_sentences(text)] == ["جمعت 1.4 مليار دولار.", "لماذا؟", "لأن", "السوق نما"]


@given(st.text())
def test_tokens_are_ordered_non_empty_slices_of_any_text(text):
    tokens = tokenize(text)
    assert all(text[t.start : t.end] == t.text and t.start < t.end for t in tokens)
    assert all(a.end <= b.start for a, b in zip(tokens, tokens[1:]))
    assert all(not t.text.isspace() for t in tokens)
