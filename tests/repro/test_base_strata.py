"""Prompts grouped by half of the base's samples, compared on the other half: hand-computed
cases, and a model compared with itself shows no gain where a naive grouping would."""

from pathlib import Path

import numpy as np
import pytest

from prorl_verl.eval.passk import pass_at_k
from prorl_verl.repro.base_strata import STRATA, held_out_size, strata, stratum_of
from prorl_verl.repro.results import PromptCounts


def counts(pairs, index=None) -> PromptCounts:
    samples, correct = (np.array(column) for column in zip(*pairs, strict=True))
    index = np.arange(len(pairs)) if index is None else np.array(index)
    return PromptCounts(Path("scores.csv"), index, samples, correct)


def by_label(result):
    return {s.label: s for s in result}


def test_strata_bounds():
    fractions = np.array([0.0, 0.1, 0.25, 0.5, 0.75, 1.0])
    assert [STRATA[i] for i in stratum_of(fractions)] == [
        "never",
        "under 1/4",
        "1/4 to 3/4",
        "1/4 to 3/4",
        "3/4 or more",
        "3/4 or more",
    ]


def test_hand_computed_split_of_four_samples():
    # base: prompt A 0 of 4 correct, prompt B 1 of 4. Halves of 2.
    # A: its half is always 0 of 2 -> "never"; held-out half 0 of 2.
    # B: P(0 of its half) = C(3,2)/C(4,2) = 1/2 -> "never", held-out 1 of 2 (pass@1 1/2, pass@2 1);
    #    P(1 of its half) = 1/2 -> fraction 1/2, "1/4 to 3/4", held-out 0 of 2.
    # trained: A 2 of 4 (pass@1 1/2, pass@2 1 - C(2,2)/C(4,2) = 5/6), B 4 of 4.
    base = counts([(4, 0), (4, 1)])
    trained = counts([(4, 2), (4, 4)])
    at1 = by_label(strata(base, trained, 1))
    assert at1["never"].prompts == pytest.approx(1.5)
    assert at1["never"].base == pytest.approx((1 * 0 + 0.5 * 0.5) / 1.5)
    assert at1["never"].trained == pytest.approx((1 * 0.5 + 0.5 * 1.0) / 1.5)
    assert at1["1/4 to 3/4"].prompts == pytest.approx(0.5)
    assert (at1["1/4 to 3/4"].base, at1["1/4 to 3/4"].trained) == pytest.approx((0.0, 1.0))
    assert at1["under 1/4"].prompts == 0 and np.isnan(at1["under 1/4"].base)
    at2 = by_label(strata(base, trained, 2))
    assert at2["never"].base == pytest.approx((1 * 0 + 0.5 * 1.0) / 1.5)
    assert at2["never"].trained == pytest.approx((1 * 5 / 6 + 0.5 * 1.0) / 1.5)
    assert sum(s.prompts for s in strata(base, trained, 1)) == pytest.approx(2)


def test_prompts_are_matched_by_index_not_by_row():
    base = counts([(4, 0), (4, 4)], index=[7, 3])
    trained = counts([(4, 4), (4, 0)], index=[7, 3])  # row order differs from the base's
    result = by_label(strata(base, trained, 1))
    assert result["never"].trained == pytest.approx(1.0)
    assert result["3/4 or more"].trained == pytest.approx(0.0)


def test_bad_inputs_say_what_is_wrong():
    with pytest.raises(ValueError, match="different prompts"):
        strata(counts([(4, 0)], index=[0]), counts([(4, 0)], index=[1]), 1)
    with pytest.raises(ValueError, match="k=3"):
        strata(counts([(4, 0)]), counts([(4, 0)]), 3)  # held-out half has 2 samples
    assert held_out_size(counts([(64, 3), (63, 3)])) == 32


def test_a_model_compared_with_itself_gains_nothing_in_any_stratum():
    # The "trained" model is the base itself, sampled again. A naive grouping by all the
    # base's samples shows a large spurious gain on "never solved" prompts (regression to the
    # mean); the split-half comparison shows none.
    rng = np.random.default_rng(0)
    true_rate = rng.beta(0.5, 1.5, size=4000)
    base = counts([(64, c) for c in rng.binomial(64, true_rate)])
    again = counts([(64, c) for c in rng.binomial(64, true_rate)])
    for k in (1, 32):
        for stratum in strata(base, again, k):
            assert stratum.prompts > 100
            assert stratum.trained - stratum.base == pytest.approx(0, abs=0.02), stratum
    never = base.correct == 0
    naive_base = float(np.mean(pass_at_k(64, base.correct[never], 32)))
    naive_again = float(np.mean(pass_at_k(64, again.correct[never], 32)))
    assert naive_base == 0 and naive_again > 0.1
