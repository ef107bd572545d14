"""Code from PRIME-RL/Eurus-2-RL-Data: its apps / codecontests / codeforces / taco rows.

Eurus rows are already verl rows; we keep their tests (``ground_truth``, verl's
``prime_code`` JSON form) as they are, drop PRIME's system prompt and its closing
instruction, and ask instead for the final code in one fenced block
(:func:`data_prep.prompts.code_messages`). Non-code rows (its math) are skipped as
``not_code``; rows whose tests do not parse as ``{"inputs": [...], "outputs": [...]}`` of
equal, non-zero length are malformed.
"""

from __future__ import annotations

import json
import re

from data_prep.prompts import code_messages
from data_prep.records import BadRow, Skip, require
from data_prep.rows import make_row
from data_prep.sources.common import last_user_content, text_id

CODE_SOURCES = ("apps", "codecontests", "codeforces", "taco")
# Eurus' own closing instruction ("Write Python code to solve the problem. Present the code
# in ```python Your code``` at the end."), replaced by ours.
_EURUS_INSTRUCTION = re.compile(
    r"\s*Write Python code to solve the problem\.\s*Present the code in\s*```python\s*Your code\s*```\s*at the end\.?\s*$"
)


def checked_tests(ground_truth: str, field: str) -> dict:
    """The parsed tests of a code ground truth, or :class:`BadRow` if they are unusable."""
    try:
        tests = json.loads(ground_truth)
    except json.JSONDecodeError:
        raise BadRow(field, "not_json") from None
    if not isinstance(tests, dict) or not isinstance(tests.get("inputs"), list):
        raise BadRow(field, "no_tests")
    if not isinstance(tests.get("outputs"), list) or len(tests["outputs"]) != len(tests["inputs"]):
        raise BadRow(field, "inputs_outputs_mismatch")
    if not tests["inputs"]:
        raise BadRow(field, "empty")
    return tests


def code_row(problem, ground_truth, *, name, source_id, split, source="eurus") -> dict:
    return make_row(
        data_source=f"prorl/code/{name}",
        prompt=code_messages(problem),
        ability="code",
        ground_truth=ground_truth,
        domain="code",
        source=source,
        source_id=source_id,
        split=split,
    )


def eurus_converter(split: str):
    def convert(record: dict) -> dict:
        name = require(record, "data_source")
        if name not in CODE_SOURCES:
            raise Skip("not_code")
        problem = _EURUS_INSTRUCTION.sub(
            "", last_user_content(require(record, "prompt", list), "prompt")
        )
        reward_model = require(record, "reward_model", dict)
        ground_truth = require(reward_model, "ground_truth")
        checked_tests(ground_truth, "reward_model.ground_truth")
        extra = record.get("extra_info") if isinstance(record.get("extra_info"), dict) else {}
        index = extra.get("index")
        source_id = f"{name}/{index}" if index is not None else f"{name}/{text_id(problem)}"
        return code_row(problem, ground_truth, name=name, source_id=source_id, split=split)

    return convert


eurus_train = eurus_converter("train")
eurus_validation = eurus_converter("test")
