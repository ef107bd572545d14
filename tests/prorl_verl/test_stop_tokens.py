"""The no-EOS check knows every id a rollout stops on: the tokenizer's EOS and the
generation config's (a response ending in any of them terminated)."""

import asyncio
import json

import numpy as np
import torch
from omegaconf import OmegaConf
from transformers import GenerationConfig
from verl import DataProto

from prorl_verl.reward_manager import ProRLRewardManager, stop_token_ids

TRUTH = json.dumps(
    {
        "task": "chain_sum",
        "entry": {
            "question": "2 + 3 =",
            "answer": "5",
            "metadata": {"source_dataset": "chain_sum"},
        },
    }
)


def ending_in(tokenizer, last_id: int) -> DataProto:
    ids = tokenizer.encode("2 5 <answer>5</answer>", add_special_tokens=False) + [last_id]
    return DataProto.from_dict(
        tensors={
            "responses": torch.tensor([ids]),
            "prompts": torch.zeros(1, 2, dtype=torch.long),
            "attention_mask": torch.ones(1, 2 + len(ids), dtype=torch.long),
        },
        non_tensors={
            "data_source": np.array(["prorl/reasoning_gym/chain_sum"], dtype=object),
            "reward_model": np.array([{"style": "rule", "ground_truth": TRUTH}], dtype=object),
            "extra_info": np.array([{"index": 0}], dtype=object),
        },
    )


def other_stop_id(tokenizer) -> int:
    return next(i for i in range(len(tokenizer)) if i != tokenizer.eos_token_id and i > 2)


def test_generation_config_eos_ids_join_the_tokenizers(tokenizer, tmp_path):
    extra = other_stop_id(tokenizer)
    GenerationConfig(eos_token_id=[tokenizer.eos_token_id, extra]).save_pretrained(tmp_path)
    assert stop_token_ids(tokenizer, str(tmp_path)) == {tokenizer.eos_token_id, extra}


def test_without_a_generation_config_the_tokenizer_eos_is_used(tokenizer, tmp_path):
    assert stop_token_ids(tokenizer, str(tmp_path)) == {tokenizer.eos_token_id}
    assert stop_token_ids(tokenizer, None) == {tokenizer.eos_token_id}


def test_a_response_ending_in_a_second_eos_id_is_not_penalised(tokenizer, tmp_path):
    extra = other_stop_id(tokenizer)
    GenerationConfig(eos_token_id=[tokenizer.eos_token_id, extra]).save_pretrained(tmp_path)
    config = OmegaConf.create(
        {
            "reward": {"reward_kwargs": {"no_eos_penalty": 0.5}},
            "actor_rollout_ref": {"model": {"path": str(tmp_path)}},
        }
    )

    async def score(last_id):
        return await ProRLRewardManager(config, tokenizer).run_single(ending_in(tokenizer, last_id))

    stopped = asyncio.run(score(extra))
    assert stopped["reward_extra_info"]["truncated"] == 0.0 and stopped["reward_score"] == 1.0
    cut = asyncio.run(score(other_stop_id(tokenizer) + 1))
    assert cut["reward_extra_info"]["truncated"] == 1.0 and cut["reward_score"] == 0.5
