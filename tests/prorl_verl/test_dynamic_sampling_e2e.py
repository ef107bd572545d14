"""Dynamic sampling with the prompt memory through verl's real trainer on the CPU.

An untrained tiny model and a reward under which exactly the prompts with
``extra_info.index % 4 == 0`` give groups with signal (``quarter_signal_reward.py``);
8 prompts per step from 32, 4 samples each, refills limited to one batch with
``on_exhausted=train_partial``. Expected, from that rule alone:

- every generated group has signal iff its prompt's index is a multiple of 4;
- the first step cannot find 8 groups with signal within the limit, so it trains on fewer
  (logged) and the run goes on;
- the memory skips prompts (only ones that never have signal), so its false-skip rate is 0;
- rollouts counted = generated groups x 4;
- interrupted with Ctrl-C (SIGINT) after step 3's checkpoint, the launcher exits with status
  130 and leaves no Ray process behind; relaunched, the run restores the memory of every
  prompt it had seen by step 3, and its group log holds each step's groups once (the
  interrupted step's are generated again).
"""

import json
import re
import signal

import pytest

from prorl_verl.demo_plot import read_run_metrics

from .quarter_signal_reward import has_signal

pytestmark = pytest.mark.e2e
REWARD = __file__.replace("test_dynamic_sampling_e2e.py", "quarter_signal_reward.py")
DS = "prorl/dynamic_sampling"


def test_memory_skips_trains_partial_batches_and_resumes(
    short_tmp, tiny_model, chain_sum_data, trainer_tools
):
    t = trainer_tools
    runs = short_tmp / "runs_ds"
    overrides = t.overrides(runs, tiny_model, chain_sum_data) + [
        f"reward.custom_reward_function.path={REWARD}",
        "data.train_max_samples=32",
        "prorl.dynamic_sampling.max_refill_factor=1",
        "prorl.dynamic_sampling.on_exhausted=train_partial",
        "prorl.dynamic_sampling.group_log=true",
    ]
    run_dir = runs / "demo_stage1_memory"
    overrides.append("prorl.stage_steps=6")
    log = short_tmp / "ds1.log"
    process = t.start("demo_stage1_memory", overrides, log)
    try:
        t.wait_for_step(run_dir, 3, process, log)
        t.interrupt(process, signal.SIGINT, run_dir, log)  # while step 4 runs
    finally:
        t.stop(process)
    t.run("demo_stage1_memory", overrides, short_tmp / "ds2.log")

    metrics = read_run_metrics(run_dir)
    groups = [json.loads(line) for line in (run_dir / "dynamic_sampling_groups.jsonl").open()]
    assert sorted(metrics) == [1, 2, 3, 4, 5, 6]
    for group in groups:
        assert group["signal"] == has_signal(int(group["prompt"].split("#")[1])), group
    for step, m in metrics.items():
        generated = sum(g["step"] == step for g in groups)
        assert m[f"{DS}/generated_groups"] == generated
        assert m[f"{DS}/rollouts"] == 4 * generated
        assert m[f"{DS}/kept_groups"] > 0
        assert m[f"{DS}/kept_groups"] <= sum(g["step"] == step and g["signal"] for g in groups)
        assert "actor/pg_loss" in m
    assert metrics[1][f"{DS}/kept_groups"] < 8  # a partial batch, and training went on
    assert sum(m[f"{DS}/memory/skipped_prompts"] for m in metrics.values()) > 0
    # a skipped prompt is judged when it is generated again, in the second pass over the data
    assert metrics[6][f"{DS}/memory/judged_skips"] > 0
    assert metrics[6][f"{DS}/memory/false_skip_rate"] == 0.0

    seen_before_kill = {g["prompt"] for g in groups if g["step"] <= 3}
    restored = re.search(
        r"memory restored from .*global_step_3.* \((\d+) prompts\)",
        (short_tmp / "ds2.log").read_text(),
    )
    assert restored and int(restored.group(1)) == len(seen_before_kill)
    state = json.loads(
        (run_dir / "checkpoints/global_step_3/prorl_dynamic_sampling.json").read_text()
    )
    assert state["rollouts_total"] == 4 * sum(g["step"] <= 3 for g in groups)
    assert state["memory"]["rate"] == metrics[3][f"{DS}/memory/rate"]  # step 3's update saved
