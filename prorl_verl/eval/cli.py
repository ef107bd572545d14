"""Command line of the pass@k evaluation (``python -m prorl_verl.eval``, ``make eval``)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from prorl_verl.directory_lock import DirectoryInUse
from prorl_verl.eval.runner import EvalConfig, ModelSpec, run_eval
from prorl_verl.eval.samplers import BACKENDS, SamplingSettings

DESCRIPTION = """\
Sample N responses per prompt from each checkpoint, grade them with reward_fns and write
pass@k tables (CSV + Markdown) and the paper's figures (PNG) under --out:

  generations/<model>/<set>.jsonl  every completion, stored as it is made (reused on rerun)
  scores/<model>/<set>.csv         per prompt: samples, correct, mean score, reported pass@1
  tables/<set>.csv|.md, tables/summary.csv|.md, tables/by_task.csv
  tables/gain_vs_base.csv, tables/graph_color_by_size.csv (when they apply)
  plots/passk_<set>.png (Fig 4), plots/pass1_hist_<set>.png (Fig 7),
  plots/gain_vs_base.png (Fig 3 left), plots/graph_color_size_<set>.png (Fig 6)

`python -m prorl_verl.eval creativity --help`: the Creativity Index of the stored generations
against a reference corpus (tables/creativity*.csv|.md, plots/creativity_*.png).

Rerunning the same command generates nothing new and only re-scores; an interrupted run
continues where it stopped. Sampling defaults are the paper's: temperature 0.6, top_p 0.95,
responses up to 32k tokens.
"""

EPILOG = """\
examples:
  python -m prorl_verl.eval --models base=ckpt/base rl=ckpt/rl --sets aime24 gpqa --n 256
  python -m prorl_verl.eval --models 'base=ckpt/base rl=ckpt/rl' --sets 'aime24 gpqa' --n 256
  python -m prorl_verl.eval --models ckpt/rl --sets my_set.parquet --n 16 --max-new-tokens 512
"""


def _words(values: list[str]) -> list[str]:
    """Accept list items as separate arguments or as one space-separated string."""
    return [word for value in values for word in value.split()]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m prorl_verl.eval",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--models",
        nargs="+",
        required=True,
        metavar="NAME=PATH",
        help="Hugging Face model directories to evaluate, each NAME=PATH (or a bare PATH, named "
        "after its folder); separate arguments or one space-separated string",
    )
    p.add_argument(
        "--sets",
        nargs="+",
        required=True,
        metavar="SET",
        help="eval sets: names resolved as DATA_DIR/<name>/test.parquet (aime24, aime25, amc, "
        "math500, minerva, olympiadbench, gpqa, humaneval_plus, livecodebench, ifeval_eval, "
        "reasoning_gym, reasoning_gym_ood, graph_color) or paths of verl parquet files",
    )
    p.add_argument(
        "--n",
        type=int,
        default=16,
        help="samples per prompt (default 16; the paper uses up to 256)",
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        default=Path("data"),
        help="where set names are looked up (default: data)",
    )
    p.add_argument(
        "--out", type=Path, default=Path("runs/eval"), help="output directory (default: runs/eval)"
    )
    p.add_argument(
        "--temperature",
        type=float,
        default=0.6,
        help="sampling temperature; 0 = greedy (default 0.6)",
    )
    p.add_argument(
        "--top-p", type=float, default=0.95, help="nucleus sampling threshold (default 0.95)"
    )
    p.add_argument(
        "--max-new-tokens",
        type=int,
        default=32768,
        help="response length cap in tokens (default 32768)",
    )
    p.add_argument(
        "--seed", type=int, default=0, help="prompt i is sampled with seed SEED+i (default 0)"
    )
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default="auto",
        help="generation engine: vllm (GPU, needs the gpu extra), hf (transformers generate, CPU) "
        "or auto: vllm when CUDA is available, else hf",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=16,
        help="hf backend: sequences per generate call (default 16)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="hf backend: torch CPU threads (default: torch's choice, one per physical core; "
        "1 when other work keeps the cores busy)",
    )
    p.add_argument(
        "--dtype",
        default="auto",
        help="weights dtype (float32, bfloat16, ...); auto = float32 for hf, the model's own for vllm",
    )
    p.add_argument(
        "--tensor-parallel-size",
        type=int,
        default=1,
        help="vllm backend: GPUs per model (default 1)",
    )
    p.add_argument(
        "--limit", type=int, default=None, help="evaluate only the first LIMIT prompts of each set"
    )
    p.add_argument(
        "--base", default=None, help="model that gains are measured against (default: the first)"
    )
    return p


def config_from_args(args: argparse.Namespace) -> EvalConfig:
    for flag, value, minimum in (
        ("--n", args.n, 1),
        ("--max-new-tokens", args.max_new_tokens, 1),
        ("--batch-size", args.batch_size, 1),
        ("--threads", 1 if args.threads is None else args.threads, 1),
    ):
        if value < minimum:
            raise SystemExit(f"{flag} must be at least {minimum}, got {value}")
    if args.limit is not None and args.limit < 1:
        raise SystemExit(f"--limit must be at least 1, got {args.limit}")
    if args.temperature < 0 or not 0 < args.top_p <= 1:
        raise SystemExit(
            f"need --temperature >= 0 and 0 < --top-p <= 1, got {args.temperature}, {args.top_p}"
        )
    return EvalConfig(
        models=[ModelSpec.parse(text) for text in _words(args.models)],
        sets=_words(args.sets),
        out_dir=args.out,
        sampling=SamplingSettings(args.n, args.temperature, args.top_p, args.max_new_tokens),
        data_dir=args.data_dir,
        seed=args.seed,
        backend=args.backend,
        batch_size=args.batch_size,
        threads=args.threads,
        dtype=args.dtype,
        tensor_parallel_size=args.tensor_parallel_size,
        limit=args.limit,
        base=args.base,
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["creativity"]:
        from prorl_verl.eval.creativity.cli import main as creativity_main

        return creativity_main(argv[1:])
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None
    try:
        report = run_eval(config)
    # bad input, or the output directory in use: the message names the culprit
    except (FileNotFoundError, ValueError, DirectoryInUse) as error:
        raise SystemExit(f"error: {error}") from None
    print((Path(config.out_dir) / "tables" / "summary.md").read_text())
    print(f"wrote {len(report.files)} files under {config.out_dir}")
    return 0
