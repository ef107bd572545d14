"""Benchmark: what a short CPU-mode launch costs from command to exit, against another checkout.

    .venv/bin/python bench/bench_cpu_launch.py --baseline-repo <other checkout> [--rounds 3]

Every end-to-end test, every stage of ``make chain`` and every run of ``make repro`` is a
launch of ``python -m prorl_verl.launch``, and on a small machine a short launch is mostly
not training: the launcher and about eight Ray processes each import torch, Ray and verl,
one after another, and each ends with Python's teardown. This runs the demo recipe
(``demo_stage1``, ``--steps`` steps, validation and checkpoints off) with this checkout and
with ``--baseline-repo`` (its own ``.venv``, e.g. a worktree of an earlier commit with a
``.venv`` link), alternating which goes first each round so that the machine's drifting
speed falls on both, and prints per run the wall time from command to exit, the time inside
verl's steps (``timing_s/step``) and the rest, then the medians and their ratio.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench_cpu_step import REPO, run_trainer

from prorl_verl.demo import demo_data
from prorl_verl.tiny.cache import ensure_tiny_model


def timed_launch(model: Path, data: dict, work: Path, steps: int, repo: Path) -> dict[str, float]:
    work.mkdir(parents=True)
    started = time.perf_counter()
    metrics = run_trainer(model, data, work, steps, repo)
    wall = time.perf_counter() - started
    in_steps = sum(float(m.get("timing_s/step", 0.0)) for m in metrics.values())
    return {"wall": wall, "steps": in_steps, "rest": wall - in_steps}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--baseline-repo", type=Path, required=True, help="the checkout to compare against"
    )
    parser.add_argument("--rounds", type=int, default=3, help="launches per checkout (default 3)")
    parser.add_argument(
        "--steps", type=int, default=2, help="training steps per launch (default 2)"
    )
    parser.add_argument("--work", default=None, help="a short directory (default: new in /tmp)")
    parser.add_argument(
        "--tiny-cache", default="runs/tiny", help="tiny model cache (default runs/tiny)"
    )
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="prorl-bench-", dir="/tmp"))
    model = Path(ensure_tiny_model(Path(args.tiny_cache), warmup=True)).resolve()
    data = demo_data(work / "data")
    repos = {"this": REPO, "baseline": args.baseline_repo.resolve()}

    runs: dict[str, list[dict[str, float]]] = {name: [] for name in repos}
    for round_ in range(args.rounds):
        order = list(repos) if round_ % 2 == 0 else list(reversed(repos))
        for name in order:
            result = timed_launch(model, data, work / f"{name}-{round_}", args.steps, repos[name])
            runs[name].append(result)
            print(
                f"round {round_ + 1}/{args.rounds} {name}: wall {result['wall']:.1f}s, "
                f"in steps {result['steps']:.1f}s, rest {result['rest']:.1f}s",
                flush=True,
            )

    print(f"\nmedians over {args.rounds} launches of {args.steps} steps each:")
    medians = {
        name: {key: statistics.median(r[key] for r in rows) for key in ("wall", "steps", "rest")}
        for name, rows in runs.items()
    }
    for name, m in medians.items():
        print(
            f"  {name:<9} wall {m['wall']:.1f}s, in steps {m['steps']:.1f}s, rest {m['rest']:.1f}s"
        )
    ratio = {key: medians["this"][key] / medians["baseline"][key] for key in ("wall", "rest")}
    print(f"  this/baseline: wall {ratio['wall']:.2f}, rest {ratio['rest']:.2f}")


if __name__ == "__main__":
    main()
