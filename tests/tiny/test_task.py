"""The chain_sum task: problems per bucket, the target response, grading by reasoning-gym."""

import pytest
import reasoning_gym

from data_prep.prompts import reasoning_gym_messages
from prorl_verl.tiny import (
    EASY,
    HARD,
    generate_problems,
    is_correct,
    prompt_messages,
    score_response,
    target_response,
)
from prorl_verl.tiny.task import running_results


def _entry(expression: str, answer: str) -> dict:
    """A chain_sum entry as reasoning-gym shapes it (for hand-written problems)."""
    return {
        "question": f"State the final answer to the following arithmetic problem: {expression} =",
        "answer": answer,
        "metadata": {"source_dataset": "chain_sum", "expression": expression},
    }


def test_running_results_by_hand():
    assert running_results("17 + 5 - 63") == [17, 22, -41]
    assert running_results("250 - 999 + 1000 - 1") == [250, -749, 251, 250]
    assert running_results("7") == [7]


def test_target_response_format():
    assert target_response(_entry("17 + 5 - 63", "-41")) == "17 22 -41 <answer>-41</answer>"


def test_target_response_rejects_a_wrong_gold_answer():
    with pytest.raises(ValueError, match="disagrees"):
        target_response(_entry("17 + 5 - 63", "41"))


def test_bad_expression_is_reported():
    with pytest.raises(ValueError, match="operator"):
        running_results("3 * 4")


@pytest.mark.parametrize("bucket", [EASY, HARD])
def test_problems_respect_the_bucket_and_the_seed(bucket):
    problems = generate_problems(bucket, 40, seed=123)
    assert problems == generate_problems(bucket.name, 40, seed=123)
    assert problems != generate_problems(bucket, 40, seed=124_000)
    for entry in problems:
        terms = entry["metadata"]["expression"].split()[::2]
        assert bucket.min_terms <= len(terms) <= bucket.max_terms
        digits = {len(term) for term in terms}
        assert len(digits) == 1  # reasoning-gym draws one digit count per problem
        assert bucket.min_digits <= digits.pop() <= bucket.max_digits


def test_unknown_bucket():
    with pytest.raises(ValueError, match="unknown chain_sum bucket"):
        generate_problems("medium", 3, seed=0)


def test_prompt_is_the_shared_reasoning_gym_prompt():
    entry = generate_problems(EASY, 1, seed=5)[0]
    assert prompt_messages(entry) == reasoning_gym_messages(entry["question"])
    assert entry["question"] in prompt_messages(entry)[0]["content"]


@pytest.mark.parametrize("bucket", [EASY, HARD])
def test_target_responses_score_one_with_reasoning_gyms_scorer(bucket):
    scorer = reasoning_gym.create_dataset("chain_sum", size=1, seed=0)
    for entry in generate_problems(bucket, 30, seed=7):
        response = target_response(entry)
        inside = response.split("<answer>")[1].split("</answer>")[0]
        assert scorer.score_answer(inside, entry) == 1.0
        assert score_response(response, entry) == 1.0
        assert is_correct(response, entry)


def test_wrong_and_malformed_responses():
    entry = _entry("17 + 5 - 63", "-41")
    assert score_response("17 22 -40 <answer>-40</answer>", entry) == 0.0
    assert score_response("17 22 -41", entry) == 0.0  # no tags, nothing to grade
    assert score_response("", entry) == 0.0
    # reasoning-gym's numeric comparison tolerates a sign and leading zeros
    assert score_response("<answer>-041</answer>", _entry("17 + 5 - 63", "-41")) == 1.0
    # the last tag counts
    assert score_response("<answer>-41</answer> <answer>5</answer>", entry) == 0.0


def test_partial_credit_is_not_correct():
    entry = _entry("63 - 22", "41")
    score = score_response("<answer>-41</answer>", entry)
    assert score == pytest.approx(2 / 3)  # reasoning-gym: gold is a substring, len 2 of 3
    assert not is_correct("<answer>-41</answer>", entry)
