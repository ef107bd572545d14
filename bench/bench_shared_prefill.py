"""Benchmark: generation with each distinct prompt run through the model once, against ``generate``.

    .venv/bin/python bench/bench_shared_prefill.py [--rounds 6] [--threads 1]

On the demo's prompts (the chat-templated ``chain_sum`` questions, ~109 tokens) and the
cold-started tiny base, in one process, alternating the two ways round by round:

- **rollout**: one batch of the ``hf`` rollout server as a demo step sends it, 16 prompts x
  8 samples, up to 48 new tokens (``HFGenerateServer._generate_batch``);
- **evaluation**: ``prorl_verl.eval``'s sampler, 8 prompts x 32 samples in batches of 64, up
  to 48 new tokens (``sample_completions``).

"shared" is :func:`prorl_verl.shared_prefill.generate_sharing_prompts`; "generate" is
``model.generate`` on the same padded batch. Prints the median seconds of each and the ratio.
"""

import argparse
import statistics
import time
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pandas as pd
import torch

from prorl_verl.cpu import hf_rollout
from prorl_verl.demo import demo_data
from prorl_verl.eval import hf_sampler
from prorl_verl.shared_prefill import generate_sharing_prompts
from prorl_verl.tiny.cache import ensure_tiny_model

REPO = Path(__file__).resolve().parents[1]
PROMPTS, SAMPLES, MAX_NEW_TOKENS = 16, 8, 48
EVAL_PROMPTS, EVAL_SAMPLES, EVAL_BATCH = 8, 32, 64


def plain_generate(model, input_ids, attention_mask, **kwargs):
    return model.generate(input_ids=input_ids, attention_mask=attention_mask, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rounds", type=int, default=6, help="runs of each way, alternating (default 6)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1, as a CPU-mode rollout server)",
    )
    parser.add_argument(
        "--tiny-cache",
        type=Path,
        default=REPO / "runs" / "tiny",
        help="tiny model cache (default runs/tiny)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path("/tmp/prorl-bench-prefill"),
        help="where the demo data is written",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model_dir = ensure_tiny_model(args.tiny_cache, warmup=True)
    rows = pd.read_parquet(demo_data(args.work / "data")["train"])
    prompts = [list(p) for p in rows.prompt[:PROMPTS]]

    server = hf_rollout.HFGenerateServer(
        SimpleNamespace(prompt_length=192, response_length=MAX_NEW_TOKENS), {"path": str(model_dir)}
    )
    tokenizer = hf_sampler.load_model(model_dir)[1]
    token_ids = [
        tokenizer.apply_chat_template(p, add_generation_prompt=True, tokenize=True) for p in prompts
    ]
    token_ids = [ids["input_ids"] if hasattr(ids, "keys") else ids for ids in token_ids]
    requests = [(ids, None) for ids in token_ids for _ in range(SAMPLES)]
    sampling = (1.0, 1.0, -1, 1.0, MAX_NEW_TOKENS)

    def rollout():
        server._generate_batch(sampling, requests)

    def evaluation():
        hf_sampler.sample_completions(
            server.model,
            tokenizer,
            prompts[:EVAL_PROMPTS],
            EVAL_SAMPLES,
            temperature=1.0,
            top_p=1.0,
            max_new_tokens=MAX_NEW_TOKENS,
            batch_size=EVAL_BATCH,
            seed=0,
        )

    ways = {"shared": generate_sharing_prompts, "generate": plain_generate}
    seconds = {(task, way): [] for task in ("rollout", "evaluation") for way in ways}
    for round_ in range(args.rounds):
        order = list(ways) if round_ % 2 == 0 else list(ways)[::-1]
        for way in order:
            with (
                mock.patch.object(hf_rollout, "generate_sharing_prompts", ways[way]),
                mock.patch.object(hf_sampler, "generate_sharing_prompts", ways[way]),
            ):
                for task, run in (("rollout", rollout), ("evaluation", evaluation)):
                    start = time.perf_counter()
                    run()
                    seconds[task, way].append(time.perf_counter() - start)
        print(f"round {round_ + 1}/{args.rounds} done", flush=True)

    print(f"\nmedian s over {args.rounds} rounds, torch threads {args.threads}")
    print(f"{'task':<40}{'shared':>9}{'generate':>10}{'ratio':>8}")
    for task, label in (
        ("rollout", f"rollout batch ({PROMPTS} prompts x {SAMPLES})"),
        ("evaluation", f"evaluation ({EVAL_PROMPTS} prompts x {EVAL_SAMPLES})"),
    ):
        shared = statistics.median(seconds[task, "shared"])
        plain = statistics.median(seconds[task, "generate"])
        print(f"{label:<40}{shared:>9.3f}{plain:>10.3f}{shared / plain:>8.2f}")


if __name__ == "__main__":
    main()
