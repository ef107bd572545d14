"""The Hugging Face sampler on the tiny Qwen2: counts, seeds, EOS handling, context limit."""

import logging

import pytest
import torch

from data_prep.prompts import reasoning_gym_messages
from prorl_verl.eval.completion import Completion
from prorl_verl.eval.hf_sampler import eos_token_ids, load_model, render_prompts, sample_completions

PROMPTS = [reasoning_gym_messages("What is 3 + 4?"), reasoning_gym_messages("Compute 12 - 5 + 1.")]


@pytest.fixture(scope="module")
def model_and_tokenizer(tiny_model_dir):
    return load_model(tiny_model_dir)


def test_n_samples_per_prompt_reproducible_by_seed(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    kwargs = dict(temperature=1.0, top_p=0.95, max_new_tokens=12, batch_size=3)
    first = sample_completions(model, tokenizer, PROMPTS, 4, seed=7, **kwargs)
    assert [len(c) for c in first] == [4, 4]
    for completion in first[0] + first[1]:
        assert 1 <= completion.num_tokens <= 12
        if not completion.ended_with_eos:  # a response that never ended used the whole budget
            assert completion.num_tokens == 12
    assert sample_completions(model, tokenizer, PROMPTS, 4, seed=7, **kwargs) == first
    assert sample_completions(model, tokenizer, PROMPTS, 4, seed=8, **kwargs) != first


def _manual_greedy(model, tokenizer, messages, steps):
    """Greedy decoding by repeated forward passes, no generate() involved."""
    text = render_prompts(tokenizer, [messages])[0]
    ids = tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
    out = []
    with torch.no_grad():
        for _ in range(steps):
            next_id = int(model(ids).logits[0, -1].argmax())
            out.append(next_id)
            ids = torch.cat([ids, torch.tensor([[next_id]])], dim=1)
    return out


def test_greedy_completion_stops_at_the_first_eos_and_counts_it(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    greedy = _manual_greedy(model, tokenizer, PROMPTS[0], 12)
    # declare the 6th greedy token an end-of-sequence token: the response must end there
    stop = greedy[5]
    first_stop = greedy.index(stop)
    saved = model.generation_config.eos_token_id
    model.generation_config.eos_token_id = [saved, stop]
    try:
        assert stop in eos_token_ids(model, tokenizer)
        ended = sample_completions(
            model, tokenizer, PROMPTS[:1], 2, temperature=0, top_p=1.0, max_new_tokens=12
        )
    finally:
        model.generation_config.eos_token_id = saved
    for completion in ended[0]:
        assert completion.ended_with_eos
        assert completion.num_tokens == first_stop + 1
        assert completion.text == tokenizer.decode(greedy[:first_stop], skip_special_tokens=True)
    plain = sample_completions(
        model, tokenizer, PROMPTS[:1], 1, temperature=0, top_p=1.0, max_new_tokens=12
    )
    own_eos = [
        position
        for position, token in enumerate(greedy)
        if token in eos_token_ids(model, tokenizer)
    ]
    if own_eos:  # the model's own EOS came up among the greedy tokens
        cut = own_eos[0]
        expected = Completion(
            tokenizer.decode(greedy[:cut], skip_special_tokens=True), cut + 1, True
        )
    else:  # never ended: the whole budget, not terminated
        expected = Completion(tokenizer.decode(greedy, skip_special_tokens=True), 12, False)
    assert plain[0][0] == expected


def test_responses_are_capped_by_the_model_context(model_and_tokenizer, caplog):
    model, tokenizer = model_and_tokenizer
    context = model.config.max_position_embeddings
    prompt_tokens = len(
        tokenizer(render_prompts(tokenizer, PROMPTS[:1])[0], add_special_tokens=False)["input_ids"]
    )
    with caplog.at_level(logging.WARNING):
        out = sample_completions(
            model,
            tokenizer,
            PROMPTS[:1],
            1,
            temperature=1.0,
            top_p=1.0,
            max_new_tokens=100_000,
            seed=0,
        )
    assert out[0][0].num_tokens <= context - prompt_tokens
    assert "does not fit the model's" in caplog.text


def test_a_tokenizer_without_chat_template_is_refused(model_and_tokenizer):
    _, tokenizer = model_and_tokenizer
    saved, tokenizer.chat_template = tokenizer.chat_template, None
    try:
        with pytest.raises(ValueError, match="no chat template"):
            render_prompts(tokenizer, PROMPTS)
    finally:
        tokenizer.chat_template = saved
