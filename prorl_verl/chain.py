"""``python -m prorl_verl.chain``: the eight stage recipes in miniature, one after another, with
kills and resumes — the check that the schedule holds as one run.

Each stage is launched as ``make stageN`` launches it (``python -m prorl_verl.launch stageN``)
from the real recipes, with overrides only for the model, the data and the sizes. Inside the
stages named by ``--kill-in``, the launch is killed with SIGKILL right after the stage's first
checkpoint and launched again, so the stage resumes itself. After every launch the chain reads
back what the run wrote (checkpoints, ``prorl_reset.json``, the dataloader state, the
metrics) and checks what must hold across transitions: the step, the reset history, the
reference (restored, not rebuilt from ``model.path``) and the KL right after each reset.

Profiles (the rest is shared):

- ``cpu`` (``make chain``): the tiny random-init Qwen2 of :mod:`prorl_verl.tiny`, verl on the
  CPU with ``recipes/cpu.yaml``'s keys, reasoning-gym ``chain_sum`` data, and the digit
  reward of :mod:`prorl_verl.tiny.digit_reward` (the recipes' verifiers give an untrained
  model 0 on every group, and dynamic sampling then finds no group to train on);
- ``gpu`` (``make smoke``): one GPU with the recipes' own settings (vLLM rollout, FSDP2,
  offloads), a small public model, and a reset in the middle of stage 1 besides the
  recipes' own — the check to run before spending GPU-weeks.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import torch
from omegaconf import OmegaConf

from prorl_verl.demo_plot import read_run_metrics
from prorl_verl.main import RECIPES_DIR
from prorl_verl.tiny import digit_reward

STAGES = [f"stage{i}" for i in range(1, 9)]
LATEST_FILE = "latest_checkpointed_iteration.txt"
RESET_STATE_FILE = "prorl_reset.json"


@dataclass(frozen=True)
class Profile:
    """Sizes of the miniature: the recipes' values divided, so stages keep their ratios."""

    name: str
    model: str
    train_batch_size: int
    mini_batch_size: int  # train_batch_size / mini_batch_size = policy updates per step
    rollouts_divisor: int  # stage rollouts n = recipe n / this (16 -> 2, 32 -> 4 on the CPU)
    response_divisor: int  # max_response_length = recipe value / this
    max_prompt_length: int
    extra: tuple[str, ...] = ()


CPU = Profile(
    name="cpu",
    model="",  # the tiny model, built on first use
    train_batch_size=8,
    mini_batch_size=2,
    rollouts_divisor=8,
    response_divisor=256,
    max_prompt_length=192,
    extra=(
        # at the paper's 2e-6 a 1M-parameter model does not move measurably in a few steps
        "actor_rollout_ref.actor.optim.lr=1e-4",
        f"reward.custom_reward_function.path={digit_reward.__file__}",
        "reward.custom_reward_function.name=compute_score",
    ),
)
GPU = Profile(
    name="gpu",
    model="Qwen/Qwen2.5-0.5B-Instruct",
    train_batch_size=16,
    mini_batch_size=4,
    rollouts_divisor=4,
    response_divisor=16,
    max_prompt_length=512,
    extra=(
        "trainer.nnodes=1",
        "trainer.n_gpus_per_node=1",
        "actor_rollout_ref.rollout.gpu_memory_utilization=0.4",
        "actor_rollout_ref.actor.ppo_max_token_len_per_gpu=8192",
        "actor_rollout_ref.rollout.log_prob_max_token_len_per_gpu=8192",
        "actor_rollout_ref.ref.log_prob_max_token_len_per_gpu=8192",
    ),
)
PROFILES = {profile.name: profile for profile in (CPU, GPU)}


def cpu_mode_overrides() -> list[str]:
    """``recipes/cpu.yaml`` as command-line overrides, for recipes that do not include it."""
    flat = {}

    def walk(node, prefix):
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                flat[f"{prefix}{key}"] = value

    walk(OmegaConf.to_container(OmegaConf.load(RECIPES_DIR / "cpu.yaml")), "")
    return [f"++{key}={_hydra_value(value)}" for key, value in flat.items()]


def _hydra_value(value) -> str:
    if isinstance(value, list):
        return "[" + ",".join(map(str, value)) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def recipe_value(stage: str, key: str):
    """One value of a stage recipe as the recipes alone set it."""
    from prorl_verl.launch import compose_stage

    return OmegaConf.select(compose_stage(stage, []), key)


def write_chain_data(out: Path) -> dict[str, Path]:
    """reasoning-gym ``chain_sum`` rows: one training file for stages 1-2 and another for
    stages 3-8 (as the recipes switch blends at stage 3), and a validation file."""
    from data_prep.reasoning_gym import build_rows
    from prorl_verl.tiny.task import EASY

    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, split, size, seed in (
        ("train_stage1", "train", 256, 1),
        ("train_stage3", "train", 512, 3),
        ("val", "val", 8, 2),
    ):
        files[name] = out / f"{name}.parquet"
        if not files[name].exists():
            rows = build_rows("chain_sum", size, seed, split, EASY.config())
            pd.DataFrame(rows).to_parquet(files[name])
    return files


def stage_overrides(
    stage: str, profile: Profile, runs_root: Path, model: str, data: dict[str, Path]
) -> list[str]:
    """Model, data and sizes for one stage; everything else is the recipe's."""
    blend = Path(recipe_value(stage, "data.train_files")).stem  # train_stage1 or train_stage3
    overrides = cpu_mode_overrides() if profile.name == "cpu" else []
    overrides += [
        f"prorl.runs_root={runs_root}",
        f"actor_rollout_ref.model.path={model}",
        f"data.train_files={data[blend]}",
        f"data.val_files={data['val']}",
        "prorl.stage_steps=2",
        "trainer.save_freq=1",
        "trainer.logger=[console,file]",
        f"data.train_batch_size={profile.train_batch_size}",
        f"data.max_prompt_length={profile.max_prompt_length}",
        "data.filter_overlong_prompts=false",
        f"actor_rollout_ref.actor.ppo_mini_batch_size={profile.mini_batch_size}",
        f"actor_rollout_ref.rollout.n={recipe_value(stage, 'actor_rollout_ref.rollout.n') // profile.rollouts_divisor}",
        f"data.max_response_length={recipe_value(stage, 'data.max_response_length') // profile.response_divisor}",
        *profile.extra,
    ]
    return overrides


@dataclass
class StageRecord:
    """What one stage left on disk after its last launch."""

    stage: str
    launched_at: list[float]  # wall-clock time (time.time()) of each launch, in order
    first_step: int
    final_step: int
    history: list[dict]
    reference_snapshot: str | None
    data_position: dict[int, int]  # checkpoint step -> batches drawn in the current epoch
    metrics: dict[int, dict] = field(default_factory=dict)  # last launch's metrics per step
    logs: list[str] = field(default_factory=list)

    @property
    def launches(self) -> int:
        return len(self.launched_at)


def read_stage(run_dir: Path, launched_at: list[float], logs: list[str]) -> StageRecord:
    checkpoints = run_dir / "checkpoints"
    final = int((checkpoints / LATEST_FILE).read_text())
    state = json.loads((checkpoints / f"global_step_{final}" / RESET_STATE_FILE).read_text())
    positions = {}
    for folder in checkpoints.glob("global_step_*"):
        data_state = folder / "data.pt"
        if data_state.exists():
            step = int(folder.name.split("_")[-1])
            positions[step] = int(torch.load(data_state, weights_only=False)["_num_yielded"])
    return StageRecord(
        stage=run_dir.name,
        launched_at=launched_at,
        first_step=int(json.loads((run_dir / "stage_start.json").read_text())["step"]),
        final_step=final,
        history=state["policy"]["history"],
        reference_snapshot=state["reference_snapshot"],
        data_position=dict(sorted(positions.items())),
        metrics=read_run_metrics(run_dir),
        logs=logs,
    )


def _launch(stage: str, overrides: list[str], log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "prorl_verl.launch", stage, *overrides]
    return subprocess.Popen(
        command, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def kill_launch(process: subprocess.Popen) -> None:
    """SIGKILL the launch and everything it started (Ray's processes share its session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _tail(log: Path, lines: int = 40) -> str:
    return "".join(log.read_text(errors="replace").splitlines(True)[-lines:])


def _wait_for_checkpoint(
    checkpoints: Path, step: int, process: subprocess.Popen, log: Path, timeout: float
) -> None:
    """Until ``step`` is checkpointed and its metrics are logged (verl logs after saving)."""
    marker = checkpoints / LATEST_FILE
    deadline = time.monotonic() + timeout
    while not (
        marker.exists()
        and marker.read_text().strip() == str(step)
        and step in read_run_metrics(checkpoints.parent)
    ):
        if process.poll() is not None:
            raise RuntimeError(
                f"{log} ended (code {process.returncode}) before checkpoint {step}:\n{_tail(log)}"
            )
        if time.monotonic() > deadline:
            raise TimeoutError(f"no checkpoint {step} within {timeout:.0f}s; {log}:\n{_tail(log)}")
        time.sleep(0.5)


def run_stage(
    stage: str, overrides: list[str], runs_root: Path, kill: bool, timeout: float = 1200
) -> StageRecord:
    """Launch one stage to its end; with ``kill``, SIGKILL it after its first step is
    checkpointed and logged, and launch it again (the stage then resumes itself)."""
    run_dir = runs_root / stage
    logs = []
    launched_at = []
    if kill:
        previous = recipe_value(stage, "prorl.previous_stage")
        start = (
            int((runs_root / previous / "checkpoints" / LATEST_FILE).read_text()) if previous else 0
        )
        log = runs_root / f"{stage}.killed.log"
        launched_at.append(time.time())
        process = _launch(stage, overrides, log)
        try:
            _wait_for_checkpoint(run_dir / "checkpoints", start + 1, process, log, timeout)
        finally:
            kill_launch(process)
        logs.append(log.read_text(errors="replace"))
    log = runs_root / f"{stage}.log"
    launched_at.append(time.time())
    process = _launch(stage, overrides, log)
    try:
        code = process.wait(timeout=timeout)
    finally:
        kill_launch(process)
    logs.append(log.read_text(errors="replace"))
    if code != 0:
        raise RuntimeError(f"{stage} failed (exit {code}); {log}:\n{_tail(log)}")
    return read_stage(run_dir, launched_at, logs)


def run_chain(
    profile: Profile,
    runs_root: Path,
    model: str,
    data: dict[str, Path],
    kill_in: set[str],
    stages: list[str] = STAGES,
    extra: dict[str, list[str]] | None = None,
    on_stage=None,
) -> list[StageRecord]:
    """Every stage in order; ``on_stage(record)`` is called after each (tests assert there)."""
    records = []
    for stage in stages:
        overrides = stage_overrides(stage, profile, runs_root, model, data)
        overrides += (extra or {}).get(stage, [])
        print(f"=== {stage}{' (killed and resumed)' if stage in kill_in else ''}", flush=True)
        record = run_stage(stage, overrides, runs_root, kill=stage in kill_in)
        records.append(record)
        if on_stage:
            on_stage(record)
    return records


def chain_problems(records: list[StageRecord]) -> list[str]:
    """What must hold across transitions whatever the model: each stage trains its steps
    from the previous stage's final step; the reset history only grows; a reset makes the
    KL exactly 0 before any update; a restored reference is the one saved at its reset."""
    problems = []
    previous: StageRecord | None = None
    reference_l2 = None
    for record in records:
        where = record.stage
        if previous and record.first_step != previous.final_step:
            problems.append(f"{where}: started at {record.first_step}, not {previous.final_step}")
        if record.final_step != record.first_step + 2:
            problems.append(f"{where}: ended at {record.final_step}, not {record.first_step + 2}")
        if previous and record.history[: len(previous.history)] != previous.history:
            problems.append(f"{where}: reset history {record.history} lost {previous.history}")
        for step, metrics in sorted(record.metrics.items()):
            if metrics.get("prorl/reset/happened") == 1.0:
                if metrics.get("prorl/reset/kl_after") != 0.0:
                    problems.append(
                        f"{where} step {step}: KL after reset {metrics.get('prorl/reset/kl_after')}"
                    )
                reference_l2 = metrics.get("prorl/reference/actor_l2")
            elif "prorl/reference/l2" in metrics and reference_l2 is not None:
                if abs(metrics["prorl/reference/l2"] - reference_l2) > 1e-6 * reference_l2:
                    problems.append(f"{where} step {step}: reference not the one of the last reset")
        previous = record
    return problems


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m prorl_verl.chain",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), default="cpu")
    parser.add_argument("--run-dir", default="runs/chain", help="where the stages write")
    parser.add_argument("--model", help="model path or hub id (default: the profile's)")
    parser.add_argument(
        "--kill-in",
        default="stage2,stage4",
        help="stages killed (SIGKILL) after their first checkpoint and resumed "
        "(default stage2,stage4: one resets itself, one inherits its reference)",
    )
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for every stage")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    profile = PROFILES[args.profile]
    runs_root = Path(args.run_dir).resolve()
    if runs_root.exists() and any(runs_root.glob("stage*/checkpoints")):
        raise SystemExit(f"{runs_root} holds a previous chain: remove it or pass --run-dir")
    data = write_chain_data(runs_root / "data")
    model = args.model or profile.model
    if not model:
        from prorl_verl.tiny.cache import ensure_tiny_model

        model = str(ensure_tiny_model(runs_root / "models", warmup=False))
    extra = {stage: list(args.overrides) for stage in STAGES}
    if profile.name == "gpu":  # a reset in the middle of a stage, not only at stage starts
        extra["stage1"] = extra["stage1"] + ["prorl.reset.at_steps=[2]"]
    started = time.monotonic()
    records = run_chain(profile, runs_root, model, data, set(args.kill_in.split(",")), extra=extra)
    problems = chain_problems(records)
    for record in records:
        print(
            f"{record.stage}: steps {record.first_step}->{record.final_step}, "
            f"{record.launches} launch(es), resets {[h['step'] for h in record.history]}"
        )
    print(f"chain: {len(records)} stages in {(time.monotonic() - started) / 60:.1f} min")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
