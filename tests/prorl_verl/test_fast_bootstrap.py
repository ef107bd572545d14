"""The vectorised validation bootstrap gives verl's numbers, bit for bit, and leaves NumPy's
global random state where verl's leaves it."""

from functools import partial

import numpy as np
import pytest
from verl.trainer.ppo import metric_utils

from prorl_verl import fast_bootstrap
from prorl_verl.fast_bootstrap import VERL_BOOTSTRAP, bootstrap_metric


def datasets():
    rng = np.random.default_rng(7)
    for n in (2, 3, 4, 5, 8, 16):
        yield [float(x) for x in rng.random(n)]
        yield [bool(x) for x in rng.integers(0, 2, n)]
        yield [int(x) for x in rng.integers(-3, 4, n)]
        yield [float(x) for x in rng.integers(0, 2, n)]  # acc-like 0.0 / 1.0
        yield list(rng.random(n).astype(np.float32))  # NumPy scalars


@pytest.mark.parametrize("fns", [[np.max, np.min], [np.max], [np.min]])
def test_same_numbers_as_verls_loop(fns):
    for data in datasets():
        for subset in sorted({2, len(data) // 2 or 1, len(data)}):
            ours = bootstrap_metric(data, subset, fns, n_bootstrap=1000, seed=42)
            verls = VERL_BOOTSTRAP(data, subset, fns, n_bootstrap=1000, seed=42)
            assert ours == verls, (data, subset)


def test_numpy_random_state_afterwards_is_verls():
    data = [0.0, 1.0, 1.0, 0.0]
    VERL_BOOTSTRAP(data, 4, [np.max, np.min], seed=3)
    after_verl = np.random.random(5)
    bootstrap_metric(data, 4, [np.max, np.min], seed=3)
    assert np.array_equal(np.random.random(5), after_verl)


def test_hand_computed_values():
    # constant data: every resample's best and worst is the constant
    assert bootstrap_metric([1.0] * 4, 4, [np.max, np.min]) == [(1.0, 0.0), (1.0, 0.0)]
    # {0, 1}, k = 2: max is 1 unless both draws are 0 (probability 1/4) -> about 0.75
    (best, best_std), (worst, _) = bootstrap_metric([0.0, 1.0], 2, [np.max, np.min])
    assert best == pytest.approx(0.75, abs=0.04)
    assert worst == pytest.approx(0.25, abs=0.04)
    assert best_std == pytest.approx(np.sqrt(best * (1 - best)))


@pytest.mark.parametrize(
    "data, fns",
    [
        ([0.5, float("nan"), 1.0], [np.max, np.min]),
        ([1.0, float("inf")], [np.max]),
        (
            [{"val": 1.0, "pred": "a"}, {"val": 0.0, "pred": "b"}, {"val": 0.0, "pred": "b"}],
            [partial(metric_utils.calc_maj_val, vote_key="pred", val_key="val")],
        ),
        ([1.0, 0.0], [np.mean]),
    ],
)
def test_everything_else_is_verls_own(data, fns):
    ours = bootstrap_metric(data, 2, fns, n_bootstrap=200, seed=1)
    verls = VERL_BOOTSTRAP(data, 2, fns, n_bootstrap=200, seed=1)
    np.testing.assert_equal(ours, verls)


def test_process_validation_metrics_unchanged_once_installed(monkeypatch):
    """The function verl's trainer calls, on a validation shaped like ProRL's: several
    reward fields, a string field, a missing value, a prompt whose rollout failed."""
    rng = np.random.default_rng(0)
    prompts, n = 12, 4
    sources = ["a" if p < 6 else "b" for p in range(prompts) for _ in range(n)]
    uids = [f"u{p}" for p in range(prompts) for _ in range(n)]
    acc = [float(x) for x in rng.integers(0, 2, prompts * n)]
    infos = {
        "acc": acc,
        "score": [a * 2 - 1 for a in acc],
        "truncated": [float(x) for x in rng.integers(0, 2, prompts * n)],
        "domain": ["math"] * (prompts * n),
        "timeout": [0.0] * (prompts * n),
        "pred": [str(x) for x in rng.integers(0, 3, prompts * n)],
    }
    infos["score"][5] = None
    expected = {("a", "u0"): n + 1}
    verls = metric_utils.process_validation_metrics(
        sources, uids, infos, expected_acc_counts=expected
    )
    monkeypatch.setattr(metric_utils, "bootstrap_metric", metric_utils.bootstrap_metric)
    fast_bootstrap.install()
    assert metric_utils.bootstrap_metric is bootstrap_metric
    ours = metric_utils.process_validation_metrics(
        sources, uids, infos, expected_acc_counts=expected
    )
    assert ours == verls
    assert "best@4/mean" in ours["a"]["acc"] and "maj@4/mean" in ours["a"]["acc"]
