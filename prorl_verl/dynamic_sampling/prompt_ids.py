"""The stable prompt id the memory is keyed by: ``<data_source>#<extra_info.index>``.

verl's dataset copies ``extra_info.index`` into each row as ``index`` (0 when missing), so a
file without it would key every prompt alike; :func:`check_prompt_ids` refuses that before
training, naming the file, the row and the field.
"""

from collections.abc import Iterable

import pyarrow.parquet as pq


def prompt_id(data_source, index) -> str:
    return f"{data_source}#{index}"


def batch_prompt_ids(batch) -> list[str]:
    """The prompt ids of a batch as verl's dataloader yields it (``data_source``, ``index``)."""
    sources, indices = batch["data_source"], batch["index"]
    indices = indices.tolist() if hasattr(indices, "tolist") else list(indices)
    return [prompt_id(source, index) for source, index in zip(list(sources), indices, strict=True)]


def check_prompt_ids(files: Iterable[str]) -> int:
    """Check every row of the training ``files`` has an id no other prompt shares; return the
    number of distinct ids. Rows repeating the same prompt (upsampling) may share one."""
    seen: dict[str, tuple[str, int, str]] = {}
    for path in files:
        table = pq.read_table(path)
        missing = [
            c for c in ("data_source", "extra_info", "prompt") if c not in table.column_names
        ]
        if missing:
            raise ValueError(
                f"{path}: no column {missing[0]!r}; prorl.dynamic_sampling.memory needs it"
            )
        rows = table.select(["data_source", "extra_info", "prompt"]).to_pylist()
        for row_number, row in enumerate(rows):
            extra = row["extra_info"] or {}
            index = extra.get("index")
            if index is None:
                raise ValueError(
                    f"{path}, row {row_number}: field extra_info.index is missing; "
                    "prorl.dynamic_sampling.memory keys its history by data_source and extra_info.index"
                )
            key = prompt_id(row["data_source"], index)
            text = repr(row["prompt"])
            if key in seen and seen[key][2] != text:
                first_path, first_row, _ = seen[key]
                raise ValueError(
                    f"{path}, row {row_number}: prompt id {key!r} (data_source + extra_info.index) is "
                    f"already used by a different prompt at {first_path}, row {first_row}"
                )
            seen.setdefault(key, (str(path), row_number, text))
    return len(seen)
