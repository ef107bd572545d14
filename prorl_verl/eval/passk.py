"""The unbiased pass@k estimator (Chen et al. 2021, "Evaluating Large Language Models Trained
on Code"), as ProRL reports it (paper §3.4).

With n samples of which c are correct, the chance that k samples drawn without replacement
contain at least one correct one is ``1 - C(n-c, k) / C(n, k)``. The binomials overflow a
float long before n = 256, so the ratio is taken as a product of factors in [0, 1]:

    C(n-c, k) / C(n, k) = prod_{i = n-c+1}^{n} (1 - k / i)

which is exact in real arithmetic and never overflows. When ``n - c < k`` every k-subset holds a
correct sample and pass@k is 1.
"""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np


def _check_counts(n: int, c: int, k: int) -> None:
    if n < 1:
        raise ValueError(f"pass@k needs at least one sample, got n={n}")
    if not 0 <= c <= n:
        raise ValueError(f"number correct c={c} must lie in [0, n={n}]")
    if not 1 <= k <= n:
        raise ValueError(f"k={k} must lie in [1, n={n}]")


def _pass_at_k_scalar(n: int, c: int, k: int) -> float:
    _check_counts(n, c, k)
    if n - c < k:
        return 1.0
    miss_all = math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))
    return 1.0 - miss_all


def _as_int_array(name: str, value) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
            raise ValueError(f"{name} must hold whole numbers, got {value!r}")
        array = array.astype(np.int64)
    elif array.dtype.kind not in "iu":
        raise ValueError(f"{name} must be an integer or an array of integers, got {value!r}")
    return array


def pass_at_k(n, c, k):
    """Unbiased pass@k for ``n`` samples with ``c`` correct.

    Integers in, a float out. ``n``, ``c`` (and ``k``) may also be NumPy arrays (broadcast
    together); then an array of floats of the broadcast shape is returned.
    """
    if all(isinstance(v, Integral) for v in (n, c, k)):
        return _pass_at_k_scalar(int(n), int(c), int(k))
    n_arr, c_arr, k_arr = np.broadcast_arrays(
        _as_int_array("n", n), _as_int_array("c", c), _as_int_array("k", k)
    )
    out = np.empty(n_arr.shape, dtype=np.float64)
    for index in np.ndindex(n_arr.shape):
        out[index] = _pass_at_k_scalar(int(n_arr[index]), int(c_arr[index]), int(k_arr[index]))
    return out


def k_values(n: int) -> list[int]:
    """The k reported for n samples: 1, 2, 4, ... up to n, and n itself if not a power of two."""
    if n < 1:
        raise ValueError(f"need at least one sample per prompt, got n={n}")
    ks = [1 << e for e in range(n.bit_length()) if (1 << e) <= n]
    if ks[-1] != n:
        ks.append(n)
    return ks
