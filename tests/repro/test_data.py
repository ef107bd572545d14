"""The study's problem sets: the right bucket in each file, no test problem in training."""

import re

from prorl_verl.repro.data import build_splits


def terms(row) -> int:
    expression = row["prompt"][-1]["content"].rsplit(":", 1)[1]
    return len(re.findall(r"\d+", expression))


def test_splits_hold_their_buckets_and_keep_test_problems_out_of_training():
    splits = build_splits(eval_prompts=40)
    assert {terms(r) for r in splits["chain_sum_easy"]} == {2}
    assert {terms(r) for r in splits["chain_sum_hard"]} == {3}
    assert {terms(r) for r in splits["chain_sum_ood"]} == {4}
    assert {terms(r) for r in splits["train"]} == {2, 3}  # never four terms
    test_prompts = {
        r["prompt"][-1]["content"]
        for name, rows in splits.items()
        if name.startswith("chain_sum")
        for r in rows
    }
    assert not test_prompts & {r["prompt"][-1]["content"] for r in splits["train"]}
    # two-term one-digit sums are few: the removed ones are a visible part of the easy half
    assert 1024 < len(splits["train"]) < 2048
