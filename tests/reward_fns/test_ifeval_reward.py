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
