"""The study's problems: reasoning-gym ``chain_sum`` at three difficulties, as verl parquet.

Training mixes the tiny base's ``easy`` bucket (two one-digit terms, which it mostly solves)
with its ``hard`` one (three terms, solved about one time in five): like ProRL's blend, it
holds problems where the base is strong and where it is weak. ``ood`` (four terms) is never
trained on; it plays the part of the paper's unseen tasks (§4.3). One-digit sums are few
(200 distinct two-term problems), so every test problem is removed from the training set.
"""

from __future__ import annotations

import json
from pathlib import Path

from prorl_verl.tiny.task import EASY, HARD, ChainSumBucket

OOD = ChainSumBucket("ood", min_terms=4, max_terms=4, min_digits=1, max_digits=1)
#: evaluation buckets, in the order tables and figures show them
EVAL_BUCKETS = (EASY, HARD, OOD)
TRAIN_BUCKETS = (EASY, HARD)
TRAIN_PER_BUCKET = 1024
VAL_PER_BUCKET = 32
#: reasoning-gym generator seed (data_prep hashes it with the split and bucket)
SEED = 0


def eval_set_name(bucket: ChainSumBucket) -> str:
    """The evaluation set's name in prorl_verl.eval's tables: ``chain_sum_<bucket>``."""
    return f"chain_sum_{bucket.name}"


def _rows(bucket: ChainSumBucket, split: str, size: int) -> list[dict]:
    # imported here: the study's plan and --help read the buckets above without reasoning-gym
    from data_prep.reasoning_gym import build_rows

    return build_rows("chain_sum", size, SEED, split, bucket.config(), variant=bucket.name)


def _question(row: dict) -> str:
    return json.dumps(list(row["prompt"]), sort_keys=True, default=str)


def build_splits(eval_prompts: int) -> dict[str, list[dict]]:
    """Rows of every file: ``train``, ``val`` and one test set per evaluation bucket."""
    tests = {eval_set_name(bucket): _rows(bucket, "test", eval_prompts) for bucket in EVAL_BUCKETS}
    held_out = {_question(row) for rows in tests.values() for row in rows}
    train = [
        row
        for bucket in TRAIN_BUCKETS
        for row in _rows(bucket, "train", TRAIN_PER_BUCKET)
        if _question(row) not in held_out
    ]
    val = [row for bucket in TRAIN_BUCKETS for row in _rows(bucket, "val", VAL_PER_BUCKET)]
    return {"train": train, "val": val, **tests}


def write_data(data_dir: Path, eval_prompts: int) -> dict[str, Path]:
    """Write the parquet files once; a study that finds them already written reuses them."""
    names = ["train", "val", *(eval_set_name(bucket) for bucket in EVAL_BUCKETS)]
    paths = {name: data_dir / f"{name}.parquet" for name in names}
    if all(path.exists() for path in paths.values()):
        return paths
    import pandas as pd

    data_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in build_splits(eval_prompts).items():
        partial = paths[name].with_suffix(".tmp")
        pd.DataFrame(rows).to_parquet(partial)
        partial.rename(paths[name])
    return paths
