"""Set-up checks of the ProRL trainer that need no Ray: which worker runs, and refusals."""

from pathlib import Path

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


def test_a_reset_under_fsdp1_is_refused_at_start():
    trainer = trainer_for(
        "actor_rollout_ref.actor.strategy=fsdp", "actor_rollout_ref.ref.strategy=fsdp"
    )
    with pytest.raises(ValueError, match="needs FSDP2.*this run has"):
        trainer._init_resource_pool_mgr()


class WorkersSeeing:
    """Stands in for verl's worker group: each rank answers (host, sees the file)."""

    def __init__(self, *answers):
        self.answers = answers

    def sees_file(self, path):
        assert Path(path).exists()  # written before the question
        return list(self.answers)


def test_a_run_dir_some_node_cannot_see_is_an_error(tmp_path):
    trainer = trainer_for()
    trainer.run_dir = tmp_path
    trainer.actor_rollout_wg = WorkersSeeing(("node-a", True), ("node-b", False), ("node-b", False))
    with pytest.raises(RuntimeError, match=r"not on storage every node sees: node-b cannot see"):
        trainer._check_run_dir_is_shared()
    assert list(tmp_path.iterdir()) == []  # the probe file is gone
    trainer.actor_rollout_wg = WorkersSeeing(("node-a", True), ("node-b", True))
    trainer._check_run_dir_is_shared()


def test_per_domain_validation_counts_failed_rollouts_as_verl_does():
    """Prompt u2 asked for 2 samples and got 1: like verl's per-source metrics, the domain
    metric counts the missing one as wrong. Hand-computed: math u1 (1+1)/2, u2 (1+0)/2 ->
    0.75; code u3 (0+1)/2 -> 0.5; all three prompts -> (1 + 0.5 + 0.5) / 3."""
    trainer = trainer_for()
    sources = ["prorl/math/a", "prorl/math/a", "prorl/math/a", "prorl/code/b", "prorl/code/b"]
    uids = ["u1", "u1", "u2", "u3", "u3"]
    infos = {
        "acc": [1.0, 1.0, 1.0, 0.0, 1.0],
        "reward": [1.0, 1.0, 1.0, 0.0, 1.0],
        "domain": ["math", "math", "math", "code", "code"],
    }
    expected = {(s, u): 2 for s, u in set(zip(sources, uids, strict=True))}
    metrics = trainer._val_metrics_update(sources, uids, infos, [], expected_acc_counts=expected)
    assert metrics["val-core/domain/math/acc/mean@2"] == pytest.approx(0.75)
    assert metrics["val-core/domain/code/acc/mean@2"] == pytest.approx(0.5)
    assert metrics["val-core/domain/all/acc/mean@2"] == pytest.approx(2 / 3)
