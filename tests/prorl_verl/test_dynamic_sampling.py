"""Dynamic sampling: verl's own group filter, fed with the ``prorl`` manager's group_signal.

Groups are scored by the real reward manager; verl's ReplayBuffer then decides which to
drop. Expected (paper §2.3 plus the rule for continuous rewards): all-correct, all-wrong and
constant partial-credit groups are dropped; mixed groups are kept, including wrong answers
with different partial credit.
"""

import asyncio

from omegaconf import OmegaConf
from verl.trainer.ppo.v1 import replay_buffer

from prorl_verl.reward_manager import ProRLRewardManager


def score_is_the_text(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    """A stand-in verifier: the response text is the score it gets."""
    value = float(solution_str)
    return {"score": value, "acc": float(value == 1.0)}


GROUPS = {
    # uid: (data_source, per-sample verifier scores, expect dropped)
    "allright": ("prorl/math/x", [1.0, 1.0, 1.0, 1.0], True),
    "allwrong": ("prorl/math/x", [0.0, 0.0, 0.0, 0.0], True),
    "mixedmath": ("prorl/math/x", [1.0, 0.0, 0.0, 1.0], False),
    "flatcode": ("prorl/code/apps", [0.4, 0.4, 0.4, 0.4], True),
    "partialcode": ("prorl/code/apps", [0.2, 0.6, 0.0, 0.6], False),
    "flatpuzzle": ("prorl/reasoning_gym/acre", [0.05, 0.05, 0.05, 0.05], True),
    "mixedpuzzle": ("prorl/reasoning_gym/acre", [1.0, 0.05, 0.05, 0.05], False),
}


def scored_groups(tokenizer, response_item) -> dict[str, dict]:
    config = OmegaConf.create({"reward": {"reward_kwargs": {"no_eos_penalty": None}}})

    async def run():
        manager = ProRLRewardManager(config, tokenizer, score_is_the_text)
        records = {}
        for uid, (source, scores, _) in GROUPS.items():
            for i, value in enumerate(scores):
                item = response_item(str(value), eos=True, data_source=source, ground_truth="")
                records[f"{uid}_{i}"] = {
                    "reward_extra_info": (await manager.run_single(item))["reward_extra_info"]
                }
        return records

    return asyncio.run(run())


def test_verl_drops_exactly_the_groups_without_signal(
    tokenizer, response_item, monkeypatch, sync_replay_buffer
):
    records = scored_groups(tokenizer, response_item)
    buffer = sync_replay_buffer(len(GROUPS))
    buffer.finished_keys["train"] = set(GROUPS)
    buffer.partitions["train"] = {key: {} for key in records}

    def kv_batch_get(keys, partition_id, select_fields):
        assert select_fields == ["extra_fields"]
        return {"extra_fields": [records[key] for key in keys]}

    monkeypatch.setattr(replay_buffer.tq, "kv_batch_get", kv_batch_get)
    dropped, _ = buffer._dapo_filtered_keys("train")
    assert dropped == {uid for uid, (_, _, drop) in GROUPS.items() if drop}
