"""``python -m prorl_verl.chain``'s CPU profile trains on a reward an untrained model can earn."""

import json
from pathlib import Path

from prorl_verl import chain, launch
from prorl_verl.tiny.digit_reward import compute_score


def test_the_cpu_profile_scores_with_the_digit_reward(tmp_path):
    data = {name: tmp_path / f"{name}.parquet" for name in ("train_stage1", "train_stage3", "val")}
    overrides = chain.stage_overrides("stage1", chain.CPU, tmp_path, "tiny", data)
    config = launch.compose_stage("stage1", overrides)
    reward = config.reward.custom_reward_function
    assert Path(reward.path).is_file() and reward.name == "compute_score"
    assert config.data.train_files == str(data["train_stage1"])
    assert config.actor_rollout_ref.rollout.n == 2  # the recipe's 16 / 8


def test_digit_reward_is_the_fraction_of_digits_and_notes_training_rows(tmp_path):
    log = tmp_path / "scored.jsonl"
    train = {"split": "train", "source_id": "chain_sum/1/7"}
    assert compute_score("x", "a1b2", "3", extra_info=train, log_to=str(log)) == {
        "score": 0.5,
        "acc": 0.0,
    }
    assert compute_score("x", "42", "3", extra_info={"split": "val"}, log_to=str(log)) == {
        "score": 1.0,
        "acc": 1.0,
    }
    assert compute_score("x", "", "3")["score"] == 0.0
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["source_id"] for line in lines] == ["chain_sum/1/7"]  # validation not noted
    assert lines[0]["time"] > 0
