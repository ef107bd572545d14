"""Instruction following: Nemotron's RL instruction_following split (train) and IFEval (eval).

Ground truth is ``{"instruction_id_list", "kwargs", "prompt"}`` as JSON, IFEval's own
fields. Checker arguments that are None (the hub's parquet fills every absent argument with
None) are dropped, and a None argument set becomes ``{}``, which is what IFEval's checkers
take. Nemotron records hold the instructions in ``args.instruction_id_list`` /
``args.instruction_kwargs`` and the prompt as the last user message of ``input``.
"""

from __future__ import annotations

import json

from data_prep.prompts import user_message
from data_prep.records import BadRow, require
from data_prep.rows import make_row
from data_prep.sources.common import last_user_content, text_id

SAMPLE_SIZE = 10_000  # paper, Appendix D


def clean_kwargs(ids: list, kwargs, field: str) -> list[dict]:
    """One argument dict per instruction, None arguments removed."""
    if not isinstance(kwargs, list) or len(kwargs) != len(ids):
        raise BadRow(field, "kwargs_mismatch")
    cleaned = []
    for item in kwargs:
        if item is None:
            cleaned.append({})
        elif isinstance(item, dict):
            cleaned.append({k: v for k, v in item.items() if v is not None})
        else:
            raise BadRow(field, "wrong_type")
    return cleaned


def ifeval_row(
    prompt: str, ids: list, kwargs: list, *, name: str, source_id: str, split: str
) -> dict:
    if not all(isinstance(i, str) and ":" in i for i in ids):
        raise BadRow("instruction_id_list", "not_ifeval_ids")
    truth = {"instruction_id_list": ids, "kwargs": kwargs, "prompt": prompt}
    return make_row(
        data_source=f"prorl/ifeval/{name}",
        prompt=user_message(prompt),
        ability="instruction_following",
        ground_truth=json.dumps(truth),
        domain="ifeval",
        source=name,
        source_id=source_id,
        split=split,
    )


def nemotron(record: dict) -> dict:
    raw = require(record, "input", (list, str))
    prompt = raw if isinstance(raw, str) else last_user_content(raw, "input")
    args = require(record, "args", dict)
    ids = require(args, "instruction_id_list", list)
    kwargs = clean_kwargs(ids, args.get("instruction_kwargs"), "args.instruction_kwargs")
    return ifeval_row(
        prompt, ids, kwargs, name="nemotron", source_id=text_id(prompt), split="train"
    )


def ifeval_benchmark(record: dict) -> dict:
    prompt = require(record, "prompt")
    ids = require(record, "instruction_id_list", list)
    kwargs = clean_kwargs(ids, record.get("kwargs"), "kwargs")
    return ifeval_row(
        prompt,
        ids,
        kwargs,
        name="ifeval",
        source_id=str(record.get("key", text_id(prompt))),
        split="test",
    )
