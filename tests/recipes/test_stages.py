"""The stage recipes encode the paper's schedule (§3.2, Appendix E) and chain into each other.

Expected values are the paper's numbers, written here independently of the YAML files.
"""

import functools

import pytest
from omegaconf import OmegaConf

from prorl_verl import launch

STAGES = [f"stage{i}" for i in range(1, 9)]
# stage: (rollouts per prompt, max response tokens, instruction following, no-EOS penalty, reset at start)
SCHEDULE = {
    "stage1": (16, 8192, False, False, False),
    "stage2": (16, 8192, False, False, True),
    "stage3": (16, 8192, True, False, False),
    "stage4": (16, 8192, True, True, False),
    "stage5": (16, 8192, True, True, True),
    "stage6": (32, 8192, True, True, True),
    "stage7": (32, 8192, True, True, True),
    "stage8": (16, 16384, True, True, False),
}


def resolved(stage: str, *overrides: str):
    config = launch.compose_stage(stage, list(overrides))
    return OmegaConf.to_container(config, resolve=True), config


@functools.cache
def settings(stage: str) -> dict:
    """The resolved config of a stage, composed once per test session (read-only use)."""
    return resolved(stage)[0]


@pytest.mark.parametrize("stage", STAGES + ["demo_stage1", "demo_stage2"])
def test_every_stage_passes_verls_own_validation(stage):
    _, config = resolved(stage)
    launch.validate(config)


@pytest.mark.parametrize("stage", STAGES)
def test_settings_shared_by_all_stages_are_the_papers(stage):
    c = settings(stage)
    actor, rollout = c["actor_rollout_ref"]["actor"], c["actor_rollout_ref"]["rollout"]
    assert c["algorithm"]["adv_estimator"] == "grpo"
    assert (actor["clip_ratio_low"], actor["clip_ratio_high"]) == (0.2, 0.4)
    assert c["algorithm"]["filter_groups"]["enable"] is True
    assert (
        actor["use_kl_loss"] is True
        and actor["kl_loss_type"] == "low_var_kl"
        and actor["kl_loss_coef"] > 0
    )
    assert c["algorithm"]["use_kl_in_reward"] is False
    assert rollout["temperature"] == 1.2
    assert c["data"]["train_batch_size"] == 256
    assert actor["ppo_mini_batch_size"] == 64  # 256 / 64 = 4 policy updates per step
    assert actor["optim"]["optimizer"] == "AdamW"
    assert actor["optim"]["lr"] == 2e-6 and actor["optim"]["lr_scheduler_type"] == "constant"
    assert c["actor_rollout_ref"]["model"]["path"] == "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"
    assert (c["trainer"]["nnodes"], c["trainer"]["n_gpus_per_node"]) == (4, 8)
    assert c["data"]["val_files"] == "data/blend/val.parquet"
    assert c["trainer"]["test_freq"] > 0 and c["trainer"]["save_freq"] > 0
    assert c["reward"]["reward_manager"]["name"] == "prorl"
    # evaluation settings (paper §3.4) for validation
    assert (rollout["val_kwargs"]["temperature"], rollout["val_kwargs"]["top_p"]) == (0.6, 0.95)


@pytest.mark.parametrize("stage", STAGES)
def test_what_each_stage_changes(stage):
    n, response, instruction_following, penalty, reset = SCHEDULE[stage]
    c = settings(stage)
    assert c["actor_rollout_ref"]["rollout"]["n"] == n
    assert c["data"]["max_response_length"] == response
    blend = "train_stage3" if instruction_following else "train_stage1"
    assert c["data"]["train_files"] == f"data/blend/{blend}.parquet"
    no_eos = c["reward"]["reward_kwargs"]["no_eos_penalty"]
    assert (no_eos is not None and no_eos > 0) == penalty
    assert c["prorl"]["reset"]["at_stage_start"] is reset
    assert c["trainer"]["experiment_name"] == stage
    previous = None if stage == "stage1" else f"stage{int(stage[-1]) - 1}"
    assert c["prorl"]["previous_stage"] == previous


def test_hydra_overrides_reach_the_config():
    c, _ = resolved("stage3", "trainer.nnodes=2", "actor_rollout_ref.rollout.n=8")
    assert c["trainer"]["nnodes"] == 2 and c["actor_rollout_ref"]["rollout"]["n"] == 8


def fake_checkpoint(root, stage: str, step: int):
    checkpoints = root / stage / "checkpoints"
    (checkpoints / f"global_step_{step}" / "actor").mkdir(parents=True)
    (checkpoints / "latest_checkpointed_iteration.txt").write_text(str(step))
    return checkpoints / f"global_step_{step}"


def test_stage_starts_from_the_previous_stages_final_checkpoint(tmp_path):
    final = fake_checkpoint(tmp_path, "stage3", 730)
    _, config = resolved("stage4", f"prorl.runs_root={tmp_path}")
    start = launch.resolve_start(config, None)
    launch.apply_start(config, start)
    assert config.trainer.resume_mode == "resume_path"
    assert config.trainer.resume_from_path == str(final.resolve())
    assert config.trainer.total_training_steps == 730 + config.prorl.stage_steps
    assert str(final.resolve()) in start.note


def test_a_stage_with_its_own_checkpoint_resumes_itself(tmp_path):
    fake_checkpoint(tmp_path, "stage1", 250)
    fake_checkpoint(tmp_path, "stage2", 300)
    (tmp_path / "stage2" / launch.STAGE_START_FILE).write_text('{"step": 250, "from": ""}')
    _, config = resolved("stage2", f"prorl.runs_root={tmp_path}")
    start = launch.resolve_start(config, None)
    launch.apply_start(config, start)
    own = tmp_path / "stage2" / "checkpoints" / "global_step_300"
    assert config.trainer.resume_from_path == str(own.resolve())
    assert config.prorl.starts_from_checkpoint is None  # a resume, not a new stage
    assert config.trainer.total_training_steps == 250 + config.prorl.stage_steps


def test_a_resume_without_stage_start_json_takes_the_previous_stages_final_step(tmp_path):
    fake_checkpoint(tmp_path, "stage3", 730)
    fake_checkpoint(tmp_path, "stage4", 760)  # stage 4 started at 730; its record was lost
    _, config = resolved("stage4", f"prorl.runs_root={tmp_path}")
    start = launch.resolve_start(config, None)
    launch.apply_start(config, start)
    assert config.trainer.total_training_steps == 730 + config.prorl.stage_steps
    assert "stage_start.json missing" in start.note and "730" in start.note


def test_a_first_stage_without_stage_start_json_started_at_zero(tmp_path):
    fake_checkpoint(tmp_path, "stage1", 20)
    _, config = resolved("stage1", f"prorl.runs_root={tmp_path}")
    launch.apply_start(config, launch.resolve_start(config, None))
    assert config.trainer.total_training_steps == config.prorl.stage_steps


@pytest.mark.parametrize("stage", STAGES)
def test_actor_and_reference_use_fsdp2(stage):
    # the reset copies shards between them, which FSDP1 cannot do (prorl_verl.reset.worker)
    c = settings(stage)["actor_rollout_ref"]
    assert c["actor"]["strategy"] == "fsdp2" and c["ref"]["strategy"] == "fsdp2"


def test_the_watched_validation_key_follows_the_number_of_validation_samples():
    c, _ = resolved("stage2", "actor_rollout_ref.rollout.val_kwargs.n=4")
    assert c["prorl"]["reset"]["val_metric"] == "val-core/domain/all/acc/mean@4"
    assert settings("stage2")["prorl"]["reset"]["val_metric"] == "val-core/domain/all/acc/mean@1"


def test_missing_previous_checkpoint_says_where_it_looked(tmp_path, capsys):
    code = launch.main(["stage2", f"prorl.runs_root={tmp_path}"])
    assert code == 2
    out = capsys.readouterr().out
    assert str(tmp_path / "stage1" / "checkpoints" / "latest_checkpointed_iteration.txt") in out


def test_init_from_a_given_checkpoint(tmp_path):
    given = fake_checkpoint(tmp_path / "elsewhere", "x", 40)
    _, config = resolved("stage5", f"prorl.runs_root={tmp_path}")
    launch.apply_start(config, launch.resolve_start(config, str(given)))
    assert config.trainer.resume_from_path == str(given.resolve())
    assert config.trainer.total_training_steps == 40 + config.prorl.stage_steps


def test_dry_run_prints_yaml_without_starting_ray(tmp_path, capsys):
    import ray

    assert launch.main(["stage1", f"prorl.runs_root={tmp_path}", "--dry-run"]) == 0
    out = capsys.readouterr().out
    printed = OmegaConf.create(out[out.index("\n# ") :])  # after verl's validation message
    assert printed.actor_rollout_ref.actor.clip_ratio_high == 0.4
    assert not ray.is_initialized()
