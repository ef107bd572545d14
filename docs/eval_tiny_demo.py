"""Evaluate the embedded tiny model by pass@k on CPU and keep the figures for the docs.

Two checkpoints of the tiny Qwen2 — random weights (``init``) and the cold-started base taught
reasoning-gym ``chain_sum`` (``warmed_up``) — are sampled 16 times per prompt on three
``chain_sum`` eval sets of rising difficulty, through the same command line users run
(``python -m prorl_verl.eval``). The figures it writes are copied to ``docs/eval_*.png``.

    .venv/bin/python docs/eval_tiny_demo.py            # builds the models on first use
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from data_prep.reasoning_gym import entry_row
from data_prep.rows import write_rows
from prorl_verl.eval.cli import main as eval_main
from prorl_verl.tiny import EASY, HARD, ChainSumBucket, ensure_tiny_model, generate_problems

DOCS = Path(__file__).resolve().parent
MEDIUM = ChainSumBucket("medium", min_terms=3, max_terms=4, min_digits=1, max_digits=2)
BUCKETS = (EASY, MEDIUM, HARD)
EVAL_SEED = 90_000  # far from the seeds the warm-up draws its problems from


def write_eval_sets(data_dir: Path, prompts: int) -> list[str]:
    names = []
    for offset, bucket in enumerate(BUCKETS):
        entries = generate_problems(bucket, prompts, seed=EVAL_SEED + offset * prompts)
        rows = [
            entry_row(
                "chain_sum",
                entry,
                split="test",
                source_id=f"demo/{bucket.name}/{i}",
                variant=bucket.name,
            )
            for i, entry in enumerate(entries)
        ]
        name = f"chain_sum_{bucket.name}"
        write_rows(rows, data_dir / name / "test.parquet")
        names.append(name)
    return names


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cache-dir", type=Path, default=Path("runs/tiny_models"), help="tiny model cache"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("runs/eval_tiny_demo"), help="evaluation output"
    )
    parser.add_argument("--prompts", type=int, default=24, help="prompts per eval set")
    parser.add_argument("--n", type=int, default=16, help="samples per prompt")
    args = parser.parse_args()

    init = ensure_tiny_model(args.cache_dir, warmup=False)
    warmed = ensure_tiny_model(args.cache_dir, warmup=True)
    sets = write_eval_sets(args.out / "data", args.prompts)
    # random weights never finish an answer, so their responses run to the cap: keep it short
    eval_main(
        [
            "--models", f"init={init}", f"warmed_up={warmed}",
            "--sets", *sets,
            "--data-dir", str(args.out / "data"),
            "--out", str(args.out),
            "--n", str(args.n),
            "--max-new-tokens", "48",
            "--threads", "1",
        ]
    )  # fmt: skip
    for figure, doc_name in (
        ("passk_chain_sum_medium", "eval_passk.png"),
        ("pass1_hist_chain_sum_medium", "eval_pass1_hist.png"),
    ):
        shutil.copy(args.out / "plots" / f"{figure}.png", DOCS / doc_name)
    shutil.copy(args.out / "tables" / "summary.md", DOCS / "eval_tiny_summary.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
