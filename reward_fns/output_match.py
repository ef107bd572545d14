"""Whether a program's output is the expected one: the code verifier's comparison rule.

Standard output is compared token by token, whitespace-insensitively (any run of spaces, tabs
and newlines separates tokens; the token counts must agree). Each expected token decides how it
is compared: a token written as a float (``0.5``, ``-3.``, ``1e-9``, ``2.50E+3``) accepts any
finite number within ``FLOAT_TOLERANCE`` (relative or absolute); every other token — integers
included, whatever their size — must be reproduced character for character. So ``10`` is not
``10.0``, ``12345678901234567890`` is not ``12345678901234567891``, and ``0.333333`` is
``0.3333333``.

Returned values of call-based tests follow the same rule on their structure: an expected int
needs an int of exactly that value, an expected float a number within the tolerance, strings,
booleans and ``None`` themselves, lists and dicts element by element.
"""

from __future__ import annotations

import math
import re

FLOAT_TOLERANCE = 1e-6
_FLOAT_TOKEN = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE][+-]?\d+)?")
_NUMBER_TOKEN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _close(got: float, want: float) -> bool:
    return (
        math.isfinite(got)
        and math.isfinite(want)
        and math.isclose(got, want, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    )


def stdout_matches(got: str, expected: str) -> bool:
    """True when ``got`` prints the expected tokens (floats within the tolerance)."""
    got_tokens, want_tokens = got.split(), expected.split()
    if len(got_tokens) != len(want_tokens):
        return False
    for got_token, want_token in zip(got_tokens, want_tokens, strict=True):
        if got_token == want_token:
            continue
        if not (_FLOAT_TOKEN.fullmatch(want_token) and _NUMBER_TOKEN.fullmatch(got_token)):
            return False
        if not _close(float(got_token), float(want_token)):
            return False
    return True


def values_match(got, want) -> bool:
    """True when a returned JSON value equals the expected one under the token rule."""
    if isinstance(want, bool) or want is None:
        return got is want
    if isinstance(want, int):
        return type(got) is int and got == want
    if isinstance(want, float):
        return isinstance(got, int | float) and not isinstance(got, bool) and _close(got, want)
    if isinstance(want, list):
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(values_match(g, w) for g, w in zip(got, want, strict=True))
        )
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and got.keys() == want.keys()
            and all(values_match(got[key], want[key]) for key in want)
        )
    return type(got) is type(want) and got == want
