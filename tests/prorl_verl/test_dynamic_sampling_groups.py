"""What the trainer learns about each generated group, from verl's own replay buffer, and the
step metrics built on it.

The reward of a group is its rewards' mean (after any penalty), not the value verl's filter
compares: a math group that is all correct but truncated (acc 1, reward 1 - penalty) counts
with its reward in ``reward_all_groups``.
"""

import json

import pandas as pd
import pytest
import torch
from verl.trainer.ppo.v1 import replay_buffer

from prorl_verl.dynamic_sampling.buffer import observe_groups
from prorl_verl.dynamic_sampling.memory import MemoryConfig, PromptMemory
from prorl_verl.dynamic_sampling.metrics import StepRecord, step_metrics
from prorl_verl.dynamic_sampling.prompt_ids import check_prompt_ids
from prorl_verl.dynamic_sampling.trainer_mixin import trim_group_log

PENALTY = 0.5
GROUPS = {
    # uid: per-sample (acc, reward after the no-EOS penalty)
    "truncatedright": [(1.0, 1.0 - PENALTY)] * 4,  # all right, all cut off: no signal
    "mixed": [(1.0, 1.0), (0.0, 0.0), (1.0, 1.0), (0.0, 0.0)],
    "allwrong": [(0.0, 0.0)] * 4,
}


def trajectory_records() -> dict[str, dict]:
    records = {}
    for uid, samples in GROUPS.items():
        for i, (acc, reward) in enumerate(samples):
            # verl puts the sequence reward on the last response token
            records[f"{uid}_{i}_0"] = {
                "rm_scores": torch.tensor([0.0, 0.0, reward]),
                "extra_fields": {"reward_extra_info": {"acc": acc, "group_signal": acc}},
            }
    return records


@pytest.fixture
def buffer(monkeypatch, sync_replay_buffer):
    records = trajectory_records()

    def kv_batch_get(keys, partition_id, select_fields):
        return {field: [records[key][field] for key in keys] for field in select_fields}

    monkeypatch.setattr(replay_buffer.tq, "kv_batch_get", kv_batch_get)
    buffer = sync_replay_buffer(len(GROUPS))
    buffer.partitions["train"] = {key: {} for key in records}
    return buffer


def test_each_finished_group_is_reported_once_with_its_mean_reward(buffer):
    outcomes = []
    observe_groups(buffer, outcomes.append)
    buffer.finished_keys["train"] = {"truncatedright", "mixed"}
    dropped, _ = buffer._dapo_filtered_keys("train")
    buffer.finished_keys["train"] = set(GROUPS)  # next poll: one more group finished
    dropped, _ = buffer._dapo_filtered_keys("train")

    assert dropped == {"truncatedright", "allwrong"}  # verl's decision, unchanged
    by_uid = {o.uid: o for o in outcomes}
    assert len(outcomes) == 3 and set(by_uid) == set(GROUPS)
    assert not by_uid["truncatedright"].has_signal
    assert by_uid["truncatedright"].mean_reward == pytest.approx(0.5)
    assert by_uid["truncatedright"].mean_acc == pytest.approx(1.0)
    assert by_uid["mixed"].has_signal and by_uid["mixed"].mean_reward == pytest.approx(0.5)
    assert not by_uid["allwrong"].has_signal and by_uid["allwrong"].mean_reward == 0.0


def test_reward_all_groups_averages_rewards_not_accuracy(buffer):
    outcomes = []
    observe_groups(buffer, outcomes.append)
    buffer.finished_keys["train"] = set(GROUPS)
    buffer._dapo_filtered_keys("train")
    record = StepRecord(
        groups=outcomes, rollouts=16, kept_groups=1, refill_rounds=1, refill_prompts=1
    )
    metrics = step_metrics(record, None, None, n=4)
    # (0.5 + 0.5 + 0.0) / 3; averaging the filter's value (acc) would give (1 + 0.5 + 0) / 3
    assert metrics["prorl/dynamic_sampling/reward_all_groups"] == pytest.approx(1 / 3)
    assert metrics["prorl/dynamic_sampling/dropped_groups"] == 2
    assert metrics["prorl/dynamic_sampling/dropped_fraction"] == pytest.approx(2 / 3)
    assert metrics["prorl/dynamic_sampling/rollouts_per_kept_group"] == 16


def test_memory_metrics_count_skips_saved_rollouts_and_both_zero_signal_shares():
    mem = PromptMemory(MemoryConfig(enabled=True, initial_rate=0.05))
    for i in range(10):
        mem.observe(f"p#{i}", has_signal=False)
        mem.observe(f"p#{i}", has_signal=False)
    mem.end_step()
    skipped = sum(mem.should_skip(f"p#{i}") for i in range(10))  # each skipped w.p. 0.95
    mem.observe("new#1", has_signal=True)
    mem.observe("new#2", has_signal=False)
    counts = mem.end_step()
    metrics = step_metrics(StepRecord(kept_groups=1), counts, mem, n=8)
    assert metrics["prorl/dynamic_sampling/memory/skipped_prompts"] == skipped
    assert metrics["prorl/dynamic_sampling/memory/rollouts_saved"] == 8 * skipped
    assert metrics["prorl/dynamic_sampling/memory/zero_signal_share_generated"] == pytest.approx(
        0.5
    )
    assert metrics["prorl/dynamic_sampling/memory/zero_signal_share_offered"] == pytest.approx(
        (1 + skipped) / (2 + skipped)
    )


def rows(*specs):
    return pd.DataFrame(
        [
            {
                "data_source": source,
                "prompt": [{"role": "user", "content": text}],
                "extra_info": extra,
            }
            for source, text, extra in specs
        ]
    )


def test_prompt_ids_are_checked_naming_file_row_and_field(tmp_path):
    good = tmp_path / "good.parquet"
    rows(("prorl/math/a", "1+1", {"index": 0}), ("prorl/math/b", "1+1", {"index": 0})).to_parquet(
        good
    )
    upsampled = tmp_path / "upsampled.parquet"
    rows(("prorl/math/a", "1+1", {"index": 0}), ("prorl/math/a", "2+2", {"index": 1})).to_parquet(
        upsampled
    )
    assert check_prompt_ids([good, upsampled]) == 3  # the same prompt twice shares its id

    missing = tmp_path / "missing.parquet"
    rows(
        ("prorl/math/a", "1+1", {"index": 0}), ("prorl/math/a", "2+2", {"split": "train"})
    ).to_parquet(missing)
    with pytest.raises(
        ValueError, match=r"missing.parquet, row 1: field extra_info.index is missing"
    ):
        check_prompt_ids([missing])

    clash = tmp_path / "clash.parquet"
    rows(("prorl/math/a", "3+3", {"index": 1})).to_parquet(clash)
    with pytest.raises(
        ValueError,
        match=r"clash.parquet, row 0: prompt id 'prorl/math/a#1'.*upsampled.parquet, row 1",
    ):
        check_prompt_ids([upsampled, clash])


def record(step: int, prompt: str) -> str:
    return json.dumps({"step": step, "prompt": prompt, "signal": True}) + "\n"


def test_a_resumed_run_keeps_the_group_log_of_its_checkpointed_steps_only(tmp_path):
    log = tmp_path / "groups.jsonl"
    assert trim_group_log(log, 3) == 0 and not log.exists()  # no log yet: nothing to do

    steps_1_to_3 = record(1, "a#0") + record(2, "a#1") + record(3, "a#2") + record(3, "a#3")
    # step 4 was being generated when the run stopped; the last write was cut off mid-record
    log.write_text(steps_1_to_3 + record(4, "a#4") + record(4, "a#5") + record(4, "a#6")[:9])
    assert trim_group_log(log, 3) == 3
    assert log.read_text() == steps_1_to_3
    assert trim_group_log(log, 3) == 0 and log.read_text() == steps_1_to_3

    # a complete record whose newline was not written is cut off too: appending would merge lines
    log.write_text(steps_1_to_3 + record(3, "a#9").rstrip("\n"))
    assert trim_group_log(log, 3) == 1 and log.read_text() == steps_1_to_3


def test_a_damaged_group_log_line_is_named(tmp_path):
    log = tmp_path / "groups.jsonl"
    log.write_text(record(1, "a#0") + "not json\n" + record(2, "a#1"))
    with pytest.raises(ValueError, match=r"groups.jsonl, line 2: not a group-log record"):
        trim_group_log(log, 1)
    assert log.read_text() == record(1, "a#0") + "not json\n" + record(2, "a#1")  # untouched
