"""Benchmark: what ProRL's plugins cost per step, against stock verl with the same settings.

    .venv/bin/python bench/bench_overhead.py [--steps 12] [--rounds 1] [--work DIR]

Two arms train the demo recipe (``recipes/demo_stage1.yaml``, CPU mode) from the same model
and data, each for ``--steps`` steps:

- **stock**: verl's own task runner, ``PPOTrainerSync``, ``ActorRolloutRefWorker`` and its
  ``naive`` reward manager, scoring with ``reward_fns.compute_score`` (given to verl as the
  custom reward function);
- **prorl**: ProRL's task runner, trainer (reset hooks, extra metrics), worker class and
  ``prorl`` reward manager (no-EOS check, domain and group signal per sample).

Resets are off and dynamic sampling is off in both (the reset has its own benchmark,
``bench_reset.py``; group filtering is verl's and refills depend on the rewards). Validation
and checkpoints are off: they are timed outside the step. CPU mode (platform, ``hf``
rollout) is the same in both. The two arms train at the same time, so a change in the
machine's load falls on both alike (run one after the other on a shared machine, every
phase of the second arm came out up to 1.5x slower, including those ProRL does not touch).

Prints the median seconds per phase of verl's ``timing_s/*`` over steps 3.. of each arm, the
ratio prorl/stock and ProRL's share of a step.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from omegaconf import DictConfig, open_dict

from prorl_verl.demo import demo_data
from prorl_verl.demo_plot import read_run_metrics
from prorl_verl.tiny.cache import ensure_tiny_model

PHASES = ("gen", "old_log_prob", "ref", "adv", "update_actor", "update_weights", "step")
WARMUP_STEPS = 2
REPO = Path(__file__).resolve().parents[1]
REWARD_FNS_FILE = REPO / "reward_fns" / "__init__.py"


def arm_overrides(arm: str, model: Path, data: dict, runs: Path, steps: int) -> list[str]:
    common = [
        f"prorl.runs_root={runs}",
        f"trainer.experiment_name={arm}",
        f"actor_rollout_ref.model.path={model}",
        f"data.train_files={data['train']}",
        f"data.val_files={data['val']}",
        f"trainer.total_training_steps={steps}",
        "trainer.test_freq=-1",
        "trainer.save_freq=-1",
        "trainer.val_before_train=false",
        "trainer.logger=[console,file]",
        "algorithm.filter_groups.enable=false",
    ]
    if arm == "stock":
        return common + [
            "reward.reward_manager.name=naive",
            f"reward.custom_reward_function.path={REWARD_FNS_FILE}",
            "reward.custom_reward_function.name=compute_score",
        ]
    return common


def run_stock(config: DictConfig) -> None:
    """verl's own entry (``run_ppo`` with ``TaskRunnerV1``), in CPU mode, metrics to a file."""
    from prorl_verl.cpu.mode import enter_cpu_mode
    from prorl_verl.main import metrics_file_for_this_launch

    run_dir = Path(config.prorl.run_dir).resolve()
    enter_cpu_mode(config, run_dir)
    with open_dict(config):
        env = config.ray_kwargs.ray_init.runtime_env
        env.env_vars = {
            **env.env_vars,
            "VERL_FILE_LOGGER_PATH": str(metrics_file_for_this_launch(run_dir)),
        }
    from verl.trainer.main_ppo import TaskRunnerV1, run_ppo

    run_ppo(config, task_runner_class=TaskRunnerV1)


def run_arm(arm: str, overrides: list[str]) -> None:
    """One arm, in this process (the benchmark starts one process per arm)."""
    sys.path.insert(0, str(REPO))  # Hydra finds verl's configs through REPO/hydra_plugins
    from prorl_verl.launch import compose_stage

    config = compose_stage("demo_stage1", overrides)
    if arm == "stock":
        run_stock(config)
    else:
        from prorl_verl.main import run

        run(config)


def launch_arms(arms: dict[str, list[str]], logs: dict[str, Path]) -> None:
    """Both arms at once: on a shared machine they then see the same load, step for step."""
    processes = {}
    for arm, overrides in arms.items():
        print(f"{arm}: training (log: {logs[arm]})", flush=True)
        processes[arm] = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--run-arm", arm, *overrides],
            stdout=open(logs[arm], "w"),
            stderr=subprocess.STDOUT,
        )
    failed = [arm for arm, process in processes.items() if process.wait() != 0]
    if failed:
        raise SystemExit(f"arm(s) {failed} failed; see {[str(logs[a]) for a in failed]}")


def step_timings(run_dir: Path) -> list[dict[str, float]]:
    metrics = read_run_metrics(run_dir)
    rows = [
        {phase: float(metrics[s].get(f"timing_s/{phase}", 0.0)) for phase in PHASES}
        for s in sorted(metrics)
        if "timing_s/step" in metrics[s]
    ]
    return rows[WARMUP_STEPS:]


def report(rows: dict[str, list[dict[str, float]]]) -> str:
    med = {arm: {p: statistics.median(r[p] for r in rows[arm]) for p in PHASES} for arm in rows}
    lines = [f"{'phase (median s)':<18}{'stock':>10}{'prorl':>10}{'prorl/stock':>13}"]
    for phase in PHASES:
        stock, prorl = med["stock"][phase], med["prorl"][phase]
        ratio = prorl / stock if stock > 1e-4 else float("nan")
        lines.append(f"{phase:<18}{stock:>10.3f}{prorl:>10.3f}{ratio:>13.3f}")
    share = (med["prorl"]["step"] - med["stock"]["step"]) / med["stock"]["step"]
    lines.append(
        f"steps measured: stock {len(rows['stock'])}, prorl {len(rows['prorl'])}; "
        f"ProRL's additions: {100 * share:+.1f}% of a stock step"
    )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--run-arm":
        run_arm(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--steps", type=int, default=12, help="steps per arm and round (default 12)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="launches of the pair of arms (default 1)"
    )
    parser.add_argument("--work", default=None, help="a short directory (default: new in /tmp)")
    parser.add_argument(
        "--tiny-cache", default="runs/tiny", help="tiny model cache (default runs/tiny)"
    )
    parser.add_argument(
        "--model", default=None, help="a Hugging Face model directory instead of the tiny base"
    )
    args = parser.parse_args()
    if args.steps <= WARMUP_STEPS:
        parser.error(f"--steps must exceed the {WARMUP_STEPS} warm-up steps")
    work = Path(args.work or tempfile.mkdtemp(prefix="prorl-overhead-", dir="/tmp"))
    model = Path(args.model or ensure_tiny_model(Path(args.tiny_cache), warmup=True)).resolve()
    data = demo_data(work / "data")

    rows: dict[str, list[dict[str, float]]] = {"stock": [], "prorl": []}
    for round_ in range(args.rounds):
        runs = work / f"round{round_}"
        launch_arms(
            {arm: arm_overrides(arm, model, data, runs, args.steps) for arm in rows},
            {arm: work / f"{arm}-{round_}.log" for arm in rows},
        )
        for arm in rows:
            rows[arm] += step_timings(runs / arm)
    print(f"\nplugin overhead, demo recipe, {args.steps} steps x {args.rounds} round(s) per arm")
    print(report(rows))


if __name__ == "__main__":
    main()
