"""The tiny model: a Qwen2-family causal LM of about a million parameters, built from a config.

Same architecture family as the paper's base (DeepSeek-R1-Distill-Qwen-1.5B is a Qwen2), so
verl loads it through the same code paths; only the sizes are small enough for a CPU.
Weights come from transformers' own initialisation under a fixed torch seed, so a seed gives
identical weights on every build.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers import GenerationConfig, PreTrainedTokenizerBase, Qwen2Config, Qwen2ForCausalLM


@dataclass(frozen=True)
class TinyArchitecture:
    """Sizes of the tiny Qwen2 (about 1M parameters with the default values)."""

    hidden_size: int = 128
    num_hidden_layers: int = 4
    intermediate_size: int = 512
    num_attention_heads: int = 4
    num_key_value_heads: int = 4
    max_position_embeddings: int = 512


def qwen2_config(architecture: TinyArchitecture, tokenizer: PreTrainedTokenizerBase) -> Qwen2Config:
    """A Qwen2 config sized by ``architecture`` whose vocabulary and special ids are the tokenizer's.

    ``attn_implementation`` is not fixed here: whoever loads the model picks it (verl on a CPU
    asks for ``sdpa``).
    """
    return Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=architecture.hidden_size,
        intermediate_size=architecture.intermediate_size,
        num_hidden_layers=architecture.num_hidden_layers,
        num_attention_heads=architecture.num_attention_heads,
        num_key_value_heads=architecture.num_key_value_heads,
        max_position_embeddings=architecture.max_position_embeddings,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        dtype="float32",
    )


def init_model(config: Qwen2Config, seed: int) -> Qwen2ForCausalLM:
    """A freshly initialised model; the global torch RNG is left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = Qwen2ForCausalLM(config)
    return model.to(torch.float32)


def generation_config(tokenizer: PreTrainedTokenizerBase) -> GenerationConfig:
    """Generation stops at the end-of-turn token; padding uses the tokenizer's pad token."""
    return GenerationConfig(
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
