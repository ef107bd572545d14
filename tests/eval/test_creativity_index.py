"""L-uniqueness and the Creativity Index against hand-computed values on tiny corpora."""

import json
import math
import random

import pytest

from prorl_verl.eval.creativity import build_index, load_index


@pytest.fixture
def index(tmp_path):
    return build_index(
        ["the cat sat on the mat today", "", "a dog ran far away", "  \n\t "],
        tmp_path / "index",
        progress=False,
    )


# "a cat sat on the mat now": 7 words; "cat sat on the mat" (5 words) is a corpus span,
# "a" occurs alone (second document), "now" nowhere.
@pytest.mark.parametrize(
    "length, expected",
    [(1, 1 / 7), (2, 2 / 7), (3, 2 / 7), (5, 2 / 7), (6, 1.0), (40, 1.0)],
)
def test_uniqueness_by_hand(index, length, expected):
    assert index.uniqueness("a cat sat on the mat now", length) == pytest.approx(expected)


def test_creativity_index_is_the_sum_of_the_curve(index):
    text = "a cat sat on the mat now"
    # L = 1..7: 1/7, 2/7, 2/7, 2/7, 2/7, 1, 1
    assert index.creativity_index(text, min_n=1, max_n=7) == pytest.approx(9 / 7 + 2)
    assert index.uniqueness_curve(text, 4, 6) == pytest.approx({4: 2 / 7, 5: 2 / 7, 6: 1.0})


def test_copied_text_scores_zero_and_unseen_text_the_maximum(tmp_path):
    document = (
        "in the beginning the universe was created and this has made a lot of people "
        "very angry and been widely regarded as a bad move"
    )
    index = build_index([document, "an unrelated second document"], tmp_path, progress=False)
    assert index.creativity_index(document) == 0.0  # L = 5..12: every word covered
    assert all(index.uniqueness(document, n) == 0.0 for n in range(1, 26))  # 25 words
    unseen = " ".join(f"zq{i}" for i in range(30))
    assert index.creativity_index(unseen) == 8.0  # 12 - 5 + 1
    # half copied: the first 15 words of the document, then 15 unseen words
    half = " ".join(document.split()[:15] + unseen.split()[:15])
    assert index.creativity_index(half) == pytest.approx(8 * 0.5)


def test_spans_never_cross_documents(tmp_path):
    index = build_index(["x y z", "w v"], tmp_path, progress=False)
    assert index.uniqueness("y z w v", 2) == 0.0  # "y z" and "w v" occur
    assert index.uniqueness("y z w v", 3) == 1.0  # "y z w" only across the boundary


def test_matches_are_whole_words(tmp_path):
    index = build_index(["concatenate the strings now"], tmp_path, progress=False)
    assert index.uniqueness("cat the strings", 3) == 1.0  # not inside "concatenate"
    assert index.uniqueness("cat the strings", 2) == pytest.approx(1 / 3)
    assert index.count(["the"]) == 1 and index.count(["he"]) == 0


def test_repeated_words(tmp_path):
    index = build_index(["the the"], tmp_path, progress=False)
    assert index.uniqueness("the the the the", 2) == 0.0
    assert index.uniqueness("the the the the", 3) == 1.0


def test_whitespace_is_normalised(tmp_path):
    index = build_index(["one\ttwo\n\nthree   four"], tmp_path, progress=False)
    assert index.uniqueness("one two three four", 4) == 0.0
    assert index.uniqueness(" one  two\u00a0three\nfour ", 4) == 0.0  # NBSP is whitespace too


def _brute_force_uniqueness(documents, text, length):
    """Independent rule: check every L-word window of the text against the joined corpus."""
    padded = [" " + " ".join(d.split()) + " " for d in documents]
    words = text.split()
    covered = [False] * len(words)
    for i in range(len(words) - length + 1):
        pattern = " " + " ".join(words[i : i + length]) + " "
        if any(pattern in doc for doc in padded):
            covered[i : i + length] = [True] * length
    return 1 - sum(covered) / len(words)


def test_agrees_with_brute_force_on_random_texts(tmp_path):
    rng = random.Random(7)
    vocab = ["a", "b", "c", "d"]
    documents = [" ".join(rng.choices(vocab, k=rng.randint(0, 40))) for _ in range(6)]
    index = build_index(documents, tmp_path, progress=False)
    for _ in range(40):
        text = " ".join(rng.choices(vocab, k=rng.randint(1, 30)))
        for length in (1, 2, 3, 5, 8):
            assert index.uniqueness(text, length) == pytest.approx(
                _brute_force_uniqueness(documents, text, length)
            ), (text, length)


def test_reopened_index_answers_the_same(tmp_path):
    built = build_index(
        ["alpha beta gamma delta", "", "epsilon"], tmp_path, sources=["f.txt"], progress=False
    )
    reopened = load_index(tmp_path)
    text = "beta gamma delta epsilon zeta"
    assert reopened.uniqueness(text, 2) == built.uniqueness(text, 2) == pytest.approx(2 / 5)
    meta = json.loads((tmp_path / "index.json").read_text())
    assert (meta["documents"], meta["empty_documents"], meta["words"]) == (2, 1, 5)
    # " alpha beta gamma delta " + "\n" + " epsilon "
    assert meta["corpus_bytes"] == 24 + 1 + 9
    assert meta["sources"] == ["f.txt"]


def test_empty_text_has_no_uniqueness(index):
    assert math.isnan(index.uniqueness("", 5))
    assert math.isnan(index.uniqueness(" \n\t ", 1))
    assert math.isnan(index.creativity_index(""))


def test_text_shorter_than_l_is_fully_unique(index):
    assert index.uniqueness("cat sat", 5) == 1.0


def test_unicode_and_lone_surrogates(tmp_path):
    index = build_index(
        ["Größe ist 42 ✓ 東京 タワー", "bad \ud800 surrogate"], tmp_path, progress=False
    )
    assert index.uniqueness("Größe ist 42 ✓ 東京 タワー und mehr", 6) == pytest.approx(2 / 8)
    assert index.uniqueness("bad \ud800 surrogate", 3) == 0.0
    assert index.uniqueness("Grösse ist", 2) == 1.0  # another spelling is another word


def test_huge_word(tmp_path):
    huge = "x" * 2_000_000
    index = build_index([f"start {huge} end"], tmp_path, progress=False)
    assert index.uniqueness(f"start {huge} end", 3) == 0.0
    assert index.uniqueness(f"start {huge}y end", 2) == 1.0


@pytest.mark.parametrize("bad", [0, -3, 1.5, True, "5", None])
def test_bad_lengths_are_refused(index, bad):
    with pytest.raises(ValueError, match="positive integer"):
        index.uniqueness("a cat", bad)


def test_bad_ranges_and_texts_are_refused(index):
    with pytest.raises(ValueError, match="must not exceed"):
        index.creativity_index("a cat", min_n=6, max_n=5)
    with pytest.raises(TypeError, match="text string"):
        index.uniqueness(b"a cat", 2)


def test_corpus_without_words_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no words"):
        build_index(["", "   "], tmp_path, progress=False)
    with pytest.raises(TypeError, match="document 1"):
        build_index(["fine", 42], tmp_path, progress=False)


def test_missing_or_damaged_index(tmp_path):
    with pytest.raises(FileNotFoundError, match="index.json"):
        load_index(tmp_path / "nowhere")
    build_index(["a b c"], tmp_path, progress=False)
    with open(tmp_path / "corpus.bin", "ab") as handle:
        handle.write(b"extra")
    with pytest.raises(ValueError, match="damaged"):
        load_index(tmp_path)
