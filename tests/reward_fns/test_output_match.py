"""The code verifier's comparison: tokens, integers exact, a tolerance only for float tokens."""

import pytest

from reward_fns.output_match import FLOAT_TOLERANCE, stdout_matches, values_match


@pytest.mark.parametrize(
    ("got", "expected"),
    [
        ("1 2\n3\n", "1 2\n3"),
        ("  1\t2   3  \n\n", "1 2 3"),  # any whitespace separates tokens
        ("0.3333333", "0.333333"),  # float token: within 1e-6
        ("2.5e3", "2500.0"),
        ("3", "3.000"),  # a number for a float token
        ("YES", "YES"),
        ("", ""),
    ],
)
def test_matching_outputs(got, expected):
    assert stdout_matches(got, expected)


@pytest.mark.parametrize(
    ("got", "expected"),
    [
        ("12345678901234567891", "12345678901234567890"),  # big integer off by one
        ("10.0", "10"),  # an integer token is matched exactly
        ("1e1", "10"),
        ("010", "10"),
        ("0.3334", "0.333"),  # beyond the tolerance
        ("nan", "0.5"),
        ("inf", "1e308"),
        ("1 2", "12"),
        ("1 2 3", "1 2"),
        ("yes", "YES"),
        ("3", ""),
    ],
)
def test_differing_outputs(got, expected):
    assert not stdout_matches(got, expected)


def test_the_tolerance_is_relative_or_absolute():
    assert FLOAT_TOLERANCE == 1e-6
    assert stdout_matches("1000000.9", "1000000.0")  # relative: 9e-7
    assert not stdout_matches("1000002.0", "1000000.0")
    assert stdout_matches("0.0000009", "0.0")  # absolute near zero


def test_returned_values():
    assert values_match(10**30, 10**30)
    assert not values_match(10**30 + 1, 10**30)
    assert not values_match(3.0, 3)  # an int is expected: a float is not one
    assert not values_match(True, 1) and not values_match(1, True)
    assert values_match(3, 3.0) and values_match(0.1 + 0.2, 0.3)
    assert not values_match(0.3001, 0.3)
    assert values_match({"a": [1, 2.0]}, {"a": [1, 2.0000001]})
    assert not values_match({"a": [1, 2]}, {"a": [1, 2], "b": 1})
    assert not values_match([1, 2], [1, 2, 3]) and not values_match("1", 1)
    assert values_match(None, None) and not values_match(0, None)
