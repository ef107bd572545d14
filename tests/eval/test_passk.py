"""The pass@k estimator against hand-computed values, exact rationals and brute force."""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from prorl_verl.eval import k_values, pass_at_k


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (5, 0, 1, 0.0),  # nothing correct
        (5, 0, 5, 0.0),
        (5, 5, 1, 1.0),  # everything correct
        (5, 5, 3, 1.0),
        (5, 1, 5, 1.0),  # k = n: the one correct sample is always drawn
        (10, 3, 1, 0.3),  # pass@1 = c / n
        (5, 2, 2, 0.7),  # 1 - C(3,2)/C(5,2) = 1 - 3/10
        (4, 1, 2, 0.5),  # 1 - C(3,2)/C(4,2) = 1 - 3/6
        (6, 2, 3, 0.8),  # 1 - C(4,3)/C(6,3) = 1 - 4/20
        (8, 4, 5, 1.0),  # n - c < k
    ],
)
def test_hand_computed_values(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)
    assert isinstance(pass_at_k(n, c, k), float)


def test_large_n_where_binomials_overflow_a_float():
    # C(n-1, k) / C(n, k) = (n - k) / n, so pass@k with one correct sample is k / n.
    assert pass_at_k(100_000, 1, 1_000) == pytest.approx(1_000 / 100_000, rel=1e-12)
    # C(n-2, k) / C(n, k) = (n-k)(n-k-1) / (n(n-1)).
    n, k = 50_000, 20_000
    assert pass_at_k(n, 2, k) == pytest.approx(1 - (n - k) * (n - k - 1) / (n * (n - 1)), rel=1e-12)
    # C(2000, 500) is ~1e486: a float cannot hold it; compare with exact rational arithmetic.
    n, c, k = 2_000, 1_000, 500
    with pytest.raises(OverflowError):
        float(math.comb(n, k))
    exact = 1 - Fraction(math.comb(n - c, k), math.comb(n, k))
    assert pass_at_k(n, c, k) == pytest.approx(float(exact), abs=1e-15)
    n, c, k = 1_024, 3, 256
    exact = 1 - Fraction(math.comb(n - c, k), math.comb(n, k))
    assert pass_at_k(n, c, k) == pytest.approx(float(exact), rel=1e-12)


@pytest.mark.parametrize("n", range(1, 8))
def test_matches_brute_force_enumeration_of_k_subsets(n):
    for c in range(n + 1):
        samples = [1] * c + [0] * (n - c)
        for k in range(1, n + 1):
            subsets = list(itertools.combinations(range(n), k))
            hits = sum(any(samples[i] for i in subset) for subset in subsets)
            assert pass_at_k(n, c, k) == pytest.approx(hits / len(subsets), abs=1e-12), (n, c, k)


def test_numpy_arrays_of_n_and_c():
    n = np.array([4, 4, 10, 256])
    c = np.array([0, 1, 3, 256])
    got = pass_at_k(n, c, 2)
    assert isinstance(got, np.ndarray)
    assert got.shape == (4,)
    expected = [0.0, 0.5, 1 - (7 * 6) / (10 * 9), 1.0]
    np.testing.assert_allclose(got, expected, atol=1e-12)
    # numpy integer scalars are accepted like ints
    assert pass_at_k(np.int64(4), np.int64(1), 2) == pytest.approx(0.5)
    # a 2-D grid broadcast against k
    grid = pass_at_k(np.array([[4], [8]]), np.array([[1], [2]]), np.array([1, 2, 4]))
    assert grid.shape == (2, 3)
    assert grid[0, 2] == pytest.approx(1.0) and grid[1, 0] == pytest.approx(0.25)


@pytest.mark.parametrize(("n", "c", "k"), [(4, 5, 1), (4, -1, 1), (4, 1, 5), (4, 1, 0), (0, 0, 1)])
def test_rejects_impossible_counts(n, c, k):
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)


def test_rejects_fractional_counts_in_arrays():
    with pytest.raises(ValueError, match="whole numbers"):
        pass_at_k(np.array([4.0]), np.array([1.5]), 1)


def test_k_values_are_powers_of_two_up_to_n():
    assert k_values(1) == [1]
    assert k_values(8) == [1, 2, 4, 8]
    assert k_values(6) == [1, 2, 4, 6]
    assert k_values(256)[-3:] == [64, 128, 256]
