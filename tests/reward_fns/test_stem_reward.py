"""STEM: binary, last \\boxed{}; choice letters in any wrapping, values through the math grader."""

import numpy as np
import pytest

from reward_fns import compute_score


def score(response, truth):
    return compute_score("prorl/stem/test", response, truth)["score"]


@pytest.mark.parametrize(
    "boxed", ["B", "(B)", "\\text{B}", "\\text{(B)}", "\\textbf{B}", "b", "B) 4.2 N", "B. 4.2 N"]
)
def test_every_spelling_of_the_letter_counts(boxed):
    assert score(f"Therefore \\boxed{{{boxed}}}", "B") == 1.0


@pytest.mark.parametrize("boxed", ["C", "(A)", "\\text{D}", "Bob", "AB", ""])
def test_other_letters_and_words_do_not(boxed):
    assert score(f"\\boxed{{{boxed}}}", "B") == 0.0


@pytest.mark.parametrize(
    ("boxed", "gold"),
    [
        ("B or C", "B"),  # hedges
        ("B or C", "C"),
        ("B, C", "B"),
        ("B and D", "B"),
        ("B/C", "B"),
        ("(B) and (C)", "B"),
        ("B) or C)", "B"),
        ("B. or C.", "B"),
        ("A B C D", "A"),
        ("\\text{B or C}", "B"),
        ("A force of 42 N", "A"),  # a sentence whose first word looks like a letter
        ("I think B", "I"),  # a pronoun
        ("I think B", "B"),
        ("F = ma", "F"),  # a formula that begins with a letter
        ("E = mc^2", "E"),
        ("C_p", "C"),
        ("Both A and B", "A"),
    ],
)
def test_exactly_one_choice_is_accepted(boxed, gold):
    assert score(f"\\boxed{{{boxed}}}", gold) == 0.0


def test_letters_up_to_j():
    assert score("\\boxed{J}", "J") == 1.0
    assert score("\\boxed{I}", "J") == 0.0


def test_values_use_the_math_grader():
    assert score("\\boxed{\\frac{3}{2}}", "1.5") == 1.0
    assert score("\\boxed{1.49}", "1.5") == 0.0


def test_last_box_only_and_missing_box_is_zero():
    assert score("\\boxed{A} no wait \\boxed{B}", "B") == 1.0
    assert score("\\boxed{B} no wait \\boxed{A}", "B") == 0.0
    assert score("The answer is B", "B") == 0.0


def test_ground_truth_as_verl_reads_it_from_parquet():
    # a list column comes back as a NumPy array; integer columns as NumPy integers
    assert score("\\boxed{B}", np.array(["B"], dtype=object)) == 1.0
    assert score("\\boxed{B}", ("B",)) == 1.0
    assert score("\\boxed{3}", np.int64(3)) == 1.0
    assert score("\\boxed{4}", np.int64(3)) == 0.0
    for bad in (np.array(["B", "C"]), {"B": 1}, [], None, "  "):
        result = compute_score("prorl/stem/test", "\\boxed{B}", bad)
        assert result["score"] == 0.0 and "stem ground truth" in result["error"], bad
