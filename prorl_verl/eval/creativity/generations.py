"""Stored eval generations read back for analysis: every response with its model, set and task.

Rule: ``python -m prorl_verl.eval`` stores ``generations/<model>/<set>.jsonl`` (one line per
prompt, all its completions) beside ``<set>.meta.json``, which names the eval set's parquet
file. A response's task is the ``data_source`` of that file's row with the prompt's index;
when the file is no longer there the task is the set name, and a warning says so. Reading
never changes the store: a torn last line (an interrupted run) is reported and left out, any
other unreadable line is an error naming the file and line.
"""

from __future__ import annotations

import json
import logging
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


def _read_lines(path: Path) -> list[tuple[int, dict]]:
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    if lines[-1]:
        logger.warning(
            "%s: last line is incomplete (%d bytes, interrupted write): left out",
            path,
            len(lines[-1]),
        )
    records = []
    for line_number, line in enumerate(lines[:-1], start=1):
        try:
            record = json.loads(line)
            int(record["index"])
            if not all(isinstance(c["text"], str) for c in record["completions"]):
                raise TypeError("a completion's text is not a string")
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f"{path}, line {line_number}: not a generation record ({error})"
            ) from error
        records.append((line_number, record))
    return records


def read_responses(path: str | Path, models: list[str] | None = None) -> list[Response]:
    """Every stored response under ``path``, ordered by model, set, prompt and sample.

    ``models`` picks and orders the models; by default all, alphabetically, "base" first.
    """
    root = generations_dir(path)
    found = sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.jsonl")))
    # default order: alphabetical, except that a model called "base" is the base (first)
    chosen = sorted(found, key=lambda m: (m != "base", m)) if models is None else models
    missing = [m for m in chosen if m not in found]
    if missing:
        raise ValueError(f"no generations of model(s) {missing} in {root} (found: {found})")
    responses = []
    for model in chosen:
        for jsonl in sorted((root / model).glob("*.jsonl")):
            eval_set = jsonl.stem
            sources = _data_sources(jsonl.with_suffix(".meta.json"), eval_set)
            for line_number, record in _read_lines(jsonl):
                index = int(record["index"])
                if sources is not None and index not in sources:
                    raise ValueError(
                        f"{jsonl}, line {line_number}: prompt {index} is not a row of the eval set "
                        f"({len(sources)} rows)"
                    )
                source = sources[index] if sources is not None else eval_set
                responses += [
                    Response(model, eval_set, source, index, sample, completion["text"])
                    for sample, completion in enumerate(record["completions"])
                ]
    responses.sort(key=lambda r: (chosen.index(r.model), r.eval_set, r.prompt_index, r.sample))
    return responses
