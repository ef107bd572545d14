"""Math: an exact gold is matched exactly; decimals count only when they are the gold's value."""

import pytest

from reward_fns import compute_score
from reward_fns.math_grader import decimal_answer_matches, writes_decimal


def score(pred, gold):
    return compute_score("prorl/math/exact", f"so \\boxed{{{pred}}}", gold)["score"]


@pytest.mark.parametrize(
    ("pred", "gold"),
    [
        ("0.333333", "\\frac{1}{3}"),  # a rounded non-terminating fraction
        ("0.3333333333", "\\frac13"),
        ("2.333333", "\\frac{7}{3}"),
        ("1.414214", "\\sqrt{2}"),  # a rounded irrational number
        ("1.41421356", "\\sqrt{2}"),
        ("3.14159", "\\pi"),
        ("3.141593", "\\pi"),
        ("2.718282", "e"),
        ("0.707107", "\\frac{\\sqrt{2}}{2}"),
        ("(0.333333, 1]", "(\\frac{1}{3}, 1]"),
        ("0.3334", "0.3333"),  # a decimal gold is exact too
    ],
)
def test_decimal_approximations_are_wrong(pred, gold):
    assert score(pred, gold) == 0.0


@pytest.mark.parametrize(
    ("pred", "gold"),
    [
        ("0.5", "\\frac{1}{2}"),  # terminating decimals equal to the gold
        ("0.625", "\\frac{5}{8}"),
        ("2.50", "\\frac{5}{2}"),
        ("0.1875", "\\frac{3}{16}"),
        ("(0.5, 1]", "(\\frac{1}{2}, 1]"),
        ("1.5x", "\\frac{3x}{2}"),
        ("\\frac{1}{2}", "0.5"),
        ("3.0", "3"),
    ],
)
def test_exact_decimals_are_right(pred, gold):
    assert score(pred, gold) == 1.0


def test_the_rule_reads_each_decimal_as_the_fraction_it_writes():
    assert writes_decimal("0.5") and writes_decimal("x + 1.25") and not writes_decimal("3.0")
    assert not writes_decimal("\\frac{1}{2}") and not writes_decimal("1,000")
    assert decimal_answer_matches("\\frac{1}{8}", "0.125")
    assert not decimal_answer_matches("\\frac{1}{8}", "0.13")
    assert decimal_answer_matches("12345678901234567890", "12345678901234567890.0")
    assert not decimal_answer_matches("12345678901234567890", "12345678901234567891.0")


@pytest.mark.parametrize(
    ("pred", "gold", "expected"),
    [
        ("\\boxed{0.5, 0.25}", "\\frac12, \\frac14", 1.0),
        ("\\boxed{0.25} and \\boxed{0.5}", "\\frac12, \\frac14", 1.0),
        ("\\boxed{0.5, 0.333}", "\\frac12, \\frac13", 0.0),
    ],
)
def test_lists_of_decimals_follow_the_rule_item_by_item(pred, gold, expected):
    assert compute_score("prorl/math/exactness", pred, gold)["score"] == expected
