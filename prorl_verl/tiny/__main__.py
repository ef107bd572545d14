"""Command line: build (or find in the cache) the embedded tiny model and print its directory."""

from __future__ import annotations

import argparse

from prorl_verl.tiny.cache import BASE_DIR_NAME, INIT_DIR_NAME, ensure_tiny_model


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m prorl_verl.tiny",
        description=(
            "Build the embedded tiny Qwen2 model (about 1M parameters) and its BPE tokenizer "
            "locally from a fixed seed, without downloading anything. By default the model gets "
            "a short supervised warm-up on reasoning-gym chain_sum problems (a few minutes on "
            "a CPU) so it is a weak base that reinforcement learning can improve. The result "
            "is cached: a second run returns at once unless an input of the build changed. "
            "Prints the model directory, usable as actor_rollout_ref.model.path."
        ),
    )
    parser.add_argument(
        "--out",
        required=True,
        help=f"cache directory; the model lands in OUT/{BASE_DIR_NAME} "
        f"(or OUT/{INIT_DIR_NAME} with --no-warmup)",
    )
    parser.add_argument(
        "--no-warmup",
        action="store_true",
        help="random weights, no training: seconds to build, for wiring tests",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads for the warm-up (default 1: the model is small, and a second "
        "thread mostly waits when other work shares the cores)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print(ensure_tiny_model(args.out, warmup=not args.no_warmup, threads=args.threads))


if __name__ == "__main__":
    main()
