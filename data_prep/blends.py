"""The blends the stages train and validate on: source files concatenated, shuffled with a seed.

- ``blend/train_stage1.parquet``: math + code + stem + reasoning_gym (stages 1-2);
- ``blend/train_stage3.parquet``: the same plus instruction following (stages 3-8);
- ``blend/val.parquet``: AIME24, Codeforces (Eurus validation), GPQA-diamond, IFEval and
  graph_color, the validation blend of the paper's Appendix E.

Rows keep their per-source ``extra_info`` (index, source, source_id).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

from data_prep.rows import read_rows, write_rows

STAGE1_SOURCES = ("math", "code", "stem", "reasoning_gym")
STAGE3_SOURCES = (*STAGE1_SOURCES, "ifeval")
# (source, data_source kept or None for all rows)
VAL_PARTS = (
    ("aime24", None),
    ("code_val", "prorl/code/codeforces"),
    ("gpqa", None),
    ("ifeval_eval", None),
    ("graph_color", None),
)


def _load(out: Path, source: str, split: str) -> list[dict]:
    path = out / source / f"{split}.parquet"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: build it first with `python -m data_prep {source} --out {out}`"
        )
    return read_rows(path)


def _shuffled(rows: list[dict], seed: int) -> list[dict]:
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    return rows


def build_blends(out: str | Path, seed: int = 0) -> dict:
    """Write the three blend files under ``<out>/blend``; returns rows per data_source."""
    out = Path(out)
    stage1 = [row for source in STAGE1_SOURCES for row in _load(out, source, "train")]
    stage3 = stage1 + _load(out, "ifeval", "train")
    val = []
    for source, data_source in VAL_PARTS:
        val += [r for r in _load(out, source, "test") if data_source in (None, r["data_source"])]
    blends = {"train_stage1": stage1, "train_stage3": stage3, "val": val}
    stats = {}
    for name, rows in blends.items():
        if not rows:
            raise ValueError(f"blend {name} would be empty")
        write_rows(_shuffled(rows, seed), out / "blend" / f"{name}.parquet", reindex=False)
        stats[name] = {
            "rows": len(rows),
            "by_domain": dict(sorted(Counter(r["extra_info"]["domain"] for r in rows).items())),
        }
    (out / "blend" / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    return stats
