"""Command line: build one source, all of them (from the hub) plus the blends, or just the blends."""

from __future__ import annotations

import argparse
import json
import os
import sys

from data_prep.blends import build_blends
from data_prep.build import build_source
from data_prep.catalog import SOURCES, Converted, Options

EPILOG = """\
examples:
  python -m data_prep math --input deepscaler.json --out data      # one source from local files
  python -m data_prep reasoning_gym --out data --workers 2          # generated locally
  python -m data_prep all --out data                                # everything from the hub + blends
  python -m data_prep blend --out data                              # blends from built sources
"""


def _common(parser: argparse.ArgumentParser, *, generated: bool) -> None:
    parser.add_argument(
        "--out", required=True, help="output directory (one sub-directory per source)"
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="keep at most N rows per split (small runs)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of generation and sampling (default 0)"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="stop at the first malformed row, naming file, row and field",
    )
    if generated:
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="generation processes (default 2)",
        )
        parser.add_argument(
            "--rg-train-per-task",
            type=int,
            default=Options.rg_train_per_task,
            help="reasoning-gym train items per task (default %(default)s)",
        )
        parser.add_argument(
            "--rg-val-per-task",
            type=int,
            default=Options.rg_val_per_task,
            help="reasoning-gym val items per task (default %(default)s)",
        )
        parser.add_argument(
            "--rg-test-per-task",
            type=int,
            default=Options.rg_test_per_task,
            help="reasoning-gym test items per task, OOD tasks too (default %(default)s)",
        )
        parser.add_argument(
            "--graph-color-per-size",
            type=int,
            default=Options.graph_color_per_size,
            help="graph_color items per node count (default %(default)s)",
        )


def _options(args: argparse.Namespace) -> Options:
    fields = {
        "seed": args.seed,
        "strict": args.strict,
        "limit": args.limit,
    }
    for name in (
        "workers",
        "rg_train_per_task",
        "rg_val_per_task",
        "rg_test_per_task",
        "graph_color_per_size",
    ):
        if hasattr(args, name):
            fields[name] = getattr(args, name)
    return Options(**fields)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m data_prep",
        description="Build the ProRL data as verl parquet: <out>/<source>/{train,val,test}.parquet + stats.json, and <out>/blend/.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="command")
    for source in SOURCES:
        if isinstance(source, Converted):
            sub = commands.add_parser(
                source.name,
                help=f"{source.role}: {source.about}",
                description=f"{source.about}. Hub: {source.hub.describe()}.",
            )
            sub.add_argument(
                "--input",
                help="local file or directory in the hub's schema (parquet/jsonl/json); default: download from the hub",
            )
            _common(sub, generated=False)
        else:
            sub = commands.add_parser(
                source.name,
                help=f"{source.role}: {source.about}",
                description=f"{source.about}. Generated locally.",
            )
            _common(sub, generated=True)
    everything = commands.add_parser(
        "all", help="every source from the hub (needs hub access), then the blends"
    )
    _common(everything, generated=True)
    blend = commands.add_parser(
        "blend", help="the train/val blends from sources already built in --out"
    )
    blend.add_argument("--out", required=True, help="directory holding the built sources")
    blend.add_argument("--seed", type=int, default=0, help="shuffle seed (default 0)")
    return top


def build_everything(out: str, options: Options, seed: int) -> int:
    """Every source, then the blends; a source that fails is reported and the rest still built."""
    failed = {}
    for source in SOURCES:
        try:
            stats = build_source(source.name, out, options)
        except Exception as error:  # e.g. a hub dataset that cannot be reached
            failed[source.name] = f"{type(error).__name__}: {error}"
            print(f"{source.name}: FAILED: {failed[source.name]}", file=sys.stderr)
            continue
        print(f"{source.name}: {stats['rows_out']} ({stats['seconds']} s)", file=sys.stderr)
    if failed:
        print(f"not built: {', '.join(failed)}; blends skipped", file=sys.stderr)
        return 1
    print(json.dumps(build_blends(out, seed), indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "blend":
        print(json.dumps(build_blends(args.out, args.seed), indent=2))
        return 0
    options = _options(args)
    if args.command == "all":
        return build_everything(args.out, options, args.seed)
    source_input = getattr(args, "input", None)
    stats = build_source(args.command, args.out, options, source_input)
    print(json.dumps(stats, indent=2))
    return 0
