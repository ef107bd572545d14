"""``python -m prorl_verl.eval creativity``: the Creativity Index of stored eval generations."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from prorl_verl.eval.creativity.corpus_files import corpus_files, iter_documents
from prorl_verl.eval.creativity.coverage import PAPER_MAX_N, PAPER_MIN_N, NgramIndex
from prorl_verl.eval.creativity.figures import plot_by_task, plot_uniqueness_curve
from prorl_verl.eval.creativity.generations import (
    generation_files,
    generations_dir,
    iter_responses,
)
from prorl_verl.eval.creativity.infini_gram import PUBLIC_ENDPOINT, InfiniGramAPI, InfiniGramError
from prorl_verl.eval.creativity.report import model_rows, score_responses, task_rows, write_report
from prorl_verl.eval.creativity.suffix_index import META_FILE, build_index, load_index

DESCRIPTION = f"""\
Score every stored response of `python -m prorl_verl.eval` by how much of it occurs verbatim
in a reference corpus (Lu et al. 2024, as used in ProRL §4): per response the L-uniqueness
curve (fraction of its whitespace words in no corpus span of >= L words) for L = MIN_N..MAX_N
and the Creativity Index (the curve's sum, 0..MAX_N-MIN_N+1), then means per task and model.

The corpus is a local index (--index DIR, built from --corpus files on first use) or, with
--infini-gram-index, a remote infini-gram endpoint (network; off by default). Writes under
--out (default: the eval output directory the generations belong to):

  creativity/<model>/<set>.csv             per response: words, uniqueness@L, creativity_index
  tables/creativity_by_task.csv            per model, set and data_source
  tables/creativity_by_model.csv, tables/creativity.md
  plots/creativity_by_task.png             index per task, models side by side
  plots/creativity_uniqueness_curve.png    mean L-uniqueness against L per model

Corpus files: .txt/.md (a document per paragraph), .jsonl/.json (TEXT_FIELD of each line's
object), .parquet (column TEXT_FIELD), or directories of them. Defaults: L = {PAPER_MIN_N}..{PAPER_MAX_N} (the paper's).
"""

EPILOG = """\
examples:
  python -m prorl_verl.eval creativity --generations runs/eval --index runs/corpus_index \\
      --corpus corpus/ pretraining.parquet
  python -m prorl_verl.eval creativity --generations runs/eval --index runs/corpus_index
  python -m prorl_verl.eval creativity --corpus corpus/ --index runs/corpus_index   # build only
  python -m prorl_verl.eval creativity --generations runs/eval --infini-gram-index v4_dolma-v1_7_llama
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m prorl_verl.eval creativity",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--generations",
        type=Path,
        help="an eval output directory (its generations/<model>/<set>.jsonl are scored) or a "
        "generations folder; omit to only build the index",
    )
    p.add_argument("--index", type=Path, help="directory of the local corpus index")
    p.add_argument(
        "--corpus",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="build --index from these files or directories first (reused when the index was "
        "built from the same files; --rebuild to build anew)",
    )
    p.add_argument("--rebuild", action="store_true", help="rebuild --index from --corpus")
    p.add_argument(
        "--text-field",
        default="text",
        help="field / column holding the text in .jsonl and .parquet corpus files (default text)",
    )
    p.add_argument(
        "--infini-gram-index",
        metavar="NAME",
        help="score against this index of a remote infini-gram endpoint instead of --index "
        "(e.g. v4_dolma-v1_7_llama); sends every span it checks over the network",
    )
    p.add_argument(
        "--infini-gram-url",
        default=PUBLIC_ENDPOINT,
        help=f"the infini-gram endpoint (default {PUBLIC_ENDPOINT})",
    )
    p.add_argument("--min-n", type=int, default=PAPER_MIN_N, help="smallest L (default 5)")
    p.add_argument("--max-n", type=int, default=PAPER_MAX_N, help="largest L (default 12)")
    p.add_argument(
        "--models",
        nargs="+",
        metavar="NAME",
        help="models to score, in this order; the first is the base others are compared to "
        "(default: every model stored, alphabetically, except that one named base comes first)",
    )
    p.add_argument("--out", type=Path, help="output directory (default: see above)")
    return p


def _local_index(args: argparse.Namespace) -> NgramIndex:
    if args.index is None:
        raise ValueError("give --index DIR (a local index) or --infini-gram-index NAME")
    if args.corpus is None:
        return load_index(args.index)
    sources = [str(p.resolve()) for p in corpus_files(args.corpus)]
    meta_path = args.index / META_FILE
    if meta_path.is_file() and not args.rebuild:
        built_from = json.loads(meta_path.read_text()).get("sources")
        if built_from != sources:
            raise ValueError(
                f"{args.index} holds an index of other files ({len(built_from or [])} files, not "
                f"the {len(sources)} given); pass --rebuild to replace it or another --index"
            )
        logging.info("reusing the index in %s (built from the same files)", args.index)
        return load_index(args.index)
    return build_index(iter_documents(sources, args.text_field), args.index, sources=sources)


def run(args: argparse.Namespace) -> list[Path]:
    if args.min_n < 1 or args.max_n < args.min_n:
        raise ValueError(f"need 1 <= --min-n <= --max-n, got {args.min_n}, {args.max_n}")
    if args.infini_gram_index and (args.index or args.corpus):
        raise ValueError("--infini-gram-index replaces --index/--corpus: give one or the other")
    # look at the store first: a bad one fails before any index work
    files = [] if args.generations is None else generation_files(args.generations, args.models)
    if args.infini_gram_index:
        index: NgramIndex = InfiniGramAPI(args.infini_gram_index, args.infini_gram_url)
    else:
        index = _local_index(args)
    print(index)
    if args.generations is None:
        return []
    out = args.out or generations_dir(args.generations).parent
    scored = score_responses(index, iter_responses(files), args.min_n, args.max_n)
    if not scored:
        raise ValueError(f"{args.generations}: the stored generations hold no responses")
    written = write_report(scored, out, args.min_n, args.max_n)
    tasks, models = task_rows(scored), model_rows(scored)
    written += [
        plot_by_task(tasks, out / "plots", args.min_n, args.max_n),
        plot_uniqueness_curve(models, out / "plots", args.min_n, args.max_n),
    ]
    print((out / "tables" / "creativity.md").read_text())
    return written


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    if args.generations is None and args.corpus is None:
        raise SystemExit("error: give --generations to score, --corpus to build an index, or both")
    try:
        written = run(args)
    except (FileNotFoundError, ValueError, TypeError, InfiniGramError) as error:
        raise SystemExit(f"error: {error}") from None
    if written:
        print(f"wrote {len(written)} files")
    return 0
