"""Eval sets: verl parquet rows, named by set or given by path.

Rule: a name such as ``aime24`` means ``<data_dir>/aime24/test.parquet`` (the layout data_prep
writes); anything ending in ``.parquet`` or naming an existing file is read as it is, and the
set is named after the file (or after its folder when the file is called ``test.parquet``).
Every row must carry ``data_source`` (str), ``prompt`` (non-empty chat messages) and
``reward_model.ground_truth``; ``extra_info`` is optional. A bad row is an error naming the file,
row and field, never a silent skip.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq


@dataclass(frozen=True)
class EvalRow:
    index: int
    data_source: str
    prompt: list[dict]
    ground_truth: Any
    extra_info: dict = field(default_factory=dict)


@dataclass(frozen=True)
class EvalSet:
    name: str
    path: Path
    rows: list[EvalRow]


def resolve_eval_set(spec: str, data_dir: str | Path) -> tuple[str, Path]:
    """(set name, parquet path) for a set name or a parquet path."""
    as_path = Path(spec)
    if spec.endswith(".parquet") or as_path.is_file():
        if not as_path.is_file():
            raise FileNotFoundError(f"eval set file {as_path} does not exist")
        name = as_path.parent.name if as_path.stem == "test" else as_path.stem
        return name, as_path
    path = Path(data_dir) / spec / "test.parquet"
    if not path.is_file():
        raise FileNotFoundError(
            f"eval set {spec!r}: {path} does not exist (prepare the data first, pass --data-dir, "
            "or give the path of a parquet file)"
        )
    return spec, path


def _row_error(path: Path, index: int, field_name: str, problem: str) -> ValueError:
    return ValueError(f"{path}, row {index}, field {field_name!r}: {problem}")


def _parse_row(path: Path, index: int, raw: dict) -> EvalRow:
    data_source = raw.get("data_source")
    if not isinstance(data_source, str) or not data_source:
        raise _row_error(
            path, index, "data_source", f"expected a non-empty string, got {data_source!r}"
        )
    prompt = raw.get("prompt")
    if not isinstance(prompt, list) or not prompt:
        raise _row_error(
            path, index, "prompt", f"expected a non-empty list of chat messages, got {prompt!r}"
        )
    for message in prompt:
        if not (
            isinstance(message, dict)
            and isinstance(message.get("role"), str)
            and isinstance(message.get("content"), str)
        ):
            raise _row_error(
                path,
                index,
                "prompt",
                f"each message needs string 'role' and 'content', got {message!r}",
            )
    reward_model = raw.get("reward_model")
    if not isinstance(reward_model, dict) or reward_model.get("ground_truth") is None:
        raise _row_error(path, index, "reward_model.ground_truth", "missing")
    extra_info = raw.get("extra_info") or {}
    if not isinstance(extra_info, dict):
        raise _row_error(
            path, index, "extra_info", f"expected a mapping, got {type(extra_info).__name__}"
        )
    prompt = [{"role": m["role"], "content": m["content"]} for m in prompt]
    return EvalRow(index, data_source, prompt, reward_model["ground_truth"], extra_info)


def load_eval_set(spec: str, data_dir: str | Path = "data") -> EvalSet:
    """Read and check an eval set."""
    name, path = resolve_eval_set(spec, data_dir)
    table = pq.read_table(path)
    missing = {"data_source", "prompt", "reward_model"} - set(table.column_names)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)} (have {table.column_names})")
    rows = [_parse_row(path, index, raw) for index, raw in enumerate(table.to_pylist())]
    if not rows:
        raise ValueError(f"{path}: eval set has no rows")
    return EvalSet(name, path, rows)


def graph_color_size(row: EvalRow) -> int | None:
    """Vertex count of a reasoning-gym ``graph_color`` row, None for other rows.

    Read from the reasoning-gym entry in the ground truth (``metadata.num_vertices``), else from
    the digits of ``extra_info.variant`` (data_prep's sub-set label).
    """
    if not row.data_source.endswith("/graph_color"):
        return None
    try:
        entry = json.loads(row.ground_truth)["entry"]
        return int(entry["metadata"]["num_vertices"])
    except (TypeError, ValueError, KeyError):
        pass
    digits = re.search(r"\d+", str(row.extra_info.get("variant", "")))
    if digits is None:
        raise ValueError(
            f"row {row.index} ({row.data_source}): graph size not found in the ground truth's "
            "entry.metadata.num_vertices nor in extra_info.variant"
        )
    return int(digits.group())
