"""``python -m prorl_verl.demo``: ProRL in miniature on the CPU, in a few minutes.

1. the embedded tiny model, cold-started on running sums (cached under ``--tiny-cache``);
2. reasoning-gym ``chain_sum`` problems as verl parquet: three-term sums of one-digit
   numbers (the tiny model's "hard" bucket) for training, validation and a held-out test;
3. two stages of verl's real trainer (``recipes/demo_stage1.yaml``, then
   ``demo_stage2.yaml``, which starts with a reference reset), each launched like
   ``make stageN``;
4. ``demo.png``: reward, KL, entropy, dropped groups and response length, resets marked;
5. pass@1 on 128 held-out three-term sums before and after (16 samples each), by
   ``prorl_verl.eval``, with the standard error of the gain: the evaluation's own noise.
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

from prorl_verl.tiny.task import HARD

STAGES = ("demo_stage1", "demo_stage2")
#: (split, bucket, size, seed): three-term sums, which the cold-started base gets right
#: about one time in five; seeds far apart, so no problem appears in two splits.
DATA = (
    ("train", HARD, 1024, 10_000),
    ("val", HARD, 32, 30_000),
    ("test", HARD, 128, 40_000),
)
#: Parquet file per split; the held-out file is named for the evaluation's tables and figures.
FILE_NAMES = {"train": "train", "val": "val", "test": "chain_sum_hard"}


def write_data(data_dir: Path) -> dict[str, Path]:
    import pandas as pd

    from data_prep.reasoning_gym import build_rows

    data_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict]] = {}
    for split, bucket, size, seed in DATA:
        rows.setdefault(split, []).extend(
            build_rows("chain_sum", size, seed, split, bucket.config())
        )
    paths = {}
    for split, split_rows in rows.items():
        paths[split] = data_dir / f"{FILE_NAMES[split]}.parquet"
        pd.DataFrame(split_rows).to_parquet(paths[split])
    return paths


def demo_data(data_dir: Path) -> dict[str, Path]:
    """The demo's parquet files in ``data_dir``, written unless a previous run left them."""
    paths = {split: data_dir / f"{name}.parquet" for split, name in FILE_NAMES.items()}
    if all(path.exists() for path in paths.values()):
        return paths
    return write_data(data_dir)


def final_hf_weights(run_dir: Path) -> Path:
    checkpoints = run_dir / "checkpoints"
    step = (checkpoints / "latest_checkpointed_iteration.txt").read_text().strip()
    return checkpoints / f"global_step_{step}" / "actor" / "huggingface"


def run_stage(stage: str, overrides: list[str]) -> None:
    command = [sys.executable, "-m", "prorl_verl.launch", stage, *overrides]
    print(f"\n=== {stage}: {' '.join(command)}", flush=True)
    subprocess.run(command, check=True)


@dataclass(frozen=True)
class Gain:
    """pass@1 before and after on the same problems, and how much of the gain is noise."""

    before: float
    after: float
    #: standard error of after - before: per-problem differences of the pass rates, so it
    #: holds both the sampling noise (a few samples per problem) and the choice of problems
    standard_error: float
    problems: int

    @property
    def gain(self) -> float:
        return self.after - self.before

    @property
    def z(self) -> float:
        return self.gain / self.standard_error if self.standard_error > 0 else float("inf")


def paired_gain(before: list[float], after: list[float]) -> Gain:
    """``before[i]``/``after[i]``: the fraction of samples correct on problem i, per model."""
    if len(before) != len(after) or len(before) < 2:
        raise ValueError(
            f"need two equal lists of 2+ per-problem rates, got {len(before)}, {len(after)}"
        )
    differences = [a - b for a, b in zip(after, before, strict=True)]
    error = statistics.stdev(differences) / math.sqrt(len(differences))
    return Gain(statistics.fmean(before), statistics.fmean(after), error, len(differences))


def per_problem_rates(scores_csv: Path) -> dict[int, float]:
    """``index -> correct / samples`` from the evaluation's ``scores/<model>/<set>.csv``."""
    with open(scores_csv) as handle:
        return {
            int(row["index"]): int(row["correct"]) / int(row["samples"])
            for row in csv.DictReader(handle)
        }


def evaluate(models: dict[str, Path], test_set: Path, out: Path, samples: int) -> dict[str, float]:
    """pass@1 per model on the held-out set (mean over ``samples`` samples at temperature 1)."""
    from prorl_verl.eval.cli import main as eval_main

    specs = [f"{name}={path}" for name, path in models.items()]
    argv = ["--models", *specs, "--sets", str(test_set), "--n", str(samples), "--out", str(out)]
    argv += ["--temperature", "1.0", "--top-p", "1.0", "--max-new-tokens", "48"]
    if eval_main(argv) != 0:
        raise RuntimeError("evaluation failed")
    with open(out / "tables" / "summary.csv") as handle:
        return {row["model"]: float(row["pass@1"]) for row in csv.DictReader(handle)}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m prorl_verl.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--run-dir", default="runs/demo", help="where the demo writes (default runs/demo)"
    )
    parser.add_argument(
        "--tiny-cache", default="runs/tiny", help="tiny model cache (default runs/tiny)"
    )
    parser.add_argument(
        "--steps-per-stage", type=int, default=30, help="training steps per stage (default 30)"
    )
    parser.add_argument(
        "--eval-samples", type=int, default=16, help="samples per test prompt (default 16)"
    )
    parser.add_argument("overrides", nargs="*", help="Hydra overrides passed to both stages")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # imported once the options are read: torch and matplotlib take seconds
    from prorl_verl.demo_plot import plot_training
    from prorl_verl.tiny.cache import ensure_tiny_model

    started = time.time()
    run_root = Path(args.run_dir).resolve()
    model = ensure_tiny_model(Path(args.tiny_cache), warmup=True).resolve()
    data = write_data(run_root / "data")
    overrides = [
        f"prorl.runs_root={run_root}",
        f"actor_rollout_ref.model.path={model}",
        f"prorl.stage_steps={args.steps_per_stage}",
        *args.overrides,
    ]
    for stage in STAGES:
        run_stage(stage, overrides)

    figure = plot_training([run_root / stage for stage in STAGES], run_root / "demo.png")
    trained = final_hf_weights(run_root / STAGES[-1])
    evaluate({"base": model, "prorl": trained}, data["test"], run_root / "eval", args.eval_samples)
    scores = run_root / "eval" / "scores"
    base_rates = per_problem_rates(scores / "base" / f"{data['test'].stem}.csv")
    prorl_rates = per_problem_rates(scores / "prorl" / f"{data['test'].stem}.csv")
    problems = sorted(base_rates)
    gain = paired_gain([base_rates[i] for i in problems], [prorl_rates[i] for i in problems])
    minutes = (time.time() - started) / 60
    print(
        f"\nprorl demo: trained {args.steps_per_stage} steps x {len(STAGES)} stages in {minutes:.1f} min"
    )
    print(f"training curves: {figure}")
    print(
        f"pass@1 on {gain.problems} held-out three-term chain_sum problems "
        f"({args.eval_samples} samples each): before {gain.before:.3f} -> after {gain.after:.3f}, "
        f"gain {gain.gain:+.3f} +/- {gain.standard_error:.3f} (one standard error of the paired "
        f"per-problem differences: the evaluation's own noise), {gain.z:.1f} standard errors"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
