"""Reading a source's input records and converting them one by one, counting every drop.

Input is either local files in the hub dataset's own schema (parquet, jsonl, json; a file or
a directory of them) or the hub itself through ``datasets``. A converter turns one record
into one row, or raises :class:`Skip` (the record is filtered out by design, e.g. a math row
in a code dataset) or :class:`BadRow` (the record is malformed: missing field, wrong type,
empty answer). Both are counted by reason; with ``strict`` a :class:`BadRow` stops the run
naming the file, row number and field.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

INPUT_SUFFIXES = (".parquet", ".jsonl", ".json")


class Skip(Exception):
    """The record is not wanted by this source (counted under ``reason``, never an error)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class BadRow(Exception):
    """The record is malformed in ``field`` (counted as ``<reason>:<field>``; fatal if strict)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{reason}: {field}")
        self.field = field
        self.reason = reason


def require(record: dict, name: str, kind: type | tuple[type, ...] = str, *, empty_ok=False):
    """``record[name]``, checked present, of type ``kind`` and (unless ``empty_ok``) non-empty."""
    if not isinstance(record, dict):
        raise BadRow("<row>", "not_an_object")
    if record.get(name) is None:
        raise BadRow(name, "missing")
    value = record[name]
    if not isinstance(value, kind) or isinstance(value, bool) and kind in (int, float):
        raise BadRow(name, "wrong_type")
    if not empty_ok and isinstance(value, str | list | dict) and not _non_empty(value):
        raise BadRow(name, "empty")
    return value


def _non_empty(value) -> bool:
    return bool(value.strip()) if isinstance(value, str) else bool(value)


@dataclass
class Tally:
    """What happened to a source's input: rows read, rows kept, rows dropped by reason."""

    rows_in: int = 0
    dropped: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {"rows_in": self.rows_in, "dropped": dict(sorted(self.dropped.items()))}


def convert_records(
    records: Iterable[tuple[str, dict]],
    convert_one: Callable[[dict], dict],
    *,
    strict: bool = False,
    tally: Tally | None = None,
) -> tuple[list[dict], Tally]:
    """Convert ``(where, record)`` pairs; returns the rows kept and the tally of drops."""
    tally = tally if tally is not None else Tally()
    rows = []
    for where, record in records:
        tally.rows_in += 1
        try:
            rows.append(convert_one(record))
        except Skip as skip:
            tally.dropped[skip.reason] += 1
        except BadRow as bad:
            if strict:
                raise ValueError(f"{where}: field {bad.field!r}: {bad.reason}") from None
            tally.dropped[f"{bad.reason}:{bad.field}"] += 1
        except Exception as error:  # a shape no check foresaw: still counted, never fatal
            if strict:
                raise ValueError(f"{where}: {type(error).__name__}: {error}") from error
            tally.dropped[f"unreadable:{type(error).__name__}"] += 1
    return rows, tally


def input_files(path: str | Path) -> list[Path]:
    """The input files at ``path``: the file itself, or the supported files under a directory."""
    path = Path(path)
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in INPUT_SUFFIXES and p.is_file())
        if files:
            return files
        raise FileNotFoundError(f"{path}: no {'/'.join(INPUT_SUFFIXES)} files in this directory")
    raise FileNotFoundError(f"{path}: no such file or directory")


def read_local(path: str | Path) -> Iterator[tuple[str, dict]]:
    """``(where, record)`` for each record in the parquet/jsonl/json file(s) at ``path``."""
    for file in input_files(path):
        if file.suffix == ".parquet":
            for i, record in enumerate(pq.read_table(file).to_pylist()):
                yield f"{file} row {i}", record
        elif file.suffix == ".jsonl":
            with open(file, encoding="utf-8") as handle:
                for i, line in enumerate(handle, start=1):
                    if line.strip():
                        yield f"{file} line {i}", _json_record(line)
        else:
            data = json.loads(file.read_text(encoding="utf-8"))
            if not isinstance(data, list):
                raise ValueError(f"{file}: expected a JSON list of records")
            for i, record in enumerate(data):
                yield f"{file} item {i}", record


def _json_record(line: str):
    """A jsonl line's record; an unreadable line still counts as a (malformed) row."""
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


@dataclass(frozen=True)
class HubSpec:
    """Where a source lives on the hub: ``datasets.load_dataset(repo, config, split=split)``."""

    repo: str
    split: str
    config: str | None = None
    data_files: tuple[str, ...] | None = None

    def describe(self) -> str:
        config = f" config {self.config}" if self.config else ""
        return f"{self.repo}{config} split {self.split}"


def read_hub(spec: HubSpec) -> Iterator[tuple[str, dict]]:
    """``(where, record)`` for each record of a hub dataset (needs network access)."""
    import datasets

    if spec.data_files:
        dataset = datasets.load_dataset("json", data_files=list(spec.data_files), split=spec.split)
    else:
        dataset = datasets.load_dataset(spec.repo, spec.config, split=spec.split)
    for i, record in enumerate(dataset):
        yield f"{spec.describe()} row {i}", record
