"""The verl row every source is converted to, and its parquet reader/writer.

A row is ``{data_source, prompt, ability, reward_model: {style: "rule", ground_truth},
extra_info: {index, domain, split, source, source_id, variant}}``. The schema is fixed (one
Arrow schema for all sources) so that rows of any sources concatenate into one blend file:
``ground_truth`` is always a string (JSON text for code, reasoning-gym and instruction
following), and ``extra_info`` always has the same six fields (``variant`` is "" unless a
source has sub-sets, e.g. graph_color's node count). Files are written without timestamps,
so the same rows give the same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])
EXTRA_INFO = pa.struct(
    [
        ("index", pa.int64()),
        ("domain", pa.string()),
        ("split", pa.string()),
        ("source", pa.string()),
        ("source_id", pa.string()),
        ("variant", pa.string()),
    ]
)
SCHEMA = pa.schema(
    [
        ("data_source", pa.string()),
        ("prompt", pa.list_(MESSAGE)),
        ("ability", pa.string()),
        ("reward_model", pa.struct([("style", pa.string()), ("ground_truth", pa.string())])),
        ("extra_info", EXTRA_INFO),
    ]
)
SPLITS = ("train", "val", "test")


def make_row(
    *,
    data_source: str,
    prompt: list[dict],
    ability: str,
    ground_truth: str,
    domain: str,
    source: str,
    source_id: str,
    split: str,
    variant: str = "",
) -> dict:
    """One verl row; ``extra_info.index`` is set to the row's position when it is written."""
    if not isinstance(ground_truth, str):
        raise TypeError(f"ground_truth must be a string, got {type(ground_truth).__name__}")
    return {
        "data_source": data_source,
        "prompt": prompt,
        "ability": ability,
        "reward_model": {"style": "rule", "ground_truth": ground_truth},
        "extra_info": {
            "index": -1,
            "domain": domain,
            "split": split,
            "source": source,
            "source_id": source_id,
            "variant": variant,
        },
    }


def user_text(row: dict) -> str:
    """The last user message of a row's prompt (the problem as the model sees it)."""
    return next(m["content"] for m in reversed(row["prompt"]) if m["role"] == "user")


def write_rows(rows: list[dict], path: str | os.PathLike, *, reindex: bool = True) -> Path:
    """Write rows to ``path`` as parquet with the fixed schema; index rows 0..n-1 unless told not to."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if reindex:
        rows = [
            {**row, "extra_info": {**row["extra_info"], "index": i}} for i, row in enumerate(rows)
        ]
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp, compression="zstd")
    tmp.replace(path)
    return path


def read_rows(path: str | os.PathLike) -> list[dict]:
    """Rows of a parquet file written by :func:`write_rows`."""
    return pq.read_table(path).to_pylist()
