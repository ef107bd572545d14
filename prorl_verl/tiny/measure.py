"""How good a tiny model is per bucket: sampled pass@1 on held-out chain_sum problems.

pass@1 here is the mean, over problems and samples, of "reasoning-gym's scorer gives 1.0 to the
sampled response" (``task.is_correct``), sampling at a given temperature with no top-k/top-p
truncation. It is how the warm-up was tuned to leave a weak base (good on easy, weak on hard)
and a quick check of a model directory; the full pass@k evaluation lives in ``prorl_verl.eval``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from prorl_verl.tiny.task import BUCKETS, generate_problems, is_correct, prompt_messages

# Held-out problems: far from the warm-up's data seeds (WarmupSettings.data_seed is 1e9).
HELD_OUT_SEED = 500_000_000


@torch.no_grad()
def sample_responses(
    model, tokenizer, entries: list[dict], samples: int, temperature: float, max_new_tokens: int
) -> list[list[str]]:
    """``samples`` sampled responses per entry: the text before EOS, special tokens dropped."""
    prompts = [
        tokenizer.apply_chat_template(
            prompt_messages(e), add_generation_prompt=True, tokenize=False
        )
        for e in entries
    ]
    tokenizer.padding_side = "left"
    inputs = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
    output = model.generate(
        **inputs,
        do_sample=True,
        temperature=temperature,
        top_k=0,
        top_p=1.0,
        max_new_tokens=max_new_tokens,
        num_return_sequences=samples,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    new_tokens = output[:, inputs["input_ids"].shape[1] :]
    texts = tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
    return [texts[i * samples : (i + 1) * samples] for i in range(len(entries))]


def pass_at_1(
    model,
    tokenizer,
    bucket: str,
    problems: int = 64,
    samples: int = 4,
    temperature: float = 1.0,
    seed: int = 0,
    max_new_tokens: int = 64,
) -> float:
    """Fraction of correct samples on ``problems`` held-out problems of ``bucket``."""
    entries = generate_problems(bucket, problems, seed=HELD_OUT_SEED)
    torch.manual_seed(seed)
    correct = 0
    for entry, responses in zip(
        entries,
        sample_responses(model, tokenizer, entries, samples, temperature, max_new_tokens),
        strict=True,
    ):
        correct += sum(is_correct(response, entry) for response in responses)
    return correct / (problems * samples)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m prorl_verl.tiny.measure",
        description="Sampled pass@1 of a tiny model directory on held-out chain_sum problems "
        f"of each bucket ({', '.join(BUCKETS)}).",
    )
    parser.add_argument("model_dir", type=Path, help="a directory from python -m prorl_verl.tiny")
    parser.add_argument("--problems", type=int, default=64, help="problems per bucket")
    parser.add_argument("--samples", type=int, default=4, help="samples per problem")
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0, help="sampling seed")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    tokenizer = AutoTokenizer.from_pretrained(args.model_dir)
    model = AutoModelForCausalLM.from_pretrained(args.model_dir).eval()
    for bucket in BUCKETS:
        start = time.perf_counter()
        score = pass_at_1(
            model, tokenizer, bucket, args.problems, args.samples, args.temperature, args.seed
        )
        print(
            f"{bucket}: pass@1 {score:.3f} ({args.problems} problems x {args.samples} samples, "
            f"T={args.temperature}, {time.perf_counter() - start:.1f}s)"
        )


if __name__ == "__main__":
    main()
