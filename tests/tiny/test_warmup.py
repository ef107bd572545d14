"""Warm-up pieces: the shared-prefix loss equals the full-sequence loss; the LR schedule."""

import pytest
import torch

from prorl_verl.tiny import WarmupSettings, generate_problems, target_response
from prorl_verl.tiny.warmup import (
    IGNORE_INDEX,
    batch_loss,
    collate,
    encode_example,
    learning_rate_at,
    shared_prefix_length,
)


@pytest.fixture(scope="module")
def examples(tokenizer):
    entries = generate_problems("easy", 6, seed=21) + generate_problems("hard", 6, seed=4000)
    return [encode_example(tokenizer, entry) for entry in entries]


def test_labels_cover_exactly_the_response_and_eos(tokenizer):
    entry = generate_problems("easy", 1, seed=9)[0]
    ids, labels = encode_example(tokenizer, entry)
    labelled = [label for label in labels if label != IGNORE_INDEX]
    assert tokenizer.decode(labelled) == target_response(entry) + "<|im_end|>"
    assert ids[-len(labelled) :] == labelled


def test_prefix_is_shared_and_stays_in_the_prompt(examples):
    length = shared_prefix_length(examples)
    assert length > 50  # the fixed instruction
    assert all(ids[:length] == examples[0][0][:length] for ids, _ in examples)
    assert all(labels[length] == IGNORE_INDEX for _, labels in examples)
    assert any(ids[length] != examples[0][0][length] for ids, _ in examples)


def test_shared_prefix_loss_and_gradients_equal_the_full_sequence_ones(model, tokenizer, examples):
    full = model(**collate(examples, tokenizer.pad_token_id)).loss  # transformers' own loss
    full_grads = torch.autograd.grad(full, list(model.parameters()))
    fast = batch_loss(model, examples, tokenizer.pad_token_id)
    fast_grads = torch.autograd.grad(fast, list(model.parameters()))
    assert fast.item() == pytest.approx(full.item(), rel=1e-5)
    for a, b in zip(full_grads, fast_grads, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)


def test_identical_rows_still_train_on_the_whole_response(model, tokenizer, examples):
    same = [examples[0]] * 3
    assert shared_prefix_length(same) == same[0][1].count(IGNORE_INDEX) - 1
    full = model(**collate(same, tokenizer.pad_token_id)).loss
    assert batch_loss(model, same, tokenizer.pad_token_id).item() == pytest.approx(
        full.item(), rel=1e-5
    )


def test_learning_rate_schedule_by_hand():
    settings = WarmupSettings(steps=110, learning_rate=1.0, lr_warmup_steps=10, min_lr_ratio=0.1)
    assert learning_rate_at(0, settings) == pytest.approx(0.1)
    assert learning_rate_at(9, settings) == pytest.approx(1.0)
    assert learning_rate_at(10, settings) == pytest.approx(1.0)
    assert learning_rate_at(60, settings) == pytest.approx(0.1 + 0.9 * 0.5)  # half-way: cos = 0
    assert learning_rate_at(110, settings) == pytest.approx(0.1)
