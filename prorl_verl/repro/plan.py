"""What the micro-reproduction runs: its arms, seeds, budgets, and the ordered list of units.

A study is a grid of training runs (one per arm and seed), each a recipe
``recipes/repro_<arm>.yaml`` launched through ``prorl_verl.launch`` in segments, followed by
pass@k evaluations of the checkpoints it saved. Everything here is plain data: the driver
turns units into processes, the report reads what they wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prorl_verl.repro.data import EVAL_BUCKETS


@dataclass(frozen=True)
class Arm:
    """One training configuration of the KL/reset comparison (paper §2.3.1, Figure 8)."""

    name: str
    label: str

    @property
    def recipe(self) -> str:
        return f"repro_{self.name}"


ARMS = {
    arm.name: arm
    for arm in (
        Arm("no_kl", "no KL"),
        Arm("kl", "KL"),
        Arm("kl_reset", "KL + reset every 20 steps"),
        Arm("kl_plateau", "KL + reset on validation plateau"),
    )
}


@dataclass(frozen=True)
class Study:
    """The budgets of one configuration of the study (``QUICK`` or ``FULL``)."""

    name: str
    arms: tuple[str, ...]
    seeds: tuple[int, ...]
    #: training steps of every run
    steps: int
    #: a checkpoint (with Hugging Face weights) every this many steps
    save_every: int
    #: steps per trainer launch; a run resumes from its last checkpoint between launches
    segment_steps: int
    #: the arm whose every checkpoint is evaluated (the "prolonged" question)
    prolonged_arm: str
    #: pass@k: samples per prompt (largest k) and prompts per bucket
    eval_samples: int
    eval_prompts: int
    #: for the time estimate, on 2 CPU cores: minutes per training step (16 prompts x 8) and
    #: per trainer start, seconds per 1000 evaluation samples (measured, see docs/repro.md)
    minutes_per_step: float = 10 / 60
    minutes_per_launch: float = 1.2
    seconds_per_1k_eval_samples: float = 4.0

    def __post_init__(self):
        unknown = [arm for arm in self.arms if arm not in ARMS]
        if unknown:
            raise ValueError(f"study {self.name}: unknown arms {unknown}; known: {sorted(ARMS)}")
        if self.prolonged_arm not in self.arms:
            raise ValueError(f"study {self.name}: prolonged arm {self.prolonged_arm!r} not run")
        if self.steps % self.save_every or self.segment_steps % self.save_every:
            raise ValueError(
                f"study {self.name}: steps ({self.steps}) and segment_steps "
                f"({self.segment_steps}) must be multiples of save_every ({self.save_every})"
            )
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"study {self.name}: seeds must be distinct, got {self.seeds}")

    def checkpoint_steps(self) -> list[int]:
        return list(range(self.save_every, self.steps + 1, self.save_every))

    def segments(self) -> list[int]:
        """The step each trainer launch of a run trains up to."""
        ends = list(range(self.segment_steps, self.steps, self.segment_steps))
        return [*ends, self.steps]

    def unit_minutes(self, unit: TrainUnit | EvalUnit) -> float:
        """Time of one unit on 2 otherwise idle cores."""
        if isinstance(unit, TrainUnit):
            ends = self.segments()
            start = ends[ends.index(unit.until_step) - 1] if unit.until_step != ends[0] else 0
            return (unit.until_step - start) * self.minutes_per_step + self.minutes_per_launch
        samples = len(unit.models) * len(EVAL_BUCKETS) * self.eval_prompts * self.eval_samples
        return samples / 1000 * self.seconds_per_1k_eval_samples / 60

    def estimated_minutes(self) -> float:
        """Training and evaluation time of the whole study on 2 otherwise idle cores."""
        return sum(self.unit_minutes(unit) for unit in units(self))


QUICK = Study(
    name="quick",
    # in training order: the two arms of the reset question first
    arms=("kl_reset", "kl", "no_kl"),
    seeds=(1,),
    steps=40,
    save_every=20,
    segment_steps=40,
    prolonged_arm="kl_reset",
    eval_samples=32,
    eval_prompts=32,
)
FULL = Study(
    name="full",
    arms=("no_kl", "kl", "kl_reset", "kl_plateau"),
    seeds=(1, 2, 3),
    steps=200,
    save_every=20,
    segment_steps=60,
    prolonged_arm="kl_reset",
    eval_samples=64,
    eval_prompts=64,
    # measured in this study: 10.7-12.8 s per step on average over a launch (dynamic sampling
    # refills more once the easy bucket saturates), plus a validation (4-10 s) every 5 steps
    minutes_per_step=12.5 / 60,
)
STUDIES = {study.name: study for study in (QUICK, FULL)}


def run_name(arm: str, seed: int) -> str:
    """The run's ``trainer.experiment_name`` and its folder under the study root."""
    return f"{arm}-s{seed}"


@dataclass(frozen=True)
class TrainUnit:
    """One trainer launch: run ``arm``/``seed`` from its last checkpoint up to ``until_step``."""

    arm: str
    seed: int
    until_step: int

    @property
    def run(self) -> str:
        return run_name(self.arm, self.seed)

    def describe(self) -> str:
        return f"train {self.run} to step {self.until_step}"


@dataclass(frozen=True)
class EvalUnit:
    """pass@k of some models (``name -> step``; step 0 is the base model) on every bucket."""

    name: str
    models: tuple[tuple[str, str, int], ...]  # (model name, run or "" for the base, step)

    def describe(self) -> str:
        return f"evaluate {self.name} ({len(self.models)} models)"


def model_name(run: str, step: int) -> str:
    return "base" if step == 0 else f"{run}@{step}"


def units(study: Study) -> list[TrainUnit | EvalUnit]:
    """Every unit in order: the base's evaluation, then per run its segments and evaluation.

    Each run's checkpoints are evaluated right after it trains, so an interrupted study
    already has complete results for the runs it finished. The prolonged arm runs first (it
    answers the boundary and prolonged questions alone) and evaluates every checkpoint, the
    others their last one.
    """
    out: list[TrainUnit | EvalUnit] = [EvalUnit("base", (("base", "", 0),))]
    arms = sorted(study.arms, key=lambda arm: arm != study.prolonged_arm)
    for seed in study.seeds:
        for arm in arms:
            run = run_name(arm, seed)
            out += [TrainUnit(arm, seed, end) for end in study.segments()]
            steps = study.checkpoint_steps() if arm == study.prolonged_arm else [study.steps]
            out.append(EvalUnit(run, tuple((model_name(run, s), run, s) for s in steps)))
    return out


def checkpoint_weights(study_root: Path, run: str, step: int) -> Path:
    """The Hugging Face weights verl saves with a checkpoint (``save_contents: hf_model``)."""
    return study_root / run / "checkpoints" / f"global_step_{step}" / "actor" / "huggingface"
