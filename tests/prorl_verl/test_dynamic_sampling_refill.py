"""The refill limit (``max_refill_factor`` batches of prompts per step) and what happens past it:
``error`` stops the run naming the knobs; ``train_partial`` tells verl's buffer to stop refilling
(it then trains on the groups with signal, see the e2e test)."""

import pytest
from omegaconf import OmegaConf

from prorl_verl.dynamic_sampling.buffer import RefillExhausted
from prorl_verl.dynamic_sampling.trainer_mixin import DynamicSamplingMixin


class VerlTrainerStandIn:
    """Only what the mixin calls on verl's trainer for a refill."""

    def __init__(self, config):
        self.config = config
        self.global_steps = 7
        self.dispatched = []

    def _add_prompts_to_generate(self, num_prompts):
        self.dispatched.append(num_prompts)
        return num_prompts


class Trainer(DynamicSamplingMixin, VerlTrainerStandIn):
    pass


def trainer(**sampling) -> Trainer:
    config = OmegaConf.create(
        {
            "prorl": {"run_dir": "/nonexistent", "dynamic_sampling": sampling},
            "data": {"train_batch_size": 16},
            "algorithm": {"filter_groups": {"enable": True}},
        }
    )
    return Trainer(config)


def test_refills_up_to_the_limit_are_dispatched_and_counted():
    t = trainer(max_refill_factor=2)  # 32 prompts per step
    for n in (10, 12, 10):
        assert t._add_prompts_to_generate(n) == n
    assert t.dispatched == [10, 12, 10]
    assert (t._step.refill_rounds, t._step.refill_prompts) == (3, 32)


def test_the_refill_that_crosses_the_limit_is_trimmed_to_it():
    t = trainer(max_refill_factor=1)  # 16 prompts per step
    assert t._add_prompts_to_generate(10) == 10
    assert t._add_prompts_to_generate(10) == 6
    assert t.dispatched == [10, 6]


def test_past_the_limit_error_stops_naming_the_way_out():
    t = trainer(max_refill_factor=1)
    t._add_prompts_to_generate(16)
    with pytest.raises(
        RuntimeError, match=r"step 7.*max_refill_factor=1.0.*on_exhausted=train_partial"
    ):
        t._add_prompts_to_generate(1)
    assert t.dispatched == [16]


def test_past_the_limit_train_partial_stops_refilling_without_dispatching():
    t = trainer(max_refill_factor=1, on_exhausted="train_partial")
    t._add_prompts_to_generate(16)
    with pytest.raises(RefillExhausted):
        t._add_prompts_to_generate(1)
    assert t.dispatched == [16]


def test_unknown_on_exhausted_and_memory_without_group_filter_are_refused():
    with pytest.raises(ValueError, match="on_exhausted must be one of"):
        trainer(on_exhausted="skip")
    config = OmegaConf.create(
        {
            "prorl": {"run_dir": "/x", "dynamic_sampling": {"memory": {"enabled": True}}},
            "algorithm": {"filter_groups": {"enable": False}},
        }
    )
    with pytest.raises(ValueError, match="algorithm.filter_groups.enable=true"):
        Trainer(config)
