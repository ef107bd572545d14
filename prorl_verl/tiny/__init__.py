"""The embedded tiny model: a ~1M-parameter Qwen2 and its BPE tokenizer, built locally from a seed.

``ensure_tiny_model(cache_dir, warmup)`` returns a Hugging Face model directory (cached, rebuilt
when its inputs change); ``warmup=True`` gives the cold-started base that reinforcement learning
can improve, ``warmup=False`` random weights for wiring tests. The task helpers generate the
demo's reasoning-gym ``chain_sum`` problems per bucket and grade responses.
"""

from prorl_verl.tiny.build import TinyModelSpec, build_tiny_model, spec_key
from prorl_verl.tiny.cache import ensure_tiny_model
from prorl_verl.tiny.task import (
    BUCKETS,
    EASY,
    HARD,
    ChainSumBucket,
    generate_problems,
    is_correct,
    prompt_messages,
    score_response,
    target_response,
)
from prorl_verl.tiny.warmup import WarmupSettings

__all__ = [
    "BUCKETS",
    "EASY",
    "HARD",
    "ChainSumBucket",
    "TinyModelSpec",
    "WarmupSettings",
    "build_tiny_model",
    "ensure_tiny_model",
    "generate_problems",
    "is_correct",
    "prompt_messages",
    "score_response",
    "spec_key",
    "target_response",
]
