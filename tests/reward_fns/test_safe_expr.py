"""Readers of model-written arithmetic and literals that cannot execute what they read."""

from fractions import Fraction

import pytest

from reward_fns.safe_expr import (
    integer_arithmetic,
    literal_only_eval,
    plain_math_expression,
)


def test_integer_arithmetic_is_exact_and_lists_the_literals():
    result = integer_arithmetic(" (8 - 2) * (6 / 3 + 2) ")
    assert result.value == 24 and result.literals == [8, 2, 6, 3, 2]
    assert integer_arithmetic("1/3 + 1/3 + 1/3").value == 1  # no float rounding
    assert integer_arithmetic("25 - 1/2").value == Fraction(49, 2)
    assert integer_arithmetic("-1 + 72*(89 - 77)/1").value == 863  # a sign, as the gold uses
    assert integer_arithmetic("-1 + 72*(89 - 77)/1").literals == [1, 72, 89, 77, 1]


@pytest.mark.parametrize(
    "text",
    [
        "0x18",  # hex
        "2_4",  # underscores
        "24.0",  # other literals
        "1e1",
        "+24",  # a plus sign
        "2**4",  # other operators
        "abs(24)",  # calls and names
        "__import__('os').system('true')",
        "(1+2",
        "1+",
        "",
        "08 + 16",  # a leading zero is not a plain literal
        "4 / 0",
        "(" * 100 + "1" + ")" * 100,
    ],
)
def test_integer_arithmetic_refuses_everything_else(text):
    with pytest.raises(ValueError):
        integer_arithmetic(text)


def test_literal_only_eval_reads_literals_and_refuses_code(tmp_path):
    assert literal_only_eval("[['a', 'b'], [1, 2]]") == [["a", "b"], [1, 2]]
    marker = tmp_path / "ran"
    for attack in [
        f"open({str(marker)!r}, 'w')",
        "__import__('os').getpid()",
        "[x for x in (1, 2)]",
        "(lambda: 1)()",
        "[" * 200 + "]" * 200,
    ]:
        with pytest.raises(ValueError):
            literal_only_eval(attack)
    assert not marker.exists()


def test_plain_math_expression_allows_formulas_only():
    for formula in [
        "3*x**2/2 + C",
        "-10*sqrt(-10*x - 10)",
        "sin(x)^2 + cos(x)",
        "2*(x+1)**(3/2)",
        "exp(x**2) + x**3*y**2",
    ]:
        assert plain_math_expression(formula, ["x", "C"]) == formula
    for attack, why in [
        ("__import__('os')", "character"),
        ("x.__class__", "character"),
        ("x.conjugate()", "attribute"),
        ("open(x)", "name 'open'"),
        ("exec", "name 'exec'"),
        ("Symbol('x')", "character"),
        ("[x]", "character"),
        ("lambda", "name 'lambda'"),
        ("9**9**9**9", "power in an exponent"),
        ("x^2^3", "power in an exponent"),
        ("2**(3**40)", "power in an exponent"),
    ]:
        with pytest.raises(ValueError, match=why):
            plain_math_expression(attack, ["x"])
