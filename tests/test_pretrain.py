"""Domain-adaptive pretraining: whole-word masking, packing, a few MLM steps, resuming, errors."""

import json
import lzma

import numpy as np
import pytest
import torch
from conftest import save_tiny_backbone
from safetensors.torch import load_file
from transformers import AutoModelForTokenClassification

from training.pretrain import (
    IGNORE,
    STATE_FILE,
    CorpusPosition,
    corpus_words,
    main,
    mask_whole_words,
    pack_sequences,
    read_lines,
)

SENTENCES = [
    "تقترب شركة إنفيديا من ضخ استثمار بقيمة 30 مليار دولار في شركة OpenAI",
    "استثمرت مبادلة ٥٠٠ مليون دولار في الشركة الناشئة «تمارا» السعودية.",
    "أعلن صندوق الاستثمارات العامة عن تمويل بقيمة ١٫٥ مليار ريال لمشروع نيوم",
    "جمعت الشركة الناشئة ۲۵ مليون درهم بتقييم يبلغ 1.2 مليار دولار",
    "وقال الرئيس التنفيذي إن الجولة الجديدة ستساعد الشركة على التوسع في أسواق الخليج",
    "وشارك في الجولة عدد من المستثمرين من بينهم صندوق رؤية التابع لسوفت بنك",
    "ارتفعت أسهم البنوك في بورصة الرياض بعد إعلان نتائج الربع الثالث",
    "تخطط الحكومة المصرية لطرح حصص في عشر شركات مملوكة للدولة خلال العام المقبل",
]
FAST = ["--batch-size", "2", "--max-length", "24", "--learning-rate", "1e-3", "--no-progress"]


@pytest.fixture(scope="module")
def backbone_dir(tmp_path_factory):
    return save_tiny_backbone(tmp_path_factory.mktemp("tiny-backbone"), SENTENCES)


@pytest.fixture(scope="module")
def tokenizer(backbone_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(backbone_dir)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The sentences in a .txt (with blank lines) and, a second time, in a .txt.xz."""
    path = tmp_path_factory.mktemp("corpus")
    txt, xz = path / "news.txt", path / "news.txt.xz"
    txt.write_text("\n\n".join(SENTENCES[:4]) + "\n", encoding="utf-8")
    with lzma.open(xz, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(SENTENCES[4:]) + "\n   \n")
    return [str(txt), str(xz)]


def test_whole_word_masking_asks_for_every_subtoken_of_a_chosen_word_and_never_a_special():
    # [CLS] w0 w0 w0 w1 w1 w2 [SEP]; one of the three words is chosen (round(0.34 × 3) = 1)
    ids = [2, 10, 11, 12, 20, 21, 30, 3]
    word_ids = [None, 0, 0, 0, 1, 1, 2, None]
    spans = {0: [1, 2, 3], 1: [4, 5], 2: [6]}
    seen = set()
    for seed in range(40):
        m = mask_whole_words(
            ids, word_ids, np.random.default_rng(seed), mask_id=4, random_ids=np.array([99]), probability=0.34
        )
        asked = [i for i, label in enumerate(m.labels) if label != IGNORE]
        word = word_ids[asked[0]]
        assert asked == spans[word]  # all its sub-tokens, nothing else
        assert [m.labels[i] for i in asked] == [ids[i] for i in asked]
        assert all(m.input_ids[i] in (4, 99, ids[i]) for i in asked)
        assert [m.input_ids[i] for i in range(len(ids)) if i not in asked] == [
            ids[i] for i in range(len(ids)) if i not in asked
        ]
        seen.add(word)
    assert seen == {0, 1, 2}
    every = mask_whole_words(ids, word_ids, np.random.default_rng(0), 4, np.array([99]), probability=1.0)
    assert every.labels.tolist() == [IGNORE] + ids[1:-1] + [IGNORE]
    assert (every.input_ids[0], every.input_ids[-1]) == (2, 3)


def test_masked_subtokens_become_mask_80_random_10_unchanged_10_percent():
    n = 5000
    ids = list(range(10, 10 + n))
    m = mask_whole_words(
        ids, list(range(n)), np.random.default_rng(1), mask_id=4, random_ids=np.array([7]), probability=1.0
    )
    out = m.input_ids
    assert abs((out == 4).mean() - 0.8) < 0.02
    assert abs((out == 7).mean() - 0.1) < 0.02
    assert abs((out == np.array(ids)).mean() - 0.1) < 0.02


def test_corpus_reads_txt_and_xz_skipping_blank_lines_and_jsonl_text(corpus, tmp_path):
    assert [n for n, _ in read_lines(corpus[0])] == [0, 2, 4, 6]
    assert [t.strip() for _, t in read_lines(corpus[1])] == SENTENCES[4:]
    jsonl = tmp_path / "news.jsonl"
    jsonl.write_text(
        json.dumps({"id": "a", "text": SENTENCES[0]}, ensure_ascii=False)
        + "\n\n"
        + json.dumps({"id": "b", "text": SENTENCES[1]}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    assert list(read_lines(jsonl)) == [(0, SENTENCES[0]), (2, SENTENCES[1])]


def test_packing_fills_sequences_in_corpus_order_and_restarts_identically_from_a_position(corpus, tokenizer):
    packed = pack_sequences(tokenizer, corpus_words(corpus), 16)
    first = [next(packed) for _ in range(80)]
    for s in first:
        assert len(s.input_ids) <= 16 and len(s.input_ids) == len(s.word_ids)
        assert (s.input_ids[0], s.input_ids[-1]) == (tokenizer.cls_token_id, tokenizer.sep_token_id)
        assert s.word_ids[0] is None and s.word_ids[-1] is None
    # The first sequence holds the first words of the first sentence, split on whitespace.
    n_words = first[0].word_ids[-2] + 1
    assert first[0].end == CorpusPosition(0, 0, n_words)
    expected = tokenizer(SENTENCES[0].split()[:n_words], is_split_into_words=True)["input_ids"]
    assert first[0].input_ids == expected
    # Restarting at the end of sequence 5 gives sequences 6, 7, ... again (the corpus cycles).
    again = pack_sequences(tokenizer, corpus_words(corpus, first[5].end), 16)
    assert [next(again).input_ids for _ in range(74)] == [s.input_ids for s in first[6:]]
    assert first[-1].end.epoch >= 1


def test_a_few_steps_give_a_model_directory_that_fine_tuning_loads(corpus, backbone_dir, tmp_path):
    out = tmp_path / "dapt"
    assert (
        main(
            ["--corpus", *corpus, "--backbone", str(backbone_dir), "--output-dir", str(out), "--max-steps", "3", *FAST]
        )
        == 0
    )
    assert (out / "model.safetensors").is_file() and not list(out.glob("*.bin"))
    model = AutoModelForTokenClassification.from_pretrained(out, num_labels=9)
    assert model.classifier.out_features == 9
    before = load_file(backbone_dir / "model.safetensors")
    after = model.state_dict()
    key = "bert.embeddings.word_embeddings.weight"
    assert not torch.equal(before[key], after[key])
    state = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    assert state["steps"] == 3 and state["tokens_seen"] > 0 and state["final_loss"] > 0
    assert state["backbone"] == str(backbone_dir) and len(state["corpus"]) == 2 and state["elapsed_seconds"] > 0


@pytest.fixture(scope="module")
def straight_run(corpus, backbone_dir, tmp_path_factory):
    """Four steps without interruption, the reference of the resume tests."""
    out = tmp_path_factory.mktemp("straight")
    assert (
        main(
            ["--corpus", *corpus, "--backbone", str(backbone_dir), *FAST, "--output-dir", str(out), "--max-steps", "4"]
        )
        == 0
    )
    return out


def test_resume_after_a_shorter_run_ends_at_step_4_on_the_same_data(corpus, backbone_dir, straight_run, tmp_path):
    common = ["--corpus", *corpus, "--backbone", str(backbone_dir), *FAST, "--output-dir", str(tmp_path)]
    assert main([*common, "--max-steps", "2"]) == 0
    assert json.loads((tmp_path / STATE_FILE).read_text(encoding="utf-8"))["steps"] == 2
    assert main([*common, "--max-steps", "4", "--resume"]) == 0
    state = json.loads((tmp_path / STATE_FILE).read_text(encoding="utf-8"))
    straight = json.loads((straight_run / STATE_FILE).read_text(encoding="utf-8"))
    assert state["steps"] == 4
    assert (state["tokens_seen"], state["position"]) == (straight["tokens_seen"], straight["position"])


def test_a_run_interrupted_after_its_checkpoint_resumes_to_the_uninterrupted_model(
    corpus, backbone_dir, straight_run, tmp_path, monkeypatch, capsys
):
    import training.pretrain as pretrain

    calls, real = [], pretrain.mask_whole_words

    def interrupted(*args, **kwargs):  # batch size 2: the 5th sequence is in step 3
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    common = [
        "--corpus",
        *corpus,
        "--backbone",
        str(backbone_dir),
        *FAST,
        "--output-dir",
        str(tmp_path),
        "--max-steps",
        "4",
        "--save-every",
        "2",
    ]
    monkeypatch.setattr(pretrain, "mask_whole_words", interrupted)
    assert main(common) == 130  # Ctrl-C: one line, status 130
    assert capsys.readouterr().err.endswith("\ninterrupted; rerun with --resume\n")
    assert not (tmp_path / "model.safetensors").exists()
    monkeypatch.setattr(pretrain, "mask_whole_words", real)
    assert main([*common, "--resume"]) == 0
    resumed, uninterrupted = (load_file(d / "model.safetensors") for d in (tmp_path, straight_run))
    assert resumed.keys() == uninterrupted.keys()
    assert all(torch.equal(resumed[k], uninterrupted[k]) for k in uninterrupted)


def test_a_missing_corpus_file_is_a_one_line_error(backbone_dir, tmp_path, capsys):
    code = main(
        [
            "--corpus",
            str(tmp_path / "missing.txt"),
            "--backbone",
            str(backbone_dir),
            "--output-dir",
            str(tmp_path / "out"),
            "--max-steps",
            "1",
            "--no-progress",
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("error: ") and "missing.txt" in err and len(err.splitlines()) == 1


def test_a_directory_that_is_no_model_is_a_one_line_error(corpus, tmp_path, capsys):
    code = main(
        ["--corpus", *corpus, "--backbone", str(tmp_path), "--output-dir", str(tmp_path / "out"), "--no-progress"]
    )
    err = capsys.readouterr().err.strip()
    assert code == 1 and err.startswith("error: ") and len(err.splitlines()) == 1
