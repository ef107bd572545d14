"""What the trainer keeps across restarts and stages, with verl's own checkpoint I/O stood in
for (the chain test runs the real thing): where the reference snapshot is, the validation of
a checkpointed step, and the position in the data when a new stage starts."""

import json
from pathlib import Path

import pytest
from verl.trainer.ppo.v1.trainer_sync import PPOTrainerSync

from prorl_verl import launch
from prorl_verl.reset.policy import ResetConfig, ResetPolicy
from prorl_verl.trainer import RESET_STATE_FILE, ProRLTrainer


class Workers:
    """verl's worker group as the trainer uses it; records the snapshot RPCs."""

    def __init__(self):
        self.saved, self.loaded = [], []

    def save_reference(self, path):
        Path(path).mkdir(parents=True)
        self.saved.append(path)

    def load_reference(self, path):
        self.loaded.append(path)

    def weight_norms(self):
        return [{"reference": 1.0, "actor": 1.0, "optimizer_entries": 0}]

    def sees_file(self, path):
        return [("here", Path(path).exists())]


class DataOrder:
    def __init__(self, position):
        self.position = position

    def state_dict(self):
        return {"_num_yielded": self.position}

    def load_state_dict(self, state):
        self.position = state["_num_yielded"]


@pytest.fixture
def verl_io(monkeypatch):
    """verl's checkpoint save/load: the step marker, the step from the folder name, data.pt."""

    def save(trainer):
        folder = trainer._checkpoint_dir(trainer.global_steps)
        (folder / "data.json").write_text(json.dumps(trainer.train_dataloader.state_dict()))
        folder.parent.joinpath("latest_checkpointed_iteration.txt").write_text(
            str(trainer.global_steps)
        )

    def load(trainer):
        folder = Path(trainer.config.trainer.resume_from_path)
        trainer.global_steps = int(folder.name.split("_")[-1])
        trainer.train_dataloader.load_state_dict(json.loads((folder / "data.json").read_text()))

    monkeypatch.setattr(PPOTrainerSync, "_save_checkpoint", save)
    monkeypatch.setattr(PPOTrainerSync, "_load_checkpoint", load)


def trainer(runs: Path, stage: str, *overrides: str) -> ProRLTrainer:
    config = launch.compose_stage(stage, [f"prorl.runs_root={runs}", *overrides])
    start = launch.resolve_start(config, None)
    launch.apply_start(config, start)
    t = ProRLTrainer.__new__(ProRLTrainer)  # no Ray: only the state handling
    t.config = config
    t.run_dir = Path(config.prorl.run_dir).resolve()
    t.reset_policy = ResetPolicy(ResetConfig.from_mapping(config.prorl.reset, stage=stage))
    t.actor_rollout_wg = Workers()
    t.train_dataloader = DataOrder(position=0)
    t.global_steps = 0
    t._reference_snapshot = None
    t._checkpoint_step = None
    t._weight_norms = None
    t.rollouts_total = 0  # the dynamic-sampling state saved beside the reset state
    t.memory = None
    t.group_log = None
    return t


def test_a_stage_that_inherits_the_reference_points_at_the_saved_snapshot(tmp_path, verl_io):
    """Stage 2 resets at step 3 and saves the snapshot under its own run directory; stage 3
    restores it, and its checkpoints name that snapshot instead of an unsaved one of its own,
    so stage 4 (and a resumed stage 3) find it."""
    stage2 = trainer(tmp_path, "stage2")
    stage2.global_steps = 3
    stage2.reset_policy.record_reset(3, "stage_start:stage2")
    stage2._save_checkpoint()
    snapshot = str(tmp_path / "stage2" / "reference" / "step_3")
    assert stage2.actor_rollout_wg.saved == [snapshot]
    stage2.global_steps = 4
    stage2._save_checkpoint()
    assert stage2.actor_rollout_wg.saved == [snapshot]  # one snapshot per reset

    for stage, step in (("stage3", 4), ("stage4", 5)):
        (tmp_path / stage).mkdir()
        t = trainer(tmp_path, stage)
        t._load_checkpoint()
        assert t.actor_rollout_wg.loaded == [snapshot], stage
        t.global_steps = step + 1
        t._save_checkpoint()
        assert t.actor_rollout_wg.saved == []  # nothing of its own to save
        state = json.loads((t._checkpoint_dir(step + 1) / RESET_STATE_FILE).read_text())
        assert state["reference_snapshot"] == snapshot
        assert [h["step"] for h in state["policy"]["history"]] == [3]


def test_the_state_saved_with_a_step_includes_that_steps_validation(tmp_path, verl_io, monkeypatch):
    t = trainer(tmp_path, "stage1", "prorl.reset.patience=2")
    key = t.reset_policy.config.val_metric
    monkeypatch.setattr(PPOTrainerSync, "_validate", lambda self: {key: 0.25})
    t.global_steps = 20
    t._save_checkpoint()  # verl saves step 20, then validates it
    t._validate()
    state = json.loads((t._checkpoint_dir(20) / RESET_STATE_FILE).read_text())["policy"]
    assert state["best_value"] == 0.25 and state["last_validated_step"] == 20


@pytest.mark.parametrize(
    ("stage", "continues"), [("stage2", True), ("stage3", False)], ids=["same-files", "new-files"]
)
def test_a_new_stage_continues_the_data_order_only_on_the_same_files(
    tmp_path, verl_io, stage, continues
):
    previous = "stage1" if stage == "stage2" else "stage2"
    before = trainer(tmp_path, previous)
    before.global_steps, before.train_dataloader.position = 250, 31
    before._save_checkpoint()
    (tmp_path / stage).mkdir()
    t = trainer(tmp_path, stage)
    t._load_checkpoint()
    assert t.global_steps == 250
    assert t.train_dataloader.position == (31 if continues else 0)
