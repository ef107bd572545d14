"""Reference-corpus documents streamed from local files: plain text, JSON Lines or parquet.

Rule: the kind of a file is its suffix.

- ``.txt`` / ``.md``: one document per paragraph (lines up to a blank line), read line by line;
- ``.jsonl`` / ``.json``: one JSON object per line, the document is its ``text_field``
  (default ``text``); blank lines are skipped;
- ``.parquet``: one document per row, the column ``text_field``, read in record batches.

A directory stands for every such file below it, in sorted order. A row whose field is
missing or not a string is an error naming the file, the line or row, and the field; a null
parquet cell is one too. Nothing is skipped silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow.parquet as pq

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".json")
PARQUET_SUFFIXES = (".parquet",)
SUFFIXES = TEXT_SUFFIXES + JSONL_SUFFIXES + PARQUET_SUFFIXES


def corpus_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files the given paths name (directories expanded), checked to exist and be readable."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
            if not found:
                raise FileNotFoundError(
                    f"corpus directory {path} holds no {'/'.join(SUFFIXES)} files"
                )
            files += found
        elif path.is_file():
            if path.suffix not in SUFFIXES:
                raise ValueError(
                    f"corpus file {path}: unknown kind {path.suffix!r} (expected one of {', '.join(SUFFIXES)})"
                )
            files.append(path)
        else:
            raise FileNotFoundError(f"corpus file {path} does not exist")
    if not files:
        raise ValueError("no corpus files given")
    return files


def _text_file(path: Path) -> Iterator[str]:
    paragraph: list[str] = []
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    paragraph.append(line)
                elif paragraph:
                    yield "".join(paragraph)
                    paragraph = []
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text ({error})") from error
    if paragraph:
        yield "".join(paragraph)


def _jsonl_file(path: Path, field: str) -> Iterator[str]:
    with open(path, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}, line {line_number}: not JSON ({error})") from error
            if not isinstance(record, dict) or not isinstance(record.get(field), str):
                got = record.get(field) if isinstance(record, dict) else record
                raise ValueError(
                    f"{path}, line {line_number}, field {field!r}: expected a string, got {got!r:.80}"
                )
            yield record[field]


def _parquet_file(path: Path, field: str) -> Iterator[str]:
    parquet = pq.ParquetFile(path)
    if field not in parquet.schema_arrow.names:
        raise ValueError(
            f"{path}: no column {field!r} (columns: {', '.join(parquet.schema_arrow.names)})"
        )
    row = 0
    for batch in parquet.iter_batches(columns=[field], batch_size=4096):
        for value in batch.column(0).to_pylist():
            if not isinstance(value, str):
                raise ValueError(
                    f"{path}, row {row}, field {field!r}: expected a string, got {value!r:.80}"
                )
            yield value
            row += 1


def iter_documents(paths: Iterable[str | Path], text_field: str = "text") -> Iterator[str]:
    """Every document of the corpus files, in order, read lazily."""
    for path in corpus_files(paths):
        if path.suffix in TEXT_SUFFIXES:
            yield from _text_file(path)
        elif path.suffix in JSONL_SUFFIXES:
            yield from _jsonl_file(path, text_field)
        else:
            yield from _parquet_file(path, text_field)
