"""Building one source: read, convert, de-duplicate, remove eval overlap, sample, write.

Output: ``<out>/<source>/<split>.parquet`` for each split the source has, and
``<out>/<source>/stats.json`` with rows in, rows out per split, rows dropped by reason,
duplicates removed, train prompts removed for appearing in an evaluation set, rows left out
by sampling and by ``--limit``, and the wall time.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from tqdm import tqdm

from data_prep.catalog import BY_NAME, SOURCES, Converted, Options
from data_prep.dedup import dedupe_splits, prompt_key, remove_overlap
from data_prep.records import Tally, convert_records, read_hub, read_local
from data_prep.rows import SPLITS, read_rows, write_rows


def eval_prompt_keys(out: Path) -> set[str]:
    """Normalised prompts of every evaluation set already built under ``out``."""
    keys: set[str] = set()
    for source in SOURCES:
        path = out / source.name / "test.parquet"
        if source.role == "eval" and path.exists():
            keys.update(prompt_key(row) for row in read_rows(path))
    rg_test = out / "reasoning_gym" / "test.parquet"
    if rg_test.exists():
        keys.update(prompt_key(row) for row in read_rows(rg_test))
    return keys


def seeded_sample(rows: list[dict], size: int, seed: int) -> list[dict]:
    """``size`` rows chosen with ``seed``, in their original order."""
    keep = sorted(random.Random(seed).sample(range(len(rows)), size))
    return [rows[i] for i in keep]


def build_source(
    name: str, out: str | Path, options: Options, input_path: str | None = None
) -> dict:
    """Build source ``name`` into ``out``; returns (and writes) its stats."""
    source = BY_NAME[name]
    out = Path(out)
    started = time.monotonic()
    if isinstance(source, Converted):
        origin = str(input_path) if input_path else f"hub: {source.hub.describe()}"
        records = read_local(input_path) if input_path else read_hub(source.hub)
        records = tqdm(records, desc=name, unit="row", mininterval=2)
        rows, tally = convert_records(records, source.convert, strict=options.strict)
        splits = {split: [r for r in rows if r["extra_info"]["split"] == split] for split in SPLITS}
        splits = {split: split_rows for split, split_rows in splits.items() if split_rows}
    else:
        if input_path:
            raise ValueError(f"{name} is generated locally and takes no --input")
        origin = "generated with reasoning-gym"
        splits, dropped = source.generate(options)
        tally = Tally(
            rows_in=sum(len(r) for r in splits.values()) + sum(dropped.values()), dropped=dropped
        )
    if not splits:
        raise ValueError(
            f"{name}: no row survived conversion of {origin}: {tally.as_dict()['dropped']}"
        )

    splits, duplicates = dedupe_splits(splits)
    overlap = 0
    if source.role == "train" and "train" in splits:
        splits["train"], overlap = remove_overlap(splits["train"], eval_prompt_keys(out))
    sampled_out = 0
    if getattr(source, "sample_size", None) and len(splits.get("train", [])) > source.sample_size:
        sampled_out = len(splits["train"]) - source.sample_size
        splits["train"] = seeded_sample(splits["train"], source.sample_size, options.seed)
    limited_out = 0
    if options.limit is not None:
        for split, split_rows in splits.items():
            limited_out += max(0, len(split_rows) - options.limit)
            splits[split] = split_rows[: options.limit]

    for split, split_rows in splits.items():
        write_rows(split_rows, out / name / f"{split}.parquet")
    stats = {
        "source": name,
        "input": origin,
        **tally.as_dict(),
        "rows_out": {split: len(rows) for split, rows in splits.items()},
        "duplicates_removed": duplicates,
        "eval_overlap_removed": overlap,
        "sampled_out": sampled_out,
        "limited_out": limited_out,
        "seconds": round(time.monotonic() - started, 2),
    }
    (out / name / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    return stats
