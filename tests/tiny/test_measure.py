"""Sampled pass@1: response shape, and a random model scores nothing."""

from prorl_verl.tiny import generate_problems
from prorl_verl.tiny.measure import pass_at_1, sample_responses


def test_samples_per_problem_without_special_tokens(model, tokenizer):
    entries = generate_problems("easy", 3, seed=2)
    responses = sample_responses(
        model, tokenizer, entries, samples=2, temperature=1.0, max_new_tokens=6
    )
    assert [len(r) for r in responses] == [2, 2, 2]
    assert not any("<|im_end|>" in text or "<|endoftext|>" in text for r in responses for text in r)


def test_random_weights_pass_nothing(model, tokenizer):
    assert pass_at_1(model, tokenizer, "easy", problems=4, samples=2, max_new_tokens=16) == 0.0
