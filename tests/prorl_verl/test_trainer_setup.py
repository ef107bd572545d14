"""Set-up checks of the ProRL trainer that need no Ray: which worker runs, and refusals."""

import pytest
from verl.trainer.ppo.utils import Role

from prorl_verl import launch
from prorl_verl.reset.policy import ResetConfig, ResetPolicy
from prorl_verl.reset.worker import ProRLActorRolloutRefWorker
from prorl_verl.trainer import ProRLTrainer


def trainer_for(*overrides: str) -> ProRLTrainer:
    config = launch.compose_stage("demo_stage2", list(overrides))
    trainer = ProRLTrainer.__new__(ProRLTrainer)  # up to the resource pools; no Ray needed
    trainer.config = config
    trainer.reset_policy = ResetPolicy(
        ResetConfig.from_mapping(config.prorl.reset, stage="demo_stage2")
    )
    return trainer


def test_full_fine_tuning_gets_the_worker_with_the_reset_rpc():
    trainer = trainer_for()
    trainer._init_resource_pool_mgr()
    worker = trainer.role_worker_mapping[Role.ActorRolloutRef]
    assert worker.__ray_actor_class__ is ProRLActorRolloutRefWorker


def test_lora_whose_reference_is_the_base_model_cannot_be_reset():
    trainer = trainer_for("actor_rollout_ref.model.lora.rank=8")
    with pytest.raises(ValueError, match="no reference model beside the actor"):
        trainer._init_resource_pool_mgr()
