"""verl's own GRPO, clip-higher and k3 functions behave as the ProRL recipe relies on.

The recipe sets keys, not code, for these three techniques; these tests pin what the keys
buy against values computed by hand from the formulas.
"""

import math

import numpy as np
import pytest
import torch
from verl.trainer.ppo.core_algos import (
    compute_grpo_outcome_advantage,
    compute_policy_loss_vanilla,
    kl_penalty,
)
from verl.workers.config import FSDPActorConfig


def test_grpo_advantages_are_group_z_scores():
    # Two groups: rewards (1, 0, 0, 1) and (0.5, 0.5, 1.0); the reward sits on the last token.
    rewards = [1.0, 0.0, 0.0, 1.0, 0.5, 0.5, 1.0]
    token_level = torch.zeros(len(rewards), 3)
    token_level[:, -1] = torch.tensor(rewards)
    mask = torch.ones(len(rewards), 3)
    index = np.array(["a", "a", "a", "a", "b", "b", "b"], dtype=object)

    advantages, _ = compute_grpo_outcome_advantage(token_level, mask, index, epsilon=1e-6)

    # group a: mean 0.5, sample std sqrt(1/3) -> +-0.5/0.57735 = +-0.866025
    # group b: mean 2/3, sample std sqrt(((1/6)^2*2 + (1/3)^2)/2) = 0.288675
    expected = [0.866025, -0.866025, -0.866025, 0.866025, -0.577350, -0.577350, 1.154701]
    assert advantages[:, 0].tolist() == pytest.approx(expected, abs=1e-4)
    # the advantage is broadcast to every response token
    assert torch.equal(advantages[:, 0], advantages[:, 2])


def _policy_loss_per_token(ratio: float, advantage: float, clip_high: float) -> float:
    config = FSDPActorConfig(
        strategy="fsdp",
        ppo_mini_batch_size=1,
        ppo_micro_batch_size_per_gpu=1,
        rollout_n=1,
        clip_ratio_low=0.2,
        clip_ratio_high=clip_high,
    )
    old = torch.zeros(1, 1)
    new = torch.full((1, 1), math.log(ratio))
    loss, _ = compute_policy_loss_vanilla(
        old, new, torch.full((1, 1), advantage), torch.ones(1, 1), "token-mean", config
    )
    return float(loss)


@pytest.mark.parametrize("ratio", [0.5, 0.9, 1.1, 1.19, 1.25, 1.35, 1.39, 1.45, 2.0])
@pytest.mark.parametrize("advantage", [1.0, -1.0])
def test_clip_higher_changes_loss_only_where_the_formula_says(ratio, advantage):
    low = _policy_loss_per_token(ratio, advantage, clip_high=0.2)
    high = _policy_loss_per_token(ratio, advantage, clip_high=0.4)
    # PPO: loss = max(-A r, -A clip(r, 1-0.2, 1+eps_high)).
    expected_low = max(-advantage * ratio, -advantage * min(max(ratio, 0.8), 1.2))
    expected_high = max(-advantage * ratio, -advantage * min(max(ratio, 0.8), 1.4))
    assert low == pytest.approx(expected_low, rel=1e-5)
    assert high == pytest.approx(expected_high, rel=1e-5)
    differs = advantage > 0 and 1.2 < ratio
    assert (abs(low - high) > 1e-6) == differs
    if differs:
        # a positive-advantage token may now push its ratio up to 1.4 (and no further)
        assert high == pytest.approx(-min(ratio, 1.4), rel=1e-5)


def test_low_var_kl_is_the_k3_estimator():
    logp = torch.tensor([-1.0, -2.0, -0.1, -3.0])
    ref = torch.tensor([-1.0, -1.5, -0.4, -0.5])
    # k3 (Schulman 2020): exp(ref - logp) - (ref - logp) - 1
    expected = [
        math.exp(r - p) - (r - p) - 1 for p, r in zip(logp.tolist(), ref.tolist(), strict=True)
    ]
    got = kl_penalty(logp, ref, "low_var_kl")
    assert got.tolist() == pytest.approx(expected, rel=1e-5)
    assert got[0] == 0.0  # identical policies: no KL, as right after a reference reset
