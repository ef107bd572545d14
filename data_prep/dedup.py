"""Prompt de-duplication: within a source, and train prompts against evaluation sets.

Two prompts are the same problem when their normalised problem text is equal: the last user
message with every instruction text of :mod:`data_prep.prompts` removed, lower-cased, with
runs of white space collapsed. Within a source the first copy is kept, looking at test, then
val, then train, so a held-out problem never also sits in a training split.
"""

from __future__ import annotations

import re

from data_prep.prompts import INSTRUCTIONS
from data_prep.rows import user_text

_SPACE = re.compile(r"\s+")
SPLIT_PRIORITY = ("test", "val", "train")


def normalise(text: str) -> str:
    for instruction in INSTRUCTIONS:
        text = text.replace(instruction, " ")
    return _SPACE.sub(" ", text).strip().lower()


def prompt_key(row: dict) -> str:
    return normalise(user_text(row))


def dedupe_splits(splits: dict[str, list[dict]]) -> tuple[dict[str, list[dict]], int]:
    """Drop repeated prompts across and within splits; returns the kept rows and the count removed."""
    seen: set[str] = set()
    kept: dict[str, list[dict]] = {}
    removed = 0
    order = [s for s in SPLIT_PRIORITY if s in splits] + [
        s for s in splits if s not in SPLIT_PRIORITY
    ]
    for split in order:
        kept[split] = []
        for row in splits[split]:
            key = prompt_key(row)
            if key in seen:
                removed += 1
                continue
            seen.add(key)
            kept[split].append(row)
    return {split: kept[split] for split in splits}, removed


def remove_overlap(rows: list[dict], eval_keys: set[str]) -> tuple[list[dict], int]:
    """Rows whose prompt is not in ``eval_keys``, and how many were removed."""
    kept = [row for row in rows if prompt_key(row) not in eval_keys]
    return kept, len(rows) - len(kept)
