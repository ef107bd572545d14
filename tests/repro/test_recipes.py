"""The arms' recipes: valid for verl, alike except in the KL term and the reset triggers."""

import copy
import functools

import pytest
from omegaconf import OmegaConf

from prorl_verl import launch
from prorl_verl.repro import results as R
from prorl_verl.repro.plan import ARMS


@functools.cache
def resolved(arm: str) -> dict:
    return OmegaConf.to_container(launch.compose_stage(ARMS[arm].recipe, []), resolve=True)


@pytest.mark.parametrize("arm", sorted(ARMS))
def test_every_arm_passes_verls_own_validation(arm):
    launch.validate(launch.compose_stage(ARMS[arm].recipe, []))


@pytest.mark.parametrize("arm", sorted(ARMS))
def test_every_arm_keeps_the_papers_ingredients_on_the_cpu(arm):
    c = resolved(arm)
    actor = c["actor_rollout_ref"]["actor"]
    assert c["trainer"]["device"] == "cpu"
    assert c["algorithm"]["adv_estimator"] == "grpo"
    assert c["algorithm"]["filter_groups"]["enable"] is True
    assert (actor["clip_ratio_low"], actor["clip_ratio_high"]) == (0.2, 0.4)
    # four policy updates per step, like the paper's 256 prompts in mini-batches of 64
    assert c["data"]["train_batch_size"] // actor["ppo_mini_batch_size"] == 4
    # verl splits each mini-batch's samples into whole micro-batches (or stops with an error)
    samples = actor["ppo_mini_batch_size"] * c["actor_rollout_ref"]["rollout"]["n"]
    assert samples % actor["ppo_micro_batch_size_per_gpu"] == 0


def test_arms_differ_only_in_kl_and_reset():
    def without_arm_keys(arm):
        c = copy.deepcopy(resolved(arm))
        actor = c["actor_rollout_ref"]["actor"]
        for key in ("use_kl_loss", "kl_loss_coef"):
            actor.pop(key)
        c["prorl"].pop("reset")
        return c

    reference = without_arm_keys("kl")
    for arm in ARMS:
        assert without_arm_keys(arm) == reference, arm


def test_kl_and_reset_settings_per_arm():
    actor = {arm: resolved(arm)["actor_rollout_ref"]["actor"] for arm in ARMS}
    reset = {arm: resolved(arm)["prorl"]["reset"] for arm in ARMS}
    assert actor["no_kl"]["use_kl_loss"] is False
    for arm in ("kl", "kl_reset", "kl_plateau"):
        assert actor[arm]["use_kl_loss"] is True
        assert actor[arm]["kl_loss_coef"] == actor["kl"]["kl_loss_coef"] > 0.001
    assert reset["kl_reset"]["every_n_steps"] == 20
    assert reset["kl_plateau"]["patience"] > 0
    # the plateau trigger watches the validation metric the report plots
    n = resolved("kl_plateau")["actor_rollout_ref"]["rollout"]["val_kwargs"]["n"]
    assert reset["kl_plateau"]["val_metric"] == R.VAL_ACC == f"val-core/domain/all/acc/mean@{n}"
    for arm in ("no_kl", "kl"):
        assert not any(reset[arm][k] for k in ("at_steps", "every_n_steps", "patience"))
