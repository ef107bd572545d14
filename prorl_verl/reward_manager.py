"""ProRL's reward manager for verl's reward loop (``reward.reward_manager.name=prorl``).

Scores each response with :func:`reward_fns.compute_score` (or the user's
``reward.custom_reward_function``) and adds what ProRL needs on top:

- the **no-EOS penalty** (paper, Appendix E, runs 4-5: "penalizing responses that do not
  terminate correctly"): a response whose last token is not an end-of-sequence token —
  it ran into the length limit — gets ``reward.reward_kwargs.no_eos_penalty`` subtracted
  from its score. The paper gives no value; ours is in ``recipes/``. 0 or null disables it.
- per-sample ``reward_extra_info`` with fixed keys, so verl reports them per data source:
  ``acc`` (1 iff fully correct), ``score`` (the verifier's score before any penalty),
  ``truncated`` (1 iff no EOS), ``domain`` and ``group_signal`` (what dynamic sampling
  compares within a group, see :func:`group_signal`), plus the grading failure flags
  ``timeout``, ``sandbox_kill``, ``worker_restart`` and ``scorer_error`` (0/1 per sample, see
  ``reward_fns.result``): per data source and per domain their sums are the counts of each
  failure, so rewards that silently turn into errors show on the dashboard.
"""

import inspect

from omegaconf import OmegaConf
from transformers import GenerationConfig
from verl import DataProto
from verl.experimental.reward_loop.reward_manager import register
from verl.experimental.reward_loop.reward_manager.base import RewardManagerBase
from verl.utils.reward_score import default_compute_score

import reward_fns
from reward_fns.result import FAILURE_FLAGS

REWARD_MANAGER_NAME = "prorl"

#: Domains whose verifier is pass/fail (paper §2.3: dynamic sampling drops prompts whose
#: accuracy over the group is 0 or 1). The others score partial credit.
BINARY_DOMAINS = frozenset({"math", "stem"})


def domain_of(data_source: str) -> str:
    """``prorl/<domain>/...`` -> ``<domain>``; verl's own names map through reward_fns."""
    parts = str(data_source).split("/")
    if len(parts) >= 2 and parts[0] == "prorl":
        return parts[1]
    return "other"


def group_signal(domain: str, acc: float, reward: float) -> float:
    """The per-sample value whose spread within a group decides if the group is kept.

    Binary domains use accuracy, as ProRL does; continuous domains (code, puzzles,
    instruction following) use the reward itself, so a group of partial scores that all
    agree — which gives GRPO no signal — is dropped too, while a group of wrong answers
    with different partial credit is kept.
    """
    return float(acc) if domain in BINARY_DOMAINS else float(reward)


def apply_no_eos_penalty(score: float, truncated: bool, penalty: float | None) -> float:
    if truncated and penalty:
        return score - float(penalty)
    return score


def stop_token_ids(tokenizer, model_path: str | None) -> set[int]:
    """Every token id that ends a rollout: the tokenizer's EOS and each EOS id of the model's
    generation config (Qwen2-family chat models stop on several, e.g. <|im_end|> and
    <|endoftext|>); a response ending in any of them terminated."""
    ids = {tokenizer.eos_token_id}
    try:
        generation = GenerationConfig.from_pretrained(model_path) if model_path else None
    except OSError:  # no generation_config.json: the tokenizer's EOS is all there is
        generation = None
    eos = getattr(generation, "eos_token_id", None)
    ids.update([eos] if isinstance(eos, int) else list(eos or []))
    return ids


@register(REWARD_MANAGER_NAME)
class ProRLRewardManager(RewardManagerBase):
    def __init__(
        self,
        config,
        tokenizer,
        compute_score=None,
        reward_router_address=None,
        reward_model_tokenizer=None,
    ):
        super().__init__(config, tokenizer, compute_score)
        # verl hands every manager its own default scorer when the user names none.
        user_scorer = compute_score is not None and compute_score is not default_compute_score
        self.compute_score = compute_score if user_scorer else reward_fns.compute_score
        self.is_async_score = inspect.iscoroutinefunction(self.compute_score)
        reward_kwargs = config.reward.get("reward_kwargs", None) or {}
        self.no_eos_penalty = reward_kwargs.get("no_eos_penalty", None)
        if self.no_eos_penalty is not None and float(self.no_eos_penalty) < 0:
            raise ValueError(
                f"reward.reward_kwargs.no_eos_penalty must be >= 0 (it is subtracted), got {self.no_eos_penalty}"
            )
        if tokenizer.eos_token_id is None:
            raise ValueError(
                "the tokenizer has no eos_token_id: the no-EOS penalty cannot tell truncation"
            )
        model_path = OmegaConf.select(config, "actor_rollout_ref.model.path", default=None)
        self.eos_token_ids = stop_token_ids(tokenizer, model_path)

    async def run_single(self, data: DataProto) -> dict:
        item = data[-1:][0]  # multi-turn outputs: the last sequence carries the answer
        response_ids = item.batch["responses"]
        valid_length = int(item.batch["attention_mask"][-response_ids.shape[-1] :].sum())
        valid_ids = response_ids[:valid_length]
        truncated = valid_length == 0 or int(valid_ids[-1]) not in self.eos_token_ids

        data_source = str(item.non_tensor_batch["data_source"])
        ground_truth = item.non_tensor_batch["reward_model"]["ground_truth"]
        extra_info = dict(item.non_tensor_batch.get("extra_info", None) or {})
        response = await self.loop.run_in_executor(
            None, lambda: self.tokenizer.decode(valid_ids, skip_special_tokens=True)
        )
        kwargs = dict(
            data_source=data_source,
            solution_str=response,
            ground_truth=ground_truth,
            extra_info=extra_info,
        )
        if self.is_async_score:
            result = await self.compute_score(**kwargs)
        else:
            result = await self.loop.run_in_executor(None, lambda: self.compute_score(**kwargs))
        if not isinstance(result, dict):
            result = {"score": float(result), "acc": float(float(result) == 1.0)}

        score = float(result["score"])
        acc = float(result.get("acc", float(score == 1.0)))
        domain = str(result.get("domain", None) or domain_of(data_source))
        reward = apply_no_eos_penalty(score, truncated, self.no_eos_penalty)
        extra = {
            "acc": acc,
            "score": score,
            "truncated": float(truncated),
            "domain": domain,
            "group_signal": group_signal(domain, acc, reward),
            **{flag: float(result.get(flag, 0.0)) for flag in FAILURE_FLAGS},
        }
        return {"reward_score": reward, "reward_extra_info": extra}
