"""Benchmark: DAPO refill against the prompt memory through verl's trainer on the CPU.

    .venv/bin/python bench/bench_dynamic_sampling_trainer.py [--seeds 1 2 3] [--steps 30]

For every seed, ``demo_stage1`` (DAPO refill) and ``demo_stage1_memory`` (the same with the
prompt memory) train the cached tiny base side by side, so both arms see the same load; same
``data.seed``, ``on_exhausted=train_partial``, the group log on, no validation. They train on
the first ``--train-prompts`` problems of ``make demo``'s training set: the memory acts only on
prompts it has seen, so the data must come round several times within the run, as it does in
ProRL (2,000+ steps over one blend); on a single pass it skips nothing. Then the base and every
final checkpoint are evaluated on the demo's 128 held-out three-term sums (``--samples`` each,
temperature 1.0) by ``prorl_verl.eval``.

Printed per seed and arm: rollouts generated, kept groups, rollouts per kept group, summed
step time, launch-to-exit wall time, held-out pass@1 and pass@16; then the memory's saving in
rollouts and its change in pass@1 with the standard error over seeds (the seed noise), next
to the spread of the DAPO arm's pass@1 across seeds. Rerunning resumes: finished runs and
stored generations are reused.
"""

import argparse
import csv
import math
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from prorl_verl import demo
from prorl_verl.demo_plot import read_run_metrics
from prorl_verl.tiny.cache import ensure_tiny_model

ARMS = {"dapo": "demo_stage1", "memory": "demo_stage1_memory"}
DS = "prorl/dynamic_sampling"


@dataclass(frozen=True)
class ArmRun:
    arm: str
    seed: int
    run_dir: Path

    @property
    def name(self) -> str:
        return f"{self.arm}{self.seed}"

    def final_step(self) -> int | None:
        marker = self.run_dir / "checkpoints" / "latest_checkpointed_iteration.txt"
        return int(marker.read_text()) if marker.exists() else None

    def hf_weights(self, steps: int) -> Path:
        return self.run_dir / "checkpoints" / f"global_step_{steps}" / "actor" / "huggingface"


def arm_runs(out: Path, seeds: list[int]) -> list[ArmRun]:
    return [
        ArmRun(arm, seed, out / "runs" / f"{arm}{seed}" / stage)
        for seed in seeds
        for arm, stage in ARMS.items()
    ]


def training_subset(train: Path, prompts: int) -> Path:
    """The first ``prompts`` rows of the demo's training file (written once)."""
    subset = train.with_name(f"train{prompts}.parquet")
    if not subset.exists():
        rows = pd.read_parquet(train)
        if len(rows) < prompts:
            raise SystemExit(f"{train} has {len(rows)} rows, fewer than --train-prompts {prompts}")
        rows.head(prompts).to_parquet(subset)
    return subset


def launch(run: ArmRun, model: Path, data: dict[str, Path], steps: int) -> subprocess.Popen:
    overrides = [
        f"prorl.runs_root={run.run_dir.parent}",
        f"actor_rollout_ref.model.path={model}",
        f"data.train_files={data['train']}",
        f"data.val_files={data['val']}",
        f"data.seed={run.seed}",
        f"prorl.stage_steps={steps}",
        f"trainer.save_freq={steps}",
        "prorl.dynamic_sampling.on_exhausted=train_partial",
        "prorl.dynamic_sampling.group_log=true",
        "trainer.val_before_train=false",
        "trainer.test_freq=-1",
        "trainer.logger=[console,file]",
    ]
    run.run_dir.mkdir(parents=True, exist_ok=True)
    log = open(run.run_dir.parent / "launch.log", "w")
    command = [sys.executable, "-m", "prorl_verl.launch", ARMS[run.arm], *overrides]
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


def train_side_by_side(pair: list[ArmRun], model: Path, data: dict[str, Path], steps: int):
    """Both arms of one seed at once; each run's launch-to-exit seconds go to ``wall_s.txt``."""
    started = time.time()
    processes = {run: launch(run, model, data, steps) for run in pair if run.final_step() != steps}
    failed = []
    while processes:
        time.sleep(1)
        for run, process in list(processes.items()):
            if process.poll() is None:
                continue
            del processes[run]
            if process.returncode != 0:
                failed.append(f"{run.name} (see {run.run_dir.parent / 'launch.log'})")
            else:
                (run.run_dir / "wall_s.txt").write_text(f"{time.time() - started:.1f}\n")
    if failed:
        raise SystemExit("failed: " + ", ".join(failed))


@dataclass(frozen=True)
class ArmFigures:
    rollouts: int
    kept_groups: int
    step_seconds: float
    wall_seconds: float | None
    pass1: float
    pass16: float

    @property
    def rollouts_per_kept_group(self) -> float:
        return self.rollouts / self.kept_groups


def figures(run: ArmRun, steps: int, summary: dict[str, dict[str, str]]) -> ArmFigures:
    metrics = read_run_metrics(run.run_dir)
    missing = [step for step in range(1, steps + 1) if step not in metrics]
    if missing:
        raise SystemExit(f"{run.run_dir}: no metrics for steps {missing}")
    wall = run.run_dir / "wall_s.txt"
    return ArmFigures(
        rollouts=int(sum(metrics[s][f"{DS}/rollouts"] for s in range(1, steps + 1))),
        kept_groups=int(sum(metrics[s][f"{DS}/kept_groups"] for s in range(1, steps + 1))),
        step_seconds=sum(metrics[s]["timing_s/step"] for s in range(1, steps + 1)),
        wall_seconds=float(wall.read_text()) if wall.exists() else None,
        pass1=float(summary[run.name]["pass@1"]),
        pass16=float(summary[run.name]["pass@16"]),
    )


def evaluate(models: dict[str, Path], test_set: Path, out: Path, samples: int) -> dict:
    """The demo's held-out evaluation; every model's row of ``tables/summary.csv``."""
    demo.evaluate(models, test_set, out, samples)
    with open(out / "tables" / "summary.csv") as handle:
        return {row["model"]: row for row in csv.DictReader(handle)}


def mean_and_error(values: list[float]) -> tuple[float, float]:
    error = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else math.nan
    return statistics.fmean(values), error


def report(runs: list[ArmRun], by_run: dict[str, ArmFigures], base: dict[str, str]) -> None:
    print(f"base: pass@1 {float(base['pass@1']):.3f}, pass@16 {float(base['pass@16']):.3f}")
    for run in runs:
        f = by_run[run.name]
        wall = f"{f.wall_seconds:.0f} s" if f.wall_seconds is not None else "not recorded"
        print(
            f"{run.name}: rollouts {f.rollouts}, kept groups {f.kept_groups}, "
            f"{f.rollouts_per_kept_group:.2f} per kept group, step time {f.step_seconds:.0f} s, "
            f"launch to exit {wall}, pass@1 {f.pass1:.3f}, pass@16 {f.pass16:.3f}"
        )
    seeds = sorted({run.seed for run in runs})
    dapo = [by_run[f"dapo{s}"] for s in seeds]
    memory = [by_run[f"memory{s}"] for s in seeds]
    saved = 1 - sum(m.rollouts for m in memory) / sum(d.rollouts for d in dapo)
    per_kept = [
        sum(f.rollouts for f in arm) / sum(f.kept_groups for f in arm) for arm in (dapo, memory)
    ]
    change, error = mean_and_error([m.pass1 - d.pass1 for m, d in zip(memory, dapo, strict=True)])
    spread = statistics.stdev([d.pass1 for d in dapo]) if len(dapo) > 1 else math.nan
    print(
        f"{len(seeds)} seeds: rollouts dapo {sum(d.rollouts for d in dapo)}, memory "
        f"{sum(m.rollouts for m in memory)} ({saved:.1%} fewer); per kept group dapo "
        f"{per_kept[0]:.2f}, memory {per_kept[1]:.2f}; step time dapo "
        f"{sum(d.step_seconds for d in dapo):.0f} s, memory {sum(m.step_seconds for m in memory):.0f} s"
    )
    print(
        f"held-out pass@1: dapo {statistics.fmean(d.pass1 for d in dapo):.3f}, memory "
        f"{statistics.fmean(m.pass1 for m in memory):.3f}; memory - dapo {change:+.3f} +/- "
        f"{error:.3f} (standard error over seeds); dapo's spread across seeds {spread:.3f}"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/bench_dynamic_sampling_trainer.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", default="runs/bench_dynamic_sampling", help="where runs go")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="data seeds")
    parser.add_argument("--steps", type=int, default=30, help="training steps per run")
    parser.add_argument(
        "--train-prompts",
        type=int,
        default=64,
        help="training problems (default 64: 30 steps x 16 prompts visit each about 8 times)",
    )
    parser.add_argument("--samples", type=int, default=16, help="samples per held-out problem")
    parser.add_argument("--tiny-cache", default="runs/tiny", help="tiny model cache")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out).resolve()
    model = ensure_tiny_model(Path(args.tiny_cache), warmup=True).resolve()
    data = demo.demo_data(out / "data")
    data = {**data, "train": training_subset(data["train"], args.train_prompts)}
    runs = arm_runs(out, args.seeds)
    for seed in args.seeds:
        train_side_by_side([r for r in runs if r.seed == seed], model, data, args.steps)
    models = {"base": model, **{run.name: run.hf_weights(args.steps) for run in runs}}
    summary = evaluate(models, data["test"], out / "eval", args.samples)
    report(runs, {run.name: figures(run, args.steps, summary) for run in runs}, summary["base"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
