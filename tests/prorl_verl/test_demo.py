"""The demo's before/after: the gain and its standard error, from the evaluation's scores."""

import math

import pytest

from prorl_verl.demo import paired_gain, per_problem_rates


def test_gain_and_its_standard_error_by_hand():
    # differences 0.5, 0, 0.5: mean 1/3, sample std sqrt(1/12), standard error sqrt(1/12)/sqrt(3) = 1/6
    gain = paired_gain(before=[0.0, 0.5, 0.25], after=[0.5, 0.5, 0.75])
    assert gain.before == pytest.approx(0.25)
    assert gain.after == pytest.approx(7 / 12)
    assert gain.gain == pytest.approx(1 / 3)
    assert gain.standard_error == pytest.approx(1 / 6)
    assert gain.z == pytest.approx(2.0)
    assert gain.problems == 3


def test_an_identical_shift_on_every_problem_has_no_noise():
    gain = paired_gain(before=[0.25, 0.5], after=[0.5, 0.75])
    assert gain.standard_error == 0.0
    assert math.isinf(gain.z)


def test_mismatched_or_too_few_problems_are_refused():
    with pytest.raises(ValueError, match="equal lists"):
        paired_gain([0.1, 0.2], [0.3])
    with pytest.raises(ValueError, match="2\\+"):
        paired_gain([0.1], [0.3])


def test_per_problem_rates_read_the_evaluation_scores(tmp_path):
    scores = tmp_path / "chain_sum_hard.csv"
    scores.write_text(
        "index,data_source,samples,correct,mean_score,reported_pass@1\n"
        "0,prorl/reasoning_gym/chain_sum,16,4,0.25,0.25\n"
        "1,prorl/reasoning_gym/chain_sum,16,0,0.0,0.0\n"
    )
    assert per_problem_rates(scores) == {0: 0.25, 1: 0.0}
