"""The embedded tiny model: a ~1M-parameter Qwen2 and its BPE tokenizer, built locally from a seed.

``ensure_tiny_model(cache_dir, warmup)`` returns a Hugging Face model directory (cached, rebuilt
when its inputs change); ``warmup=True`` gives the cold-started base that reinforcement learning
can improve, ``warmup=False`` random weights for wiring tests. The task helpers generate the
demo's reasoning-gym ``chain_sum`` problems per bucket and grade responses.

The names below load their module on first use (PEP 562): the task helpers and the cache
need no torch, so a command that only reads its options starts without importing it.
"""

import importlib

_MODULE_OF = {
    "TinyModelSpec": "build",
    "build_tiny_model": "build",
    "spec_key": "build",
    "ensure_tiny_model": "cache",
    "WarmupSettings": "warmup",
    **{
        name: "task"
        for name in (
            "BUCKETS",
            "EASY",
            "HARD",
            "ChainSumBucket",
            "generate_problems",
            "is_correct",
            "prompt_messages",
            "score_response",
            "target_response",
        )
    },
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
