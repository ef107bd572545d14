"""The driver: what it launches, what counts as done, and how it stops and resumes."""

import subprocess
import sys

import pytest

from prorl_verl.repro import driver
from prorl_verl.repro.plan import EvalUnit, Study, TrainUnit

STUDY = Study(
    "t",
    ("kl",),
    (7,),
    steps=20,
    save_every=10,
    segment_steps=10,
    prolonged_arm="kl",
    eval_samples=8,
    eval_prompts=4,
)


def checkpoint(root, run, step):
    checkpoints = root / run / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    (checkpoints / "latest_checkpointed_iteration.txt").write_text(str(step))


def value(command, key):
    return next(arg.split("=", 1)[1] for arg in command if arg.startswith(f"{key}="))


def test_train_command_launches_the_arms_recipe_up_to_the_segment(tmp_path):
    unit = TrainUnit("kl", 7, 10)
    command = driver.train_command(STUDY, tmp_path, tmp_path / "model", unit, ["a.b=1"])
    assert command[:4] == [sys.executable, "-m", "prorl_verl.launch", "repro_kl"]
    assert value(command, "trainer.experiment_name") == "kl-s7"
    assert value(command, "trainer.total_training_steps") == "10"
    assert (
        value(command, "data.seed")
        == value(command, "actor_rollout_ref.actor.data_loader_seed")
        == "7"
    )
    assert value(command, "trainer.val_before_train") == "true"
    assert command[-1] == "a.b=1"
    # a resumed run does not validate again before its first new step
    checkpoint(tmp_path, "kl-s7", 10)
    resumed = driver.train_command(STUDY, tmp_path, tmp_path / "model", TrainUnit("kl", 7, 20), [])
    assert value(resumed, "trainer.val_before_train") == "false"


def test_eval_command_names_each_checkpoint_and_every_bucket(tmp_path):
    unit = EvalUnit("kl-s7", (("base", "", 0), ("kl-s7@20", "kl-s7", 20)))
    command = driver.eval_command(STUDY, tmp_path, tmp_path / "model", unit)
    models = command[command.index("--models") + 1 : command.index("--sets")]
    assert models == [
        f"base={tmp_path / 'model'}",
        f"kl-s7@20={tmp_path / 'kl-s7/checkpoints/global_step_20/actor/huggingface'}",
    ]
    sets = command[command.index("--sets") + 1 : command.index("--n")]
    assert [s.rsplit("/", 1)[1] for s in sets] == [
        "chain_sum_easy.parquet",
        "chain_sum_hard.parquet",
        "chain_sum_ood.parquet",
    ]
    assert command[command.index("--n") + 1] == "8"


def test_a_training_unit_is_done_once_its_step_is_checkpointed(tmp_path):
    assert not driver.is_done(tmp_path, TrainUnit("kl", 7, 10))
    checkpoint(tmp_path, "kl-s7", 10)
    assert driver.is_done(tmp_path, TrainUnit("kl", 7, 10))
    assert not driver.is_done(tmp_path, TrainUnit("kl", 7, 20))


def test_budget_spent_stops_before_the_next_unit(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("nothing may run"))
    assert driver.run_units(STUDY, tmp_path, tmp_path / "model", [], max_minutes=0) is False
    assert "run the same command again to continue" in capsys.readouterr().out


def test_rerun_skips_done_units_and_runs_the_rest(tmp_path, monkeypatch):
    checkpoint(tmp_path, "kl-s7", 20)
    marker = driver.eval_marker(tmp_path, "base")
    marker.parent.mkdir(parents=True)
    marker.write_text("{}")
    launched = []
    monkeypatch.setattr(subprocess, "run", lambda command, check: launched.append(command))
    assert driver.run_units(STUDY, tmp_path, tmp_path / "model", []) is True
    # only the run's evaluation was left; it is marked done afterwards
    assert len(launched) == 1 and launched[0][2] == "prorl_verl.eval"
    assert driver.eval_marker(tmp_path, "kl-s7").exists()


def test_a_run_whose_evaluation_is_done_needs_no_training(tmp_path):
    # a study restored from a record: the run's evaluation, no checkpoints
    marker = driver.eval_marker(tmp_path, "kl-s7")
    marker.parent.mkdir(parents=True)
    marker.write_text("{}")
    assert driver.is_done(tmp_path, TrainUnit("kl", 7, 20))
    assert not driver.is_done(tmp_path, TrainUnit("kl", 8, 10))


def test_a_trainer_that_stops_short_is_an_error(tmp_path, monkeypatch):
    marker = driver.eval_marker(tmp_path, "base")
    marker.parent.mkdir(parents=True)
    marker.write_text("{}")
    monkeypatch.setattr(subprocess, "run", lambda command, check: None)
    with pytest.raises(RuntimeError, match="without a checkpoint at step 10"):
        driver.run_units(STUDY, tmp_path, tmp_path / "model", [])
