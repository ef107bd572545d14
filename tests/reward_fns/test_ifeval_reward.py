"""Instruction following: IFEval strict checks, fraction followed, offline and deterministic."""

import json
import threading

import pytest

from reward_fns import compute_score


def truth(ids, kwargs, prompt="Write something."):
    return json.dumps({"instruction_id_list": ids, "kwargs": kwargs, "prompt": prompt})


def score(response, ids, kwargs, prompt="Write something."):
    return compute_score("prorl/ifeval/test", response, truth(ids, kwargs, prompt))["score"]


def test_fraction_of_instructions_followed():
    ids = ["change_case:english_lowercase", "punctuation:no_comma", "detectable_format:title"]
    assert score("<<a title>>\nall lower case and no commas here.", ids, [{}, {}, {}]) == 1.0
    assert score("<<a title>>\nall lower case, with a comma.", ids, [{}, {}, {}]) == pytest.approx(
        2 / 3
    )
    assert score("No Title, Upper Case, Commas.", ids, [{}, {}, {}]) == 0.0


def test_sentence_count_uses_the_english_punkt_model_offline():
    ids = ["length_constraints:number_sentences"]
    kwargs = [{"num_sentences": 3, "relation": "less than"}]
    # "Mr." and "Dr." are English abbreviations: two sentences, not four.
    assert score("Mr. Smith met Dr. Jones. They talked.", ids, kwargs) == 1.0
    assert score("One. Two. Three. Four.", ids, kwargs) == 0.0


def test_capital_word_frequency_uses_word_tokenizer():
    ids = ["change_case:capital_word_frequency"]
    kwargs = [{"capital_frequency": 2, "capital_relation": "at least"}]
    assert score("THIS is VERY loud.", ids, kwargs) == 1.0
    assert score("This is Very quiet.", ids, kwargs) == 0.0


def test_keywords_and_length():
    ids = ["keywords:existence", "length_constraints:number_words"]
    kwargs = [{"keywords": ["apple", "pear"]}, {"num_words": 5, "relation": "at least"}]
    assert score("I like an apple and a pear a lot", ids, kwargs) == 1.0
    assert score("apple pear", ids, kwargs) == pytest.approx(0.5)


def test_language_detection_is_deterministic_across_threads():
    ids = ["language:response_language"]
    kwargs = [{"language": "de"}]
    text = "Das ist ein kurzer deutscher Satz über das Wetter in Berlin."
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(score(text, ids, kwargs))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [1.0] * 8
    assert score("This is plainly an English sentence about the weather.", ids, kwargs) == 0.0


def test_empty_response_scores_zero():
    assert score("   ", ["punctuation:no_comma"], [{}]) == 0.0


def test_null_kwargs_from_parquet_are_dropped():
    # Nemotron rows carry every kwarg key, most of them null.
    kwargs = [{"num_sentences": None, "relation": None, "keywords": None}]
    assert score("fine text without commas", ["punctuation:no_comma"], kwargs) == 1.0


# --- what the checks see: the visible text ------------------------------------------------------

ZWSP, ZWJ, WORD_JOINER, SOFT_HYPHEN = "\u200b", "\u200d", "\u2060", "\u00ad"


def test_a_response_of_invisible_characters_is_empty():
    ids, kwargs = ["punctuation:no_comma"], [{}]
    for invisible in [ZWSP * 50, f"{ZWJ}{WORD_JOINER}{SOFT_HYPHEN}\u3164\u2800\ufe0f", "\u202e\n"]:
        result = compute_score("prorl/ifeval/t", invisible, truth(ids, kwargs))
        assert result["score"] == 0.0 and result["error"] == "empty response"


def test_forbidden_words_are_seen_through_zero_width_splits():
    ids, kwargs = ["keywords:forbidden_words"], [{"forbidden_words": ["forbidden"]}]
    assert score("This text is clean.", ids, kwargs) == 1.0
    assert score("This is forbidden.", ids, kwargs) == 0.0
    for split in [ZWSP, ZWJ, WORD_JOINER, SOFT_HYPHEN, "\ufeff"]:
        assert score(f"This is for{split}bidden.", ids, kwargs) == 0.0
    assert (
        score("This is \uff46\uff4f\uff52\uff42\uff49\uff44\uff44\uff45\uff4e.", ids, kwargs) == 0.0
    )


def test_full_width_and_look_alike_commas_are_commas():
    ids, kwargs = ["punctuation:no_comma"], [{}]
    assert score("no commas in here at all.", ids, kwargs) == 1.0
    for comma in ["\uff0c", "\ufe50", "\u3001", "\u201a", "\u060c"]:
        assert score(f"one{comma} two.", ids, kwargs) == 0.0


def test_a_response_without_letters_follows_no_language_instruction():
    ids = ["language:response_language"]
    assert (
        score("This is plainly an English sentence about cats.", ids, [{"language": "en"}]) == 1.0
    )
    for no_letters in ["12345 678 90", "!!! ??? ...", "1 + 1 = 2", "\U0001f600 \U0001f44d"]:
        assert score(no_letters, ids, [{"language": "en"}]) == 0.0
    two = ["language:response_language", "punctuation:no_comma"]
    assert score("12345", two, [{"language": "en"}, {}]) == 0.5  # only the language fails
