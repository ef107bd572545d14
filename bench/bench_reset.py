"""Benchmark: an in-process reference reset against a training step, and against the
stop-merge-restart workaround, all measured in the same CPU run of verl's trainer.

    .venv/bin/python bench/bench_reset.py [--steps 6] [--work /tmp/prorl-bench]

One launch of the demo recipe on the tiny model trains ``--steps`` steps with a reset at
step 3 and checkpoints; from it the script reads the reset's time and the mean step time
(verl's ``timing_s/*`` metrics). The workaround users run today — save a checkpoint, merge
it to Hugging Face weights with verl's model merger, restart the trainer with the merged
weights as the new reference — is timed piece by piece: the checkpoint save (verl's
``timing_s/save_checkpoint``), the merge (``python -m verl.model_merger merge``), and a
restart (a second launch, from process start to the end of its first step).
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from data_prep.reasoning_gym import build_rows
from prorl_verl.demo_plot import read_run_metrics
from prorl_verl.tiny.cache import ensure_tiny_model
from prorl_verl.tiny.task import EASY


def launch(stage: str, overrides: list[str], log: Path) -> float:
    started = time.perf_counter()
    with open(log, "w") as out:
        subprocess.run(
            [sys.executable, "-m", "prorl_verl.launch", stage, *overrides],
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument(
        "--work", default=None, help="a short directory (default: a new one in /tmp)"
    )
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="prorl-bench-", dir="/tmp"))
    model = ensure_tiny_model(work / "models", warmup=False, progress=False)
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    for split, size, seed in (("train", 256, 1), ("val", 8, 2)):
        pd.DataFrame(build_rows("chain_sum", size, seed, split, EASY.config())).to_parquet(
            data / f"{split}.parquet"
        )
    runs = work / "runs"
    overrides = [
        f"prorl.runs_root={runs}",
        f"actor_rollout_ref.model.path={model}",
        f"data.train_files={data / 'train.parquet'}",
        f"data.val_files={data / 'val.parquet'}",
        "algorithm.filter_groups.enable=false",
        "trainer.val_before_train=false",
        "trainer.test_freq=-1",
        "trainer.logger=[console,file]",
        "trainer.save_freq=2",
        "prorl.reset.at_steps=[3]",
    ]
    run_dir = runs / "demo_stage1"
    launch("demo_stage1", overrides + [f"prorl.stage_steps={args.steps}"], work / "train.log")
    metrics = read_run_metrics(run_dir)
    reset_s = metrics[3]["timing_s/prorl_reset"]
    steps = [
        m["timing_s/step"] - m.get("timing_s/save_checkpoint", 0.0)
        for s, m in metrics.items()
        if s > 1
    ]
    step_s = statistics.median(steps)
    save_s = statistics.median(
        m["timing_s/save_checkpoint"] for m in metrics.values() if "timing_s/save_checkpoint" in m
    )

    merged = work / "merged"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "verl.model_merger", "merge", "--backend", "fsdp",
         "--local_dir", str(run_dir / "checkpoints" / "global_step_2" / "actor"), "--target_dir", str(merged)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    merge_s = time.perf_counter() - started

    restart_log = work / "restart.log"
    restart_total = launch(
        "demo_stage1", overrides + [f"prorl.stage_steps={args.steps + 1}"], restart_log
    )
    first_step = read_run_metrics(run_dir)[args.steps + 1]["timing_s/step"]
    restart_s = restart_total  # process start to exit after one step: start-up dominates
    workaround_s = save_s + merge_s + restart_s

    figures = {
        "reset_ms": reset_s * 1000,
        "step_s": step_s,
        "reset_over_step_percent": 100 * reset_s / step_s,
        "save_checkpoint_s": save_s,
        "merge_s": merge_s,
        "restart_until_first_step_done_s": restart_s,
        "restart_first_step_s": first_step,
        "workaround_total_s": workaround_s,
        "workaround_over_reset": workaround_s / reset_s,
    }
    print(f"in-process reset          {figures['reset_ms']:9.2f} ms")
    print(
        f"training step (median)    {step_s:9.2f} s   -> reset = {figures['reset_over_step_percent']:.3f}% of a step"
    )
    print("stop-merge-restart:")
    print(f"  checkpoint save         {save_s:9.2f} s")
    print(f"  merge to HF weights     {merge_s:9.2f} s")
    print(f"  trainer restart         {restart_s:9.2f} s   (start-up + one step)")
    print(
        f"  total                   {workaround_s:9.2f} s   -> {figures['workaround_over_reset']:.0f}x the reset"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
