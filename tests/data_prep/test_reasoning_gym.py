"""reasoning-gym rows: the pinned task set, the demo API, splits, parallel determinism."""

from __future__ import annotations

import json

import pytest
import reasoning_gym.factory

from data_prep import reasoning_gym as rg
from data_prep.prompts import reasoning_gym_messages
from data_prep.rows import read_rows

CHAIN_SUM = {"min_terms": 2, "max_terms": 4, "min_digits": 1, "max_digits": 2}


def test_task_set_is_the_papers_96():
    train = set(rg.TRAIN_TASKS)
    assert len(rg.TRAIN_TASKS) == len(train) == 96
    assert not train & set(rg.OOD_TASKS)
    assert not train & set(rg.ADDED_AFTER_PAPER)
    assert not train & set(rg.ARC_TASKS)
    registered = set(reasoning_gym.factory.DATASETS) - {"composite"}
    # 101 tasks in May 2025 + the 4 added later = the 105 of 0.1.25
    assert len(registered) == 105
    everything = train | set(rg.OOD_TASKS) | set(rg.ADDED_AFTER_PAPER) | set(rg.ARC_TASKS)
    assert everything == registered
    assert {"acre", "boxnet", "game_of_life_halting"} == set(rg.OOD_TASKS)
    assert len(rg.TRAIN_TASKS) * rg.TRAIN_PER_TASK == 36_960  # the paper's ~37k


def test_build_rows_chain_sum_rows_are_verl_rows_with_the_right_answer():
    rows = rg.build_rows("chain_sum", 20, seed=3, split="train", config=CHAIN_SUM)
    assert len(rows) == 20
    for i, row in enumerate(rows):
        truth = json.loads(row["reward_model"]["ground_truth"])
        entry = truth["entry"]
        assert truth["task"] == "chain_sum"
        assert row["data_source"] == "prorl/reasoning_gym/chain_sum"
        assert row["reward_model"]["style"] == "rule"
        assert row["prompt"] == reasoning_gym_messages(entry["question"])
        assert row["extra_info"]["domain"] == "reasoning_gym"
        assert row["extra_info"]["split"] == "train"
        assert row["extra_info"]["index"] == i
        expression = entry["metadata"]["expression"]
        terms = expression.replace("-", "+").split("+")
        assert 2 <= len(terms) <= 4
        assert all(1 <= len(t.strip()) <= 2 for t in terms)
        assert int(entry["answer"]) == eval(expression)  # independent arithmetic


def test_build_rows_same_arguments_same_rows_other_split_other_items():
    a = rg.build_rows("chain_sum", 30, seed=1, split="train", config=CHAIN_SUM)
    b = rg.build_rows("chain_sum", 30, seed=1, split="train", config=CHAIN_SUM)
    test = rg.build_rows("chain_sum", 30, seed=1, split="test", config=CHAIN_SUM)
    other_seed = rg.build_rows("chain_sum", 30, seed=2, split="train", config=CHAIN_SUM)
    assert a == b
    questions = [r["prompt"] for r in a]
    assert questions != [r["prompt"] for r in test]
    assert questions != [r["prompt"] for r in other_seed]


def test_build_rows_rejects_an_unknown_task():
    with pytest.raises(ValueError, match="no_such_task"):
        rg.build_rows("no_such_task", 1, seed=0, split="train")


def test_graph_color_source_has_four_sizes_and_is_the_same_bytes_with_one_or_two_workers(
    tmp_path, run_cli, read_stats
):
    for workers, out in ((1, tmp_path / "a"), (2, tmp_path / "b")):
        assert (
            run_cli("graph_color", "--out", out, "--graph-color-per-size", 3, "--workers", workers)
            == 0
        )
    a = (tmp_path / "a" / "graph_color" / "test.parquet").read_bytes()
    assert a == (tmp_path / "b" / "graph_color" / "test.parquet").read_bytes()
    rows = read_rows(tmp_path / "a" / "graph_color" / "test.parquet")
    assert [r["extra_info"]["variant"] for r in rows] == [
        f"nodes={n}" for n in (10, 20, 30, 40) for _ in range(3)
    ]
    for row in rows:
        entry = json.loads(row["reward_model"]["ground_truth"])["entry"]
        assert len(entry["metadata"]["puzzle"]["vertices"]) == int(row["extra_info"]["variant"][6:])
    assert read_stats(tmp_path / "a", "graph_color")["rows_out"] == {"test": 12}


def test_reasoning_gym_source_splits_are_disjoint_and_cover_every_task(
    tmp_path, run_cli, read_stats
):
    out = tmp_path / "out"
    args = ("--rg-train-per-task", 2, "--rg-val-per-task", 1, "--rg-test-per-task", 1)
    assert run_cli("reasoning_gym", "--out", out, *args) == 0
    splits = {
        s: read_rows(out / "reasoning_gym" / f"{s}.parquet") for s in ("train", "val", "test")
    }
    prompts = {s: {r["prompt"][0]["content"] for r in rows} for s, rows in splits.items()}
    assert not prompts["train"] & prompts["test"]
    assert not prompts["train"] & prompts["val"]
    assert not prompts["val"] & prompts["test"]
    assert {r["data_source"] for r in splits["test"]} == {
        f"prorl/reasoning_gym/{t}" for t in rg.TRAIN_TASKS
    }
    stats = read_stats(out, "reasoning_gym")
    assert stats["rows_in"] == 96 * 4
    assert sum(stats["rows_out"].values()) + stats["duplicates_removed"] == 96 * 4


def test_ood_source_holds_only_the_three_ood_tasks(tmp_path, run_cli):
    assert run_cli("reasoning_gym_ood", "--out", tmp_path, "--rg-test-per-task", 2) == 0
    rows = read_rows(tmp_path / "reasoning_gym_ood" / "test.parquet")
    assert sorted(r["data_source"] for r in rows) == sorted(
        f"prorl/reasoning_gym/{t}" for t in rg.OOD_TASKS for _ in range(2)
    )


def test_generation_does_not_depend_on_the_callers_string_hash_seed():
    # these generators iterate over sets of strings, whose order follows the hash seed
    import os
    import subprocess
    import sys

    script = (
        "import json; from data_prep.reasoning_gym import generate_splits; "
        "tasks = ('word_ladder', 'isomorphic_strings', 'ransom_note', 'polynomial_multiplication'); "
        "print(json.dumps(generate_splits(tasks, {'train': 4}, 0, 1, 'x')[0]))"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1] and len(json.loads(outputs[0])["train"]) == 16
