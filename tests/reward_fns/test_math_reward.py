"""Math: binary, last \\boxed{}, DeepScaleR-style grader OR math-verify, bounded in time."""

import threading

import numpy as np
import pytest

from reward_fns import compute_score
from reward_fns.math_grader import answers_match, normalise
from reward_fns.math_reward import MATH_BOUND_S


def score(response, truth):
    return compute_score("prorl/math/test", response, truth)["score"]


@pytest.mark.parametrize(
    ("pred", "gold"),
    [
        ("\\frac{1}{2}", "0.5"),
        ("\\dfrac12", "\\frac{1}{2}"),
        ("1/2", "\\frac{1}{2}"),
        ("0.50", "\\frac12"),
        ("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}"),
        ("2\\sqrt{3}", "\\sqrt{12}"),
        ("x = 7", "7"),
        ("1{,}000", "1000"),
        ("1,000", "1000"),
        ("90^\\circ", "90"),
        ("\\$18", "18"),
        ("\\text{(2, 3)}", "(2,3)"),
        ("(x+1)^2", "x^2+2x+1"),
        ("10.0", "10"),
        ("\\left( 1, 2 \\right)", "(1,2)"),
    ],
)
def test_equivalent_forms_score_one(pred, gold):
    assert score(f"So the answer is \\boxed{{{pred}}}.", gold) == 1.0


@pytest.mark.parametrize(
    ("pred", "gold"),
    [
        ("3.14", "\\pi"),  # a near miss is not pi
        ("0.333", "\\frac{1}{3}"),
        ("(1,2]", "(1,2)"),
        ("(2,1)", "(1,2)"),
        ("x+1", "x+2"),
        ("-5", "5"),
        ("", "5"),
    ],
)
def test_different_answers_score_zero(pred, gold):
    assert score(f"\\boxed{{{pred}}}", gold) == 0.0


def test_every_box_is_graded_and_missing_box_scores_zero():
    assert score("first \\boxed{3}, finally \\boxed{4}", "4") == 0.0  # the list 3, 4
    assert score("first \\boxed{4}, again \\boxed{4}", "4") == 1.0
    result = compute_score("prorl/math/t", "the answer is 4", "4")
    assert result["score"] == 0.0 and "boxed" in result["error"]
    assert score("\\boxed 4", "4") == 1.0
    assert score("\\boxed{\\frac{1}{2}", "\\frac{1}{2}") == 0.0  # never closed


def test_any_of_several_accepted_answers():
    assert score("\\boxed{-2}", ["2", "-2"]) == 1.0
    assert score("\\boxed{3}", ["2", "-2"]) == 0.0


def test_ground_truth_as_verl_reads_it_from_parquet():
    # list columns come back as NumPy arrays, integer columns as NumPy integers
    assert score("\\boxed{12}", np.int64(12)) == 1.0
    assert score("\\boxed{13}", np.int64(12)) == 0.0
    assert score("\\boxed{0.5}", np.float32(0.5)) == 1.0
    assert score("\\boxed{7}", np.array(["6", "7"], dtype=object)) == 1.0


def test_normalise_keeps_values():
    assert normalise("\\left(\\dfrac{1}{2}\\right)") == "(\\frac{1}{2})"
    assert normalise("12,345,678") == "12345678"
    assert answers_match("(1, \\frac{1}{2})", "(1,0.5)")


@pytest.mark.timeout(MATH_BOUND_S + 60)  # a hang guard, not a speed check
def test_math_verify_hang_input_returns_zero():
    """math-verify issue #65: a power tower inside \\dfrac hangs math-verify past its alarm."""
    tower = (
        "\\boxed{\\dfrac{5^{\\left(5^{\\left(5^{\\left(5^5\\right)}\\right)} - 4\\right)} - 5}{16}}"
    )
    result = compute_score("prorl/math/t", tower, "3")
    assert result["score"] == 0.0 and result["acc"] == 0.0


def test_scores_correctly_from_many_threads_at_once():
    """math-verify's signal.alarm fails outside the main thread; ours must not."""
    cases = [("\\boxed{\\frac{2}{4}}", "1/2", 1.0), ("\\boxed{0.4}", "1/2", 0.0)] * 8
    results = [None] * len(cases)

    def run(i):
        results[i] = score(cases[i][0], cases[i][1])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(cases))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected for _, _, expected in cases]
