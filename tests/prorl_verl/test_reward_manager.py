"""The ``prorl`` reward manager: reward_fns scores, the no-EOS penalty, the extra-info keys."""

import asyncio
import json

import pytest
from omegaconf import OmegaConf
from verl.experimental.reward_loop.reward_manager import get_reward_manager_cls

from prorl_verl.reward_manager import ProRLRewardManager, group_signal
from reward_fns.result import FAILURE_FLAGS, make_result

EXTRA_KEYS = {"acc", "score", "truncated", "domain", "group_signal", *FAILURE_FLAGS}


def chain_sum_truth(answer: str) -> str:
    entry = {
        "question": "State the final answer to the following arithmetic problem: 2 + 3 =",
        "answer": answer,
        "metadata": {"source_dataset": "chain_sum", "source_index": 0},
    }
    return json.dumps({"task": "chain_sum", "entry": entry})


def score(tokenizer, data, penalty=None, compute_score=None) -> dict:
    config = OmegaConf.create({"reward": {"reward_kwargs": {"no_eos_penalty": penalty}}})

    async def run():
        manager = ProRLRewardManager(config, tokenizer, compute_score)
        return await manager.run_single(data)

    return asyncio.run(run())


def chain_sum_item(response_item, text: str, *, eos: bool):
    """A response to "2 + 3 =" (gold 5) as verl's reward loop hands it over."""
    return response_item(
        text,
        eos=eos,
        data_source="prorl/reasoning_gym/chain_sum",
        ground_truth=chain_sum_truth("5"),
    )


def test_registered_under_its_stable_name():
    assert get_reward_manager_cls("prorl") is ProRLRewardManager


def test_terminated_right_answer_scores_through_reward_fns(tokenizer, response_item):
    data = chain_sum_item(response_item, "2 5 <answer>5</answer>", eos=True)
    out = score(tokenizer, data, penalty=0.5)
    assert out["reward_score"] == 1.0
    info = out["reward_extra_info"]
    assert set(info) == EXTRA_KEYS
    assert info["acc"] == 1.0 and info["score"] == 1.0 and info["truncated"] == 0.0
    assert info["domain"] == "reasoning_gym"


def test_truncated_response_gets_the_penalty(tokenizer, response_item):
    data = chain_sum_item(response_item, "2 5 <answer>5</answer>", eos=False)
    out = score(tokenizer, data, penalty=0.5)
    assert out["reward_score"] == pytest.approx(0.5)  # 1.0 from the verifier, minus 0.5
    assert out["reward_extra_info"]["truncated"] == 1.0
    assert out["reward_extra_info"]["score"] == 1.0  # the raw score is kept


def test_no_penalty_configured_leaves_truncated_responses_alone(tokenizer, response_item):
    data = chain_sum_item(response_item, "2 5 <answer>4</answer>", eos=False)
    out = score(tokenizer, data, penalty=None)
    assert out["reward_score"] == out["reward_extra_info"]["score"] < 1.0
    assert out["reward_extra_info"]["truncated"] == 1.0


def test_a_custom_score_function_is_used_and_penalised(tokenizer, response_item):
    item = response_item

    def always_point_three(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
        return 0.3

    data = item("anything", eos=False, data_source="prorl/code/apps", ground_truth="{}")
    out = score(tokenizer, data, penalty=0.25, compute_score=always_point_three)
    assert out["reward_score"] == pytest.approx(0.05)
    assert out["reward_extra_info"]["acc"] == 0.0
    assert out["reward_extra_info"]["domain"] == "code"


def test_grading_failures_are_reported_as_flags_per_sample(tokenizer, response_item):
    def timed_out(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
        return make_result("math", 0.0, timeout=True, killed=True, restarted=True)

    data = chain_sum_item(response_item, "2 5 <answer>5</answer>", eos=True)
    info = score(tokenizer, data, compute_score=timed_out)["reward_extra_info"]
    assert {flag: info[flag] for flag in FAILURE_FLAGS} == {
        "timeout": 1.0,
        "sandbox_kill": 1.0,
        "worker_restart": 1.0,
        "scorer_error": 0.0,
    }
    clean = score(tokenizer, data)["reward_extra_info"]  # reward_fns itself, nothing failed
    assert all(clean[flag] == 0.0 for flag in FAILURE_FLAGS)
    plain = score(tokenizer, data, compute_score=lambda **kw: 0.5)["reward_extra_info"]
    assert all(plain[flag] == 0.0 for flag in FAILURE_FLAGS)  # a scorer without flags


def test_negative_penalty_is_refused(tokenizer, response_item):
    item = response_item
    with pytest.raises(ValueError, match="no_eos_penalty"):
        score(
            tokenizer, item("x", eos=True, data_source="prorl/math/x", ground_truth="1"), penalty=-1
        )


@pytest.mark.parametrize(
    "domain,acc,reward,expected",
    [
        ("math", 0.0, 0.0, 0.0),
        ("math", 1.0, 1.0, 1.0),
        ("stem", 0.0, -0.5, 0.0),
        ("code", 0.0, 0.4, 0.4),
        ("reasoning_gym", 0.0, 0.05, 0.05),
        ("ifeval", 0.0, 0.5, 0.5),
    ],
)
def test_group_signal_is_accuracy_for_binary_domains_and_reward_otherwise(
    domain, acc, reward, expected
):
    assert group_signal(domain, acc, reward) == expected


def test_validation_metrics_per_domain_pool_their_samples():
    from prorl_verl.trainer import ProRLTrainer

    trainer = ProRLTrainer.__new__(ProRLTrainer)  # the method needs no trainer state
    sources = ["prorl/math/aime24", "prorl/math/aime24", "prorl/math/amc", "prorl/code/codeforces"]
    extra = {
        "acc": [1.0, 0.0, 1.0, 0.0],
        "score": [1.0, 0.0, 1.0, 0.5],
        "domain": ["math", "math", "math", "code"],
    }
    metrics = trainer._val_metrics_update(sources, ["u1", "u2", "u3", "u4"], extra, [])
    assert metrics["val-core/prorl/math/aime24/acc/mean@1"] == 0.5  # verl's own, per source
    assert metrics["val-core/domain/math/acc/mean@1"] == pytest.approx(2 / 3)
    assert metrics["val-core/domain/code/acc/mean@1"] == 0.0
    assert metrics["val-aux/domain/code/score/mean@1"] == 0.5
    assert metrics["val-core/domain/all/acc/mean@1"] == 0.5
