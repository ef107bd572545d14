"""Where the base is weak and where it is strong, prompt by prompt (paper §4: RL widens the
boundary where the base struggles and narrows it where the base is already good).

Grouping prompts by the base's score and then comparing the base with the trained model on
the same samples would favour the trained model: prompts land in "never solved" partly by bad
luck, and any second look, even at the base itself, solves some of them (regression to the
mean). So the base's samples are split in two halves: one half decides a prompt's stratum, the
other half is the base's score in it. With per-prompt counts only, the split is taken in
expectation over every way of choosing the half: with n samples of which c are correct, the
number correct in the classifying half of h = n // 2 is hypergeometric. The trained model's
samples are independent of the split and are scored on all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import hypergeom

from prorl_verl.eval.passk import pass_at_k
from prorl_verl.repro.results import PromptCounts

#: strata by the fraction of the classifying half the base solved: 0, (0, 1/4), [1/4, 3/4), [3/4, 1]
STRATA = ("never", "under 1/4", "1/4 to 3/4", "3/4 or more")


def stratum_of(fractions: np.ndarray) -> np.ndarray:
    """Index into ``STRATA`` of each solved fraction."""
    return np.where(fractions == 0, 0, 1 + np.searchsorted([0.25, 0.75], fractions, side="right"))


@dataclass(frozen=True)
class Stratum:
    """One stratum's prompts (expected number, over splits) and mean pass@k in it."""

    label: str
    prompts: float
    base: float  # the base's held-out half
    trained: float  # all of the trained model's samples


def held_out_size(base: PromptCounts) -> int:
    """Samples in the base's held-out half: the largest k the comparison can use."""
    return int(np.min(base.samples - base.samples // 2))


def _aligned(base: PromptCounts, trained: PromptCounts) -> np.ndarray:
    """Row of ``trained`` for each row of ``base``; both must hold the same prompts."""
    if sorted(base.index.tolist()) != sorted(trained.index.tolist()):
        raise ValueError(f"{base.path} and {trained.path} score different prompts")
    row_of = {int(index): row for row, index in enumerate(trained.index)}
    return np.array([row_of[int(index)] for index in base.index])


def strata(base: PromptCounts, trained: PromptCounts, k: int) -> list[Stratum]:
    """pass@k of the base (held-out half) and of ``trained`` in each stratum of ``STRATA``."""
    if not 1 <= k <= min(held_out_size(base), int(np.min(trained.samples))):
        raise ValueError(f"k={k}: the base's held-out half and the trained model need k samples")
    rows = _aligned(base, trained)
    trained_pass = pass_at_k(trained.samples[rows], trained.correct[rows], k)
    weight = np.zeros(len(STRATA))
    base_sum = np.zeros(len(STRATA))
    trained_sum = np.zeros(len(STRATA))
    for n, c, t in zip(base.samples.tolist(), base.correct.tolist(), trained_pass, strict=True):
        half = n // 2
        in_half = np.arange(max(0, c - (n - half)), min(c, half) + 1)
        chance = hypergeom.pmf(in_half, n, c, half)
        held_out = pass_at_k(np.full_like(in_half, n - half), c - in_half, k)
        stratum = stratum_of(in_half / half)
        np.add.at(weight, stratum, chance)
        np.add.at(base_sum, stratum, chance * held_out)
        np.add.at(trained_sum, stratum, chance * t)
    with np.errstate(invalid="ignore", divide="ignore"):
        base_mean, trained_mean = base_sum / weight, trained_sum / weight
    return [
        Stratum(label, float(w), float(b), float(t))
        for label, w, b, t in zip(STRATA, weight, base_mean, trained_mean, strict=True)
    ]
