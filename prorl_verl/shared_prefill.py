"""``generate`` for batches that repeat prompts: each distinct prompt goes through the model once.

Sampling n answers per prompt puts every prompt n times into a batch (verl's rollout asks
for them as n requests; the evaluation samples n per prompt), and ``model.generate`` runs
the prompt pass for every copy. With short answers to long prompts that pass dominates: the
demo's 109-token prompts and ~14-token answers spent half of generation in it. This is the
idea of prefix caching in vLLM and SGLang, for Hugging Face models: the keys and values of
each distinct prompt, but its last token, are computed once and copied to its rows; the
last token is left to ``generate``, which needs at least one new token to start from.
"""

import torch
from transformers import DynamicCache


def generate_sharing_prompts(
    model, input_ids: torch.Tensor, attention_mask: torch.Tensor, **generate_kwargs
) -> torch.Tensor:
    """``model.generate(input_ids, attention_mask, **generate_kwargs)`` for left-padded prompts.

    Models whose generation does not run on a default ``DynamicCache`` (encoder-decoders, a
    static cache asked for, architectures transformers lists as unable) get plain ``generate``.
    """
    uses_dynamic_cache = (
        not model.config.is_encoder_decoder
        and model._supports_default_dynamic_cache()
        and model.generation_config.cache_implementation is None
        and not {"past_key_values", "cache_implementation"} & set(generate_kwargs)
    )
    cache = shared_prompt_cache(model, input_ids, attention_mask) if uses_dynamic_cache else None
    if cache is not None:
        generate_kwargs["past_key_values"] = cache
    return model.generate(input_ids=input_ids, attention_mask=attention_mask, **generate_kwargs)


@torch.no_grad()
def shared_prompt_cache(
    model, input_ids: torch.Tensor, attention_mask: torch.Tensor
) -> DynamicCache | None:
    """The cache of every row's prompt but its last column, computed once per distinct row.

    None when no row repeats another, or when a prompt has a single token (it would leave
    an empty prefix).
    """
    if int(attention_mask.sum(dim=1).min()) < 2:
        return None
    rows = torch.cat([input_ids, attention_mask], dim=1)
    distinct, row_of = torch.unique(rows, dim=0, return_inverse=True)
    if len(distinct) == len(rows):
        return None
    width = input_ids.shape[1]
    prefix_ids, prefix_mask = distinct[:, : width - 1], distinct[:, width : 2 * width - 1]
    cache = DynamicCache(config=model.config)
    model(
        input_ids=prefix_ids,
        attention_mask=prefix_mask,
        # numbered as generate numbers them: from the first real token, padding at 0
        position_ids=(prefix_mask.cumsum(-1) - 1).clamp(min=0),
        past_key_values=cache,
        use_cache=True,
    )
    cache.batch_select_indices(row_of)
    return cache
