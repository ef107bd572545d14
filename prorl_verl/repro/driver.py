"""Runs a study's units in order, skipping the ones already done, so a study can stop at any
point (Ctrl-C, a time budget, a crash) and continue from where it was on the next call.

A training unit is done when its run's latest checkpoint has reached the unit's step, or
when the run's evaluation is done (it comes after the run's last training unit, and a study
restored from a record has the evaluations but no checkpoints); the trainer itself resumes a
run from its checkpoint (``prorl_verl.launch``). An evaluation unit is done when its marker
file exists; ``prorl_verl.eval`` keeps every generation it made, so an interrupted evaluation
also continues where it stopped.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from prorl_verl.launch import latest_checkpoint
from prorl_verl.repro.data import EVAL_BUCKETS, eval_set_name
from prorl_verl.repro.plan import (
    ARMS,
    EvalUnit,
    Study,
    TrainUnit,
    checkpoint_weights,
    units,
)

#: pass@k sampling: the paper's evaluation settings (§3.4), responses capped like training
EVAL_TEMPERATURE = 0.6
EVAL_TOP_P = 0.95
EVAL_MAX_NEW_TOKENS = 48


def trained_step(study_root: Path, run: str) -> int:
    found = latest_checkpoint(study_root / run / "checkpoints")
    return found[1] if found else 0


def eval_marker(study_root: Path, unit_name: str) -> Path:
    """The file that marks evaluation unit ``unit_name`` (a run's own: the run's name) done."""
    return study_root / "eval" / "done" / f"{unit_name}.json"


def is_done(study_root: Path, unit: TrainUnit | EvalUnit) -> bool:
    if isinstance(unit, TrainUnit):
        if eval_marker(study_root, unit.run).exists():
            return True
        return trained_step(study_root, unit.run) >= unit.until_step
    return eval_marker(study_root, unit.name).exists()


def train_command(
    study: Study, study_root: Path, model: Path, unit: TrainUnit, overrides: list[str]
) -> list[str]:
    """``prorl_verl.launch`` of the arm's recipe, trained up to the unit's step."""
    resumed = trained_step(study_root, unit.run) > 0
    return [
        sys.executable,
        "-m",
        "prorl_verl.launch",
        ARMS[unit.arm].recipe,
        f"prorl.runs_root={study_root}",
        f"trainer.experiment_name={unit.run}",
        f"actor_rollout_ref.model.path={model}",
        f"prorl.stage_steps={study.steps}",
        f"trainer.total_training_steps={unit.until_step}",
        f"trainer.save_freq={study.save_every}",
        f"data.seed={unit.seed}",
        f"actor_rollout_ref.actor.data_loader_seed={unit.seed}",
        # one validation before step 1, not one per relaunch (it would feed the plateau trigger)
        f"trainer.val_before_train={str(not resumed).lower()}",
        *overrides,
    ]


def eval_command(study: Study, study_root: Path, model: Path, unit: EvalUnit) -> list[str]:
    """``prorl_verl.eval`` of the unit's models on every bucket's test set."""
    specs = []
    for name, run, step in unit.models:
        path = model if step == 0 else checkpoint_weights(study_root, run, step)
        specs.append(f"{name}={path}")
    sets = [str(study_root / "data" / f"{eval_set_name(b)}.parquet") for b in EVAL_BUCKETS]
    return [
        sys.executable,
        "-m",
        "prorl_verl.eval",
        "--models",
        *specs,
        "--sets",
        *sets,
        "--n",
        str(study.eval_samples),
        "--out",
        str(study_root / "eval"),
        "--temperature",
        str(EVAL_TEMPERATURE),
        "--top-p",
        str(EVAL_TOP_P),
        "--max-new-tokens",
        str(EVAL_MAX_NEW_TOKENS),
        "--batch-size",
        "64",
    ]


def run_units(
    study: Study,
    study_root: Path,
    model: Path,
    overrides: list[str],
    max_minutes: float | None = None,
    after_evaluation: Callable[[], None] = lambda: None,
) -> bool:
    """Run every unit not yet done; True when the whole study is done.

    With ``max_minutes``, no unit starts once that much time has passed (a started unit
    finishes), and False is returned if units remain. ``after_evaluation`` is called after
    each evaluation unit finishes (the record is updated there).
    """
    todo = units(study)
    started = time.time()
    for number, unit in enumerate(todo, 1):
        prefix = f"[repro {study.name} {number}/{len(todo)}]"
        if is_done(study_root, unit):
            print(f"{prefix} done already: {unit.describe()}", flush=True)
            continue
        minutes = (time.time() - started) / 60
        if max_minutes is not None and minutes >= max_minutes:
            print(
                f"{prefix} stopping after {minutes:.1f} min (--max-minutes {max_minutes}); "
                "run the same command again to continue",
                flush=True,
            )
            return False
        print(f"{prefix} {unit.describe()} (at {minutes:.1f} min)", flush=True)
        if isinstance(unit, TrainUnit):
            command = train_command(study, study_root, model, unit, overrides)
        else:
            command = eval_command(study, study_root, model, unit)
        subprocess.run(command, check=True)
        if isinstance(unit, EvalUnit):
            marker = eval_marker(study_root, unit.name)
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(json.dumps({"models": [m[0] for m in unit.models]}))
            after_evaluation()
        elif not is_done(study_root, unit):
            raise RuntimeError(
                f"{unit.describe()}: the trainer exited without a checkpoint at step "
                f"{unit.until_step} under {study_root / unit.run / 'checkpoints'}"
            )
    return True
