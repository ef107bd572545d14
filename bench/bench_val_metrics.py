"""Benchmark: the validation metrics of a multi-sample validation, verl's bootstrap loop
against prorl_verl.fast_bootstrap, alternating in one process.

    .venv/bin/python bench/bench_val_metrics.py [--prompts 64] [--n 4] [--rounds 3]

The validation is shaped like the micro-reproduction's (``make repro``): ``--prompts``
prompts of two data sources with ``--n`` samples each, every reward field ProRL's reward
manager reports (acc, score, truncated, group_signal, the four failure flags, and the
domain), and ProRL's trainer's three passes over them: per data source, per domain, over
all. Prints each round's seconds for both, the medians and their ratio, and checks that
both gave the same metrics.
"""

import argparse
import statistics
import time

import numpy as np
from verl.trainer.ppo import metric_utils

from prorl_verl import fast_bootstrap
from prorl_verl.reward_manager import group_signal
from reward_fns.result import FAILURE_FLAGS


def validation(prompts: int, n: int) -> tuple[list[str], list[str], dict[str, list]]:
    rng = np.random.default_rng(0)
    sources = [
        f"prorl/reasoning_gym/chain_sum_{'easy' if p % 2 else 'hard'}" for p in range(prompts)
    ]
    data_sources = [source for source in sources for _ in range(n)]
    uids = [f"uid-{p}" for p in range(prompts) for _ in range(n)]
    acc = [float(x) for x in rng.random(prompts * n) < 0.4]
    infos = {
        "acc": acc,
        "score": acc,
        "truncated": [float(x) for x in rng.random(prompts * n) < 0.05],
        "domain": ["reasoning_gym"] * len(acc),
        "group_signal": [group_signal("reasoning_gym", a, a) for a in acc],
        **{flag: [0.0] * len(acc) for flag in FAILURE_FLAGS},
    }
    return data_sources, uids, infos


def prorl_passes(data_sources, uids, infos) -> list[dict]:
    """What ProRLTrainer._val_metrics_update asks verl for: per source, per domain, all."""
    groupings = [data_sources, ["domain/reasoning_gym"] * len(uids), ["domain/all"] * len(uids)]
    return [metric_utils.process_validation_metrics(g, uids, infos) for g in groupings]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=64)
    parser.add_argument("--n", type=int, default=4, help="validation samples per prompt")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    batch = validation(args.prompts, args.n)
    implementations = {
        "verl": fast_bootstrap.VERL_BOOTSTRAP,
        "vectorised": fast_bootstrap.bootstrap_metric,
    }
    times: dict[str, list[float]] = {name: [] for name in implementations}
    outputs = {}
    for round_ in range(args.rounds):
        for name, implementation in implementations.items():
            metric_utils.bootstrap_metric = implementation
            started = time.perf_counter()
            outputs[name] = prorl_passes(*batch)
            times[name].append(time.perf_counter() - started)
        print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.3f} s" for k, v in times.items()))
    metric_utils.bootstrap_metric = fast_bootstrap.VERL_BOOTSTRAP
    same = outputs["verl"] == outputs["vectorised"]
    verl, ours = (statistics.median(times[name]) for name in implementations)
    print(
        f"{args.prompts} prompts x {args.n} samples, three passes: verl {verl:.3f} s, "
        f"vectorised {ours:.3f} s ({ours / verl:.4f}x); same metrics: {same}"
    )


if __name__ == "__main__":
    main()
