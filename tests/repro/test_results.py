"""The numbers the report rests on, against hand-computed values."""

import math

import pytest

from prorl_verl.repro import results as R


def test_spread_is_mean_and_sample_standard_deviation():
    spread = R.Spread.of([1.0, 2.0, 3.0])
    assert (spread.mean, spread.std, spread.n) == (2.0, 1.0, 3)
    assert math.isnan(R.Spread.of([0.5]).std)


def test_verdict_is_a_paired_t_test_over_at_least_three_seeds():
    # mean 0.11, std 0.01 -> s.e. 0.0058; t(0.975, 2) = 4.303 -> 95% CI ± 0.0248: excludes 0
    shown = R.verdict(R.Spread.of([0.10, 0.11, 0.12]))
    assert shown == "shown: higher by 0.110 (95% CI ± 0.025)"
    assert R.verdict(R.Spread.of([-0.10, -0.11, -0.12])).startswith("shown: lower")
    # mean 0.1167, std 0.0764 -> s.e. 0.0441: beyond two s.e. (0.088), inside the t interval
    # (4.303 x 0.0441 = 0.190), so three seeds this scattered do not show it
    assert R.verdict(R.Spread.of([0.05, 0.10, 0.20])) == (
        "not shown at this scale (|mean| 0.117 <= 95% CI ± 0.190)"
    )
    # with ten seeds of the same scatter the interval narrows: t(0.975, 9) = 2.262
    assert R.verdict(R.Spread.of([0.05, 0.10, 0.20] * 3 + [0.1167])).startswith("shown")
    assert R.verdict(R.Spread.of([0.1, -0.1, 0.05])).startswith("not shown at this scale")
    assert R.verdict(R.Spread.of([0.3])).startswith("not shown at this scale (1 seed(s)")
    assert R.verdict(R.Spread.of([0.3, 0.31])).startswith("not shown at this scale (2 seed(s)")


def test_t_critical_values_match_the_table():
    # Student's t two-sided 95% quantiles from any statistics table
    assert abs(R.t_critical(0.95, 2) - 4.303) < 1e-3
    assert abs(R.t_critical(0.95, 9) - 2.262) < 1e-3
    assert abs(R.t_critical(0.90, 2) - 2.920) < 1e-3


def test_kl_share_is_the_penalty_over_the_loss_magnitude(tmp_path, write_metrics):
    write_metrics(
        tmp_path,
        {
            1: {R.PG_LOSS: -0.3, R.KL: 0.2},
            2: {R.PG_LOSS: 0.0, R.KL: 0.0},
            3: {"val-core/domain/all/acc/mean@4": 0.5},
        },
    )
    curves = R.training_curves(tmp_path, kl_coef=0.5)
    assert curves[1][R.KL_SHARE] == pytest.approx(0.1 / (0.3 + 0.1))
    assert curves[2][R.KL_SHARE] == 0.0
    assert R.KL_SHARE not in curves[3]  # a validation-only step has no loss


def test_late_mean_takes_the_last_quarter():
    steps = {s: {"x": float(s)} for s in range(1, 9)}
    assert R.late_mean(steps, "x") == pytest.approx((7 + 8) / 2)
    assert R.late_mean(steps, "x", fraction=1.0) == pytest.approx(4.5)


def test_second_half_gain_compares_the_last_quarter_with_the_quarter_before_the_middle():
    rising = {s: {"x": float(s)} for s in range(1, 9)}  # quarters: 1-2, 3-4, 5-6, 7-8
    assert R.second_half_gain(rising, "x") == pytest.approx(7.5 - 3.5)
    # risen early, flat from the second quarter on: a plateau reads zero however high it got
    plateau = {s: {"x": 0.0 if s <= 2 else 1.0} for s in range(1, 9)}
    assert R.second_half_gain(plateau, "x") == 0.0
    still_rising_at_the_middle = {s: {"x": min(s, 4) / 4} for s in range(1, 9)}
    assert R.second_half_gain(still_rising_at_the_middle, "x") == pytest.approx(1 - 0.875)
    # only steps that logged the key count: validations every other step
    sparse = {s: ({"x": float(s)} if s % 2 == 0 else {"y": 1.0}) for s in range(1, 17)}
    assert R.second_half_gain(sparse, "x") == pytest.approx((14 + 16) / 2 - (6 + 8) / 2)
    with pytest.raises(ValueError, match="3 points, at least 4"):
        R.second_half_gain({1: {"x": 0}, 2: {"x": 1}, 3: {"x": 2}}, "x")


def test_pass_at_k_from_per_prompt_counts(tmp_path, write_scores):
    # n = 4: c = 0, 1, 4. pass@2 for c = 1 is 1 - C(3,2)/C(4,2) = 1/2
    write_scores(tmp_path, "m", "s", [(4, 0), (4, 1), (4, 4)])
    assert R.pass_at_ks(tmp_path, "m", "s") == pytest.approx(
        {1: (0 + 0.25 + 1) / 3, 2: (0 + 0.5 + 1) / 3, 4: (0 + 1 + 1) / 3}
    )


def test_missing_scores_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="scores/m/s.csv"):
        R.pass_at_ks(tmp_path, "m", "s")
