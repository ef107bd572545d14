"""L-uniqueness and the Creativity Index of a text, given a way to ask "does this span occur?".

Rule (Lu et al., 2024, "AI as Humanity's Salieri", §2): a word of a text is *covered* at length
L when it lies inside some span of at least L consecutive words that occurs verbatim in the
reference corpus. The text's L-uniqueness is the fraction of its words that are not covered;
its Creativity Index is the area under the L-uniqueness curve, the sum of L-uniqueness over
L = min_n … max_n (5 … 12 in the paper), so it lies in [0, max_n − min_n + 1]: 0 when every
word belongs to a corpus span of ``min_n`` words or more, the maximum when no ``min_n``-word
span of the text occurs anywhere. Only exact (verbatim) matches count; the paper's
near-verbatim (embedding) matches are not computed.

A text with no words has no uniqueness: its values are NaN. A text shorter than L words has
no span of L words, so its L-uniqueness is 1.

How matches are found follows the two-pointer idea of the paper's DJ Search: with m(i) the
number of words of the longest corpus span that starts at word i (capped at the largest L
asked for), m(i+1) ≥ m(i) − 1, so one left-to-right pass asks at most about 2n span queries.
A word is covered at L exactly when some i ≤ j < i + L has m(i) ≥ L.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

PAPER_MIN_N = 5
PAPER_MAX_N = 12


def text_words(text: str) -> list[str]:
    """The text's whitespace-separated words (``str.split``: any Unicode whitespace)."""
    if not isinstance(text, str):
        raise TypeError(f"expected a text string, got {type(text).__name__}")
    return text.split()


def _check_length(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def longest_matches(words: Sequence[str], cap: int, occurs) -> np.ndarray:
    """m(i) for every word i: the longest span from i (at most ``cap`` words) that occurs.

    ``occurs(span)`` answers whether the word list ``span`` occurs in the corpus; it must be
    monotone (a span occurs only if its prefixes do), which holds for verbatim matching.
    """
    n = len(words)
    lengths = np.zeros(n, dtype=np.int64)
    k = 0
    for i in range(n):
        k = max(k - 1, 0)  # the previous span minus its first word occurs too
        while k < cap and i + k < n and occurs(words[i : i + k + 1]):
            k += 1
        lengths[i] = k
    return lengths


def uniqueness_from_matches(lengths: np.ndarray, length: int) -> float:
    """L-uniqueness from the longest-match lengths m(i) (which must be capped at ≥ L)."""
    n = len(lengths)
    if n == 0:
        return math.nan
    starts = (lengths >= length).astype(np.int64)
    # word j is covered when a qualifying span starts in (j - L, j]
    window = np.cumsum(starts)
    earlier = np.concatenate([np.zeros(length, dtype=np.int64), window[:-length]])[:n]
    covered = (window - earlier) > 0
    return float(1.0 - covered.sum() / n)


class NgramIndex(ABC):
    """A reference corpus that can say whether a word span occurs in it verbatim."""

    @abstractmethod
    def occurs(self, words: Sequence[str]) -> bool:
        """Whether the words, in order and separated by single spaces, occur in the corpus."""

    def match_lengths(self, text: str, cap: int) -> np.ndarray:
        return longest_matches(text_words(text), _check_length("cap", cap), self.occurs)

    def uniqueness_curve(
        self, text: str, min_n: int = PAPER_MIN_N, max_n: int = PAPER_MAX_N
    ) -> dict[int, float]:
        """L-uniqueness for every L in [min_n, max_n] (one pass over the text)."""
        min_n, max_n = _check_length("min_n", min_n), _check_length("max_n", max_n)
        if min_n > max_n:
            raise ValueError(f"min_n ({min_n}) must not exceed max_n ({max_n})")
        lengths = self.match_lengths(text, max_n)
        return {n: uniqueness_from_matches(lengths, n) for n in range(min_n, max_n + 1)}

    def uniqueness(self, text: str, L: int) -> float:  # "L" as in the paper
        """Fraction of the text's words not covered by any corpus span of ≥ L words."""
        L = _check_length("L", L)
        return uniqueness_from_matches(self.match_lengths(text, L), L)

    def creativity_index(
        self, text: str, min_n: int = PAPER_MIN_N, max_n: int = PAPER_MAX_N
    ) -> float:
        """Sum of L-uniqueness over L = min_n … max_n (NaN for a text with no words)."""
        return creativity_from_curve(self.uniqueness_curve(text, min_n, max_n))


def creativity_from_curve(curve: dict[int, float]) -> float:
    """The area under an L-uniqueness curve: the sum of its values."""
    return float(sum(curve.values()))
