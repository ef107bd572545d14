"""Benchmark: DAPO refill against the prompt memory, replaying per-prompt pass rates.

    .venv/bin/python bench/bench_dynamic_sampling.py [--groups runs/.../dynamic_sampling_groups.jsonl]

Both arms fill every step with exactly ``--batch`` groups that have signal (equal kept groups
per step) from the same seeded data stream (shuffled passes over the prompts). A prompt that
is generated gets ``n`` rollouts, each correct with the prompt's pass rate at that step; its
group has signal unless all are right or all wrong.

- DAPO refill: every prompt offered is generated; groups without signal are dropped and the
  next prompt is taken (one at a time: the cheapest refill; verl's sync buffer asks for two
  per dropped group and discards the surplus, which costs DAPO more).
- memory: the same, but :class:`prorl_verl.dynamic_sampling.memory.PromptMemory` (the code the
  trainer runs, default settings) may skip an offered prompt before generating it. A skip is
  *false* when the group it would have generated (drawn all the same, never used) had signal.

Scenarios (pass-rate trajectories; the policy is not affected by which prompts are trained, so
the replay measures only what the filter saves and what it wrongly skips):

- ``synthetic``: a curriculum of ``--prompts`` prompts: 20% mastered from the start (pass rate
  0.97), 20% out of reach (0.01), 60% learned along the run: ``sigmoid(12 (t/T - d))`` with
  ``d ~ U(0, 1)``, clipped to [0.01, 0.99]; ``n = 16``; ``T = --steps``;
- ``cpu run`` (with ``--groups``): the group log (``prorl.dynamic_sampling.group_log=true``) of
  a CPU run of the demo recipe with DAPO refill. A prompt's pass rate at step t is its group's
  accuracy at its last visit before t (its first visit before that), as (k + 0.5) / (n + 1);
  the run's own n and batch (``--run-n``, ``--run-batch``), its number of steps.

One line per scenario, then the last line pools them (rollouts and kept groups summed):
``rollouts per kept group: dapo <x>, memory <y> (<z>% fewer), false skips <f>%``.
"""

import argparse
import bisect
import json
import math
import random
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from prorl_verl.dynamic_sampling.memory import MemoryConfig, PromptMemory

PassRate = Callable[[int, int], float]  # (prompt index, step) -> probability a rollout is right


@dataclass
class Scenario:
    name: str
    prompts: int
    steps: int
    batch: int
    n: int
    pass_rate: PassRate


@dataclass
class ArmResult:
    rollouts: int = 0
    kept: int = 0
    skipped: int = 0
    false_skips: int = 0


def synthetic(prompts: int, steps: int, batch: int, seed: int) -> Scenario:
    rng = random.Random(seed)
    kinds = []
    for _ in range(prompts):
        u = rng.random()
        if u < 0.2:
            kinds.append(("mastered", 0.0))
        elif u < 0.4:
            kinds.append(("out_of_reach", 0.0))
        else:
            kinds.append(("learned", rng.random()))

    def pass_rate(prompt: int, step: int) -> float:
        kind, difficulty = kinds[prompt]
        if kind == "mastered":
            return 0.97
        if kind == "out_of_reach":
            return 0.01
        return min(0.99, max(0.01, 1 / (1 + math.exp(-12 * (step / steps - difficulty)))))

    return Scenario("synthetic", prompts, steps, batch, 16, pass_rate)


def from_group_log(path: Path, n: int, batch: int) -> Scenario:
    """Pass-rate trajectories from a training run's group log (see the module docstring)."""
    visits: dict[str, list[tuple[int, float]]] = defaultdict(list)
    steps: set[int] = set()
    with open(path) as handle:
        for line_number, line in enumerate(handle, 1):
            record = json.loads(line)
            if record.get("prompt") is None or record.get("acc") is None:
                raise ValueError(f"{path}, line {line_number}: needs 'prompt' and 'acc'")
            visits[record["prompt"]].append((int(record["step"]), float(record["acc"])))
            steps.add(int(record["step"]))
    names = sorted(visits)
    trajectories = []
    for name in names:
        history = sorted(visits[name])
        visit_steps = [step for step, _ in history]
        rates = [(round(acc * n) + 0.5) / (n + 1) for _, acc in history]
        trajectories.append((visit_steps, rates))

    def pass_rate(prompt: int, step: int) -> float:
        visit_steps, rates = trajectories[prompt]
        return rates[max(0, bisect.bisect_left(visit_steps, step) - 1)]

    return Scenario("cpu run", len(names), max(steps), batch, n, pass_rate)


def data_stream(prompts: int, seed: int):
    rng = random.Random(seed)
    while True:
        order = list(range(prompts))
        rng.shuffle(order)
        yield from order


def has_signal(rng: random.Random, n: int, p: float) -> bool:
    right = sum(rng.random() < p for _ in range(n))
    return 0 < right < n


def run_arm(scenario: Scenario, memory: PromptMemory | None, seed: int) -> ArmResult:
    stream, rng, result = data_stream(scenario.prompts, seed), random.Random(seed + 1), ArmResult()
    label = f"{scenario.name}: {'memory' if memory else 'dapo'}"
    for step in tqdm(range(1, scenario.steps + 1), desc=label, file=sys.stderr, leave=False):
        kept = 0
        while kept < scenario.batch:
            prompt = next(stream)
            signal = has_signal(rng, scenario.n, scenario.pass_rate(prompt, step))
            if memory is not None and memory.should_skip(str(prompt)):
                result.skipped += 1
                result.false_skips += signal
                continue
            result.rollouts += scenario.n
            if memory is not None:
                memory.observe(str(prompt), signal)
            kept += signal
        if memory is not None:
            memory.end_step()
        result.kept += kept
    return result


def summary(dapo: ArmResult, memory: ArmResult) -> str:
    x, y = dapo.rollouts / dapo.kept, memory.rollouts / memory.kept
    false_skips = 100 * memory.false_skips / memory.skipped if memory.skipped else 0.0
    return (
        f"rollouts per kept group: dapo {x:.2f}, memory {y:.2f} ({100 * (1 - y / x):.1f}% fewer), "
        f"false skips {false_skips:.1f}%"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--groups", type=Path, help="group log of a CPU run with DAPO refill")
    parser.add_argument("--run-n", type=int, default=8, help="that run's rollouts per prompt (8)")
    parser.add_argument(
        "--run-batch", type=int, default=16, help="that run's prompts per step (16)"
    )
    parser.add_argument("--prompts", type=int, default=4096, help="synthetic prompts (4096)")
    parser.add_argument("--steps", type=int, default=300, help="synthetic steps (300)")
    parser.add_argument("--batch", type=int, default=64, help="synthetic kept groups per step (64)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    scenarios = [synthetic(args.prompts, args.steps, args.batch, args.seed)]
    if args.groups:
        scenarios.append(from_group_log(args.groups, args.run_n, args.run_batch))
    config = MemoryConfig(enabled=True, seed=args.seed)
    pooled_dapo, pooled_memory = ArmResult(), ArmResult()
    for scenario in scenarios:
        dapo = run_arm(scenario, None, args.seed)
        memory = run_arm(scenario, PromptMemory(config), args.seed)
        print(
            f"{scenario.name} ({scenario.prompts} prompts, {scenario.steps} steps x {scenario.batch} "
            f"kept groups, n={scenario.n}): {summary(dapo, memory)}"
        )
        for pooled, arm in ((pooled_dapo, dapo), (pooled_memory, memory)):
            for name in ("rollouts", "kept", "skipped", "false_skips"):
                setattr(pooled, name, getattr(pooled, name) + getattr(arm, name))
    print(summary(pooled_dapo, pooled_memory))
    return 0


if __name__ == "__main__":
    sys.exit(main())
