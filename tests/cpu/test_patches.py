"""The replay buffer of verl's sync trainer polls for finished rollouts fast in CPU mode."""

from types import SimpleNamespace

import pytest
from verl.trainer.ppo.v1.trainer_base import PPOTrainer

from prorl_verl.cpu import patches
from prorl_verl.launch import compose_stage


def build_replay_buffer():
    """The demo recipe's replay buffer, built by verl's own ``PPOTrainer._build_replay_buffer``."""
    trainer = SimpleNamespace(
        config=compose_stage("demo_stage1", []),
        trainer_mode="sync",
        _add_prompts_to_generate=lambda n: None,
    )
    trainer._resolve_filter_groups_metric = lambda: PPOTrainer._resolve_filter_groups_metric(
        trainer
    )
    return PPOTrainer._build_replay_buffer(trainer)


@pytest.fixture
def restore_trainer(monkeypatch):
    monkeypatch.setattr(PPOTrainer, "_build_replay_buffer", PPOTrainer._build_replay_buffer)


def test_verl_polls_every_two_seconds_without_the_patch():
    # this test process is not in CPU mode: verl 0.9.1's default is untouched
    assert build_replay_buffer().poll_interval == 2.0


def test_cpu_mode_polls_every_fifty_milliseconds(restore_trainer):
    patches._fast_replay_buffer_poll()
    buffer = build_replay_buffer()
    assert type(buffer).__name__ == "ReplayBuffer"
    assert buffer.poll_interval == 0.05
