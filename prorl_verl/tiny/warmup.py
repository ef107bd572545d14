"""Cold start: a short supervised warm-up that turns the random tiny model into a weak base.

A randomly initialised model never produces a correct answer, so GRPO has no signal to
amplify. The warm-up teaches the response format and the running-sum procedure on
reasoning-gym ``chain_sum`` problems drawn from a range that covers both demo buckets, and
stops early on purpose: the base ends up good on short sums and weak on long ones, which is
where reinforcement learning has room to show gains.

Plain torch loop: AdamW, linear warm-up then cosine decay, loss on the response tokens only
(the prompt is context, as in RL). Data and order come from seeds, so a build is repeatable.

Every prompt opens with the same ~100-token instruction. Causal attention makes that prefix's
keys and values independent of what follows, so each batch runs it once and shares its cache
across the rows: the loss and gradients are those of the full sequences at about a third of
the cost.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import reasoning_gym
import torch
import torch.nn.functional as F
from tqdm import tqdm
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from prorl_verl.tiny.task import TASK_NAME, ChainSumBucket, prompt_messages, target_response

IGNORE_INDEX = -100


@dataclass(frozen=True)
class WarmupSettings:
    """Hyper-parameters of the warm-up; each one changes the cached base model's key."""

    # One-digit terms: each term is a single token, which the model learns to find and add far
    # sooner than multi-digit ones; 2-4 terms cover both buckets. Small batches, many updates:
    # at about equal compute, batch 8 x 5000 steps beat 16 x 3000 and 32 x 1500 (sampled pass@1
    # on two one-digit terms 0.78 vs 0.56 vs about 0.1), and mixes with 2-3 digit terms had
    # barely started adding after 2500 steps of 32.
    distribution: ChainSumBucket = field(
        default_factory=lambda: ChainSumBucket("warmup", 2, 4, 1, 1)
    )
    steps: int = 5000
    batch_size: int = 8
    learning_rate: float = 2e-3
    weight_decay: float = 0.01
    lr_warmup_steps: int = 50
    min_lr_ratio: float = 0.1
    # reasoning-gym seeds item i with seed + i: this keeps warm-up problems far from the
    # small seeds that held-out sets use.
    data_seed: int = 1_000_000_000
    shuffle_seed: int = 0


def encode_example(tokenizer: PreTrainedTokenizerBase, entry: dict) -> tuple[list[int], list[int]]:
    """Token ids of prompt + target response + EOS, and labels that ignore the prompt."""
    prompt = tokenizer.apply_chat_template(
        prompt_messages(entry), add_generation_prompt=True, tokenize=False
    )
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    response_ids = tokenizer(
        target_response(entry) + tokenizer.eos_token, add_special_tokens=False
    )["input_ids"]
    return prompt_ids + response_ids, [IGNORE_INDEX] * len(prompt_ids) + response_ids


def collate(examples: list[tuple[list[int], list[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-padded batch tensors; padding is masked out of attention and loss."""
    length = max(len(ids) for ids, _ in examples)
    input_ids = torch.full((len(examples), length), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), length), IGNORE_INDEX, dtype=torch.long)
    attention_mask = torch.zeros((len(examples), length), dtype=torch.long)
    for row, (ids, row_labels) in enumerate(examples):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        labels[row, : len(ids)] = torch.tensor(row_labels)
        attention_mask[row, : len(ids)] = 1
    return {"input_ids": input_ids, "labels": labels, "attention_mask": attention_mask}


def shared_prefix_length(examples: list[tuple[list[int], list[int]]]) -> int:
    """Length of the token prefix all rows share, kept inside every row's prompt.

    At least one prompt token stays outside the prefix, so the first token the loss sees is
    always predicted from inside the row.
    """
    limit = min(row_labels.count(IGNORE_INDEX) for _, row_labels in examples) - 1
    first = examples[0][0]
    length = 0
    while length < limit and all(ids[length] == first[length] for ids, _ in examples):
        length += 1
    return length


def batch_loss(
    model: PreTrainedModel, examples: list[tuple[list[int], list[int]]], pad_id: int
) -> torch.Tensor:
    """Mean next-token cross-entropy over the labelled tokens, the shared prefix run once."""
    prefix_length = shared_prefix_length(examples)
    cache = None
    if prefix_length > 0:
        prefix = torch.tensor([examples[0][0][:prefix_length]])
        cache = model(input_ids=prefix, use_cache=True).past_key_values
        cache.batch_repeat_interleave(len(examples))
    rest = collate([(ids[prefix_length:], lab[prefix_length:]) for ids, lab in examples], pad_id)
    attention_mask = torch.cat(
        [torch.ones(len(examples), prefix_length, dtype=torch.long), rest["attention_mask"]], dim=1
    )
    logits = model(
        input_ids=rest["input_ids"],
        attention_mask=attention_mask,
        past_key_values=cache,
        use_cache=cache is not None,
    ).logits
    return F.cross_entropy(
        logits[:, :-1].reshape(-1, logits.size(-1)),
        rest["labels"][:, 1:].reshape(-1),
        ignore_index=IGNORE_INDEX,
    )


def learning_rate_at(step: int, settings: WarmupSettings) -> float:
    """Linear ramp over ``lr_warmup_steps``, then cosine decay to ``min_lr_ratio`` of the peak."""
    if step < settings.lr_warmup_steps:
        return settings.learning_rate * (step + 1) / settings.lr_warmup_steps
    span = max(1, settings.steps - settings.lr_warmup_steps)
    progress = (step - settings.lr_warmup_steps) / span
    cosine = 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return settings.learning_rate * (settings.min_lr_ratio + (1 - settings.min_lr_ratio) * cosine)


def warm_up(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    settings: WarmupSettings,
    progress: bool = True,
    threads: int = 1,
) -> dict:
    """Train ``model`` in place; returns the loss curve summary, wall and CPU time.

    ``threads`` defaults to one torch thread: the model's matrices are small, and on a busy
    two-core machine two OpenMP threads waiting on each other ran 30x slower than one.
    """
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _train(model, tokenizer, settings, progress)
    finally:
        torch.set_num_threads(previous_threads)


def _train(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    settings: WarmupSettings,
    progress: bool,
) -> dict:
    dataset = reasoning_gym.create_dataset(
        TASK_NAME,
        size=settings.steps * settings.batch_size,
        seed=settings.data_seed,
        **settings.distribution.config(),
    )
    generator = torch.Generator().manual_seed(settings.shuffle_seed)
    order = torch.randperm(len(dataset), generator=generator).tolist()
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    model.train()
    losses: list[float] = []
    start, start_cpu = time.perf_counter(), time.process_time()
    bar = tqdm(range(settings.steps), desc="warm-up", disable=not progress, mininterval=2)
    for step in bar:
        indices = order[step * settings.batch_size : (step + 1) * settings.batch_size]
        examples = [encode_example(tokenizer, dataset[i]) for i in indices]
        for group in optimizer.param_groups:
            group["lr"] = learning_rate_at(step, settings)
        loss = batch_loss(model, examples, tokenizer.pad_token_id)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        if step % 25 == 0:
            bar.set_postfix(loss=f"{loss.item():.3f}")
    model.eval()
    tail = losses[-50:]
    return {
        "steps": settings.steps,
        "first_loss": losses[0],
        "final_loss": sum(tail) / len(tail),
        "seconds": time.perf_counter() - start,
        # CPU time of this process: the cost on an idle machine, whatever else shares the cores
        "cpu_seconds": time.process_time() - start_cpu,
    }
