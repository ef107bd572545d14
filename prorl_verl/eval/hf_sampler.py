"""Sampling completions with Hugging Face ``generate`` on CPU (or any torch device).

Rule: each prompt (chat messages) is rendered with the tokenizer's chat template and a
generation prompt, then sampled ``n`` times with the given temperature and nucleus ``top_p``
(no top-k; temperature 0 means greedy), at most ``max_new_tokens`` new tokens, stopping at any
of the model's EOS tokens. A completion reports its text (special tokens removed), how many
tokens were generated (the EOS token included) and whether it ended with EOS; one that hit
``max_new_tokens`` without EOS did not terminate, which is what the no-EOS penalty and the
length statistics need.

Prompt copies are batched together (``batch_size`` sequences per ``generate`` call, left padded),
each distinct prompt run through the model once (:mod:`prorl_verl.shared_prefill`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import torch

from prorl_verl.eval.completion import Completion
from prorl_verl.shared_prefill import generate_sharing_prompts

logger = logging.getLogger(__name__)
_context_warnings: set[tuple[int, int]] = set()  # (context, max_new_tokens) already reported


def load_model(path: str | Path, dtype: str = "auto"):
    """Load a causal LM and its tokenizer from a Hugging Face model directory, ready to sample.

    ``auto`` means float32: half precision on CPU is slow and changes the samples.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    torch_dtype = torch.float32 if dtype == "auto" else getattr(torch, dtype)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype)
    model.eval()
    return model, tokenizer


def eos_token_ids(model, tokenizer) -> set[int]:
    """All token ids that end a response: the generation config's EOS list and the tokenizer's."""
    ids: set[int] = set()
    for source in (getattr(model.generation_config, "eos_token_id", None), tokenizer.eos_token_id):
        if isinstance(source, int):
            ids.add(source)
        elif source is not None:
            ids.update(int(i) for i in source)
    if not ids:
        raise ValueError(
            f"model {model.name_or_path!r} declares no EOS token; cannot tell when a response ends"
        )
    return ids


def render_prompts(tokenizer, prompts: Sequence[list[dict]]) -> list[str]:
    """Chat messages -> model input text, via the tokenizer's chat template."""
    if not tokenizer.chat_template:
        raise ValueError(
            f"tokenizer of {tokenizer.name_or_path!r} has no chat template; "
            "evaluation prompts are chat messages and need one"
        )
    return [
        tokenizer.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=True)
        for messages in prompts
    ]


def _fit_to_context(model, prompt_tokens: int, max_new_tokens: int) -> int:
    """``max_new_tokens``, lowered (with a warning) so prompt + response fit the model's positions."""
    context = getattr(model.config, "max_position_embeddings", None)
    if context is None or prompt_tokens + max_new_tokens <= context:
        return max_new_tokens
    room = context - prompt_tokens
    if room < 1:
        raise ValueError(
            f"prompt of {prompt_tokens} tokens leaves no room in the model's {context}-token context"
        )
    if (context, max_new_tokens) not in _context_warnings:
        _context_warnings.add((context, max_new_tokens))
        logger.warning(
            "max_new_tokens %d does not fit the model's %d-token context after a %d-token prompt; "
            "responses are capped at the room left (%d here)",
            max_new_tokens,
            context,
            prompt_tokens,
            room,
        )
    return room


def _split_at_eos(tokens: list[int], eos_ids: set[int]) -> tuple[list[int], bool]:
    """Generated ids up to and including the first EOS, and whether there was one."""
    for position, token in enumerate(tokens):
        if token in eos_ids:
            return tokens[: position + 1], True
    return tokens, False


@torch.inference_mode()
def sample_completions(
    model,
    tokenizer,
    prompts: Sequence[list[dict]],
    n: int,
    *,
    temperature: float,
    top_p: float,
    max_new_tokens: int,
    batch_size: int = 16,
    seed: int | None = None,
) -> list[list[Completion]]:
    """Sample ``n`` completions for each prompt; returns one list of ``n`` per prompt, in order."""
    if n < 1 or batch_size < 1 or max_new_tokens < 1:
        raise ValueError(
            f"need n, batch_size and max_new_tokens >= 1, got {n}, {batch_size}, {max_new_tokens}"
        )
    if seed is not None:
        torch.manual_seed(seed)
    eos_ids = eos_token_ids(model, tokenizer)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else min(eos_ids)
    texts = render_prompts(tokenizer, prompts)
    # every prompt repeated n times, in order, so chunk boundaries may fall anywhere
    flat = [(prompt_index, text) for prompt_index, text in enumerate(texts) for _ in range(n)]
    results: list[list[Completion]] = [[] for _ in texts]
    sampling = (
        {"do_sample": True, "temperature": temperature, "top_p": top_p, "top_k": 0}
        if temperature > 0
        else {"do_sample": False}
    )
    device = next(model.parameters()).device
    for start in range(0, len(flat), batch_size):
        chunk = flat[start : start + batch_size]
        encoded = tokenizer(
            [text for _, text in chunk],
            return_tensors="pt",
            padding=True,
            padding_side="left",
            add_special_tokens=False,
        ).to(device)
        output = generate_sharing_prompts(
            model,
            encoded["input_ids"],
            encoded["attention_mask"],
            max_new_tokens=_fit_to_context(model, encoded["input_ids"].shape[1], max_new_tokens),
            eos_token_id=sorted(eos_ids),
            pad_token_id=pad_id,
            **sampling,
        )
        generated = output[:, encoded["input_ids"].shape[1] :].tolist()
        for (prompt_index, _), tokens in zip(chunk, generated, strict=True):
            kept, ended = _split_at_eos(tokens, eos_ids)
            # the EOS token itself is not part of the answer text
            text = tokenizer.decode(kept[:-1] if ended else kept, skip_special_tokens=True)
            results[prompt_index].append(Completion(text, len(kept), ended))
    return results
