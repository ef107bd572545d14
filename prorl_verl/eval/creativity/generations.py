"""Stored eval generations read back for analysis: every response with its model, set and task.

Rule: ``python -m prorl_verl.eval`` stores ``generations/<model>/<set>.jsonl`` (one line per
prompt, all its completions) beside ``<set>.meta.json``, which names the eval set's parquet
file. A response's task is the ``data_source`` of that file's row with the prompt's index;
when the file is no longer there the task is the set name, and a warning says so. Reading
never changes the store: a torn last line (an interrupted run) is reported and left out, any
other unreadable line is an error naming the file and line. Files are read one line (one
prompt) at a time, so long runs are never held in memory whole.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Response:
    model: str
    eval_set: str
    data_source: str
    prompt_index: int
    sample: int
    text: str


def generations_dir(path: str | Path) -> Path:
    """The ``generations`` folder of an eval output directory (or the folder itself)."""
    path = Path(path)
    if (path / "generations").is_dir():
        return path / "generations"
    if path.is_dir() and any(path.glob("*/*.jsonl")):
        return path
    raise FileNotFoundError(
        f"no stored generations in {path}: expected <model>/<set>.jsonl files under "
        f"{path / 'generations'} (the --out of python -m prorl_verl.eval) or under {path}"
    )


def _data_sources(meta_path: Path, eval_set: str) -> dict[int, str] | None:
    if not meta_path.is_file():
        logger.warning("%s is missing: tasks of %s are named after the set", meta_path, eval_set)
        return None
    data_file = Path(json.loads(meta_path.read_text()).get("data_file", ""))
    if not data_file.is_file():
        logger.warning(
            "%s: eval set file %s is not there; tasks of %s are named after the set",
            meta_path,
            data_file,
            eval_set,
        )
        return None
    column = pq.read_table(data_file, columns=["data_source"]).column(0).to_pylist()
    return dict(enumerate(column))


@dataclass(frozen=True)
class GenerationFile:
    model: str
    eval_set: str
    path: Path


def generation_files(path: str | Path, models: list[str] | None = None) -> list[GenerationFile]:
    """The stored generation files under ``path``, model by model, sets alphabetically.

    ``models`` picks and orders the models; by default all, alphabetically, "base" first.
    """
    root = generations_dir(path)
    found = sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.jsonl")))
    chosen = sorted(found, key=lambda m: (m != "base", m)) if models is None else models
    missing = [m for m in chosen if m not in found]
    if missing:
        raise ValueError(f"no generations of model(s) {missing} in {root} (found: {found})")
    return [
        GenerationFile(model, jsonl.stem, jsonl)
        for model in chosen
        for jsonl in sorted((root / model).glob("*.jsonl"))
    ]


def _records(path: Path) -> Iterator[tuple[int, dict]]:
    with open(path, "rb") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.endswith(b"\n"):
                logger.warning(
                    "%s: last line is incomplete (%d bytes, interrupted write): left out",
                    path,
                    len(line),
                )
                return
            try:
                record = json.loads(line)
                int(record["index"])
                if not all(isinstance(c["text"], str) for c in record["completions"]):
                    raise TypeError("a completion's text is not a string")
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(
                    f"{path}, line {line_number}: not a generation record ({error})"
                ) from error
            yield line_number, record


def iter_responses(files: list[GenerationFile]) -> Iterator[Response]:
    """Every response of the files, read one line (one prompt) at a time."""
    for file in files:
        sources = _data_sources(file.path.with_suffix(".meta.json"), file.eval_set)
        for line_number, record in _records(file.path):
            index = int(record["index"])
            if sources is not None and index not in sources:
                raise ValueError(
                    f"{file.path}, line {line_number}: prompt {index} is not a row of the eval "
                    f"set ({len(sources)} rows)"
                )
            source = sources[index] if sources is not None else file.eval_set
            for sample, completion in enumerate(record["completions"]):
                yield Response(file.model, file.eval_set, source, index, sample, completion["text"])
