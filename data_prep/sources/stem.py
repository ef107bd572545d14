"""STEM from EricLu/SCP-116K: university science problems with free-form reference solutions.

The reward needs a short final answer, so one is extracted from ``matched_solution``: the
last ``\\boxed{...}``, else the text after the last "answer is" / "Answer:" on its line.
Rows with no such answer (``no_short_answer``) or a long one (over :data:`MAX_ANSWER_CHARS`,
``answer_too_long``: a derivation, not a value) are dropped, and so are rows where the
dataset's own check found o1's solution disagreeing with the reference
(``reference_disputed``). Of what remains, :data:`SAMPLE_SIZE` rows are kept (seeded sample),
the size the paper reports for its filtered SCP-116K.
"""

from __future__ import annotations

import re

from data_prep.prompts import math_messages
from data_prep.records import Skip, require
from data_prep.rows import make_row
from data_prep.sources.common import text_id

MAX_ANSWER_CHARS = 60
SAMPLE_SIZE = 25_000
_ANSWER_LINE = re.compile(r"(?:final answer|answer)\s*(?:is|:)\s*\**\s*(.+)", re.IGNORECASE)


def last_boxed(text: str) -> str | None:
    """The content of the last ``\\boxed{...}`` (braces balanced), or None."""
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    depth, i = 0, start + len("\\boxed")
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j]
    return None


def short_answer(solution: str) -> str | None:
    """The final answer stated in a free-form solution, or None if it states none."""
    boxed = last_boxed(solution)
    if boxed is not None:
        return boxed.strip() or None
    matches = _ANSWER_LINE.findall(solution)
    if not matches:
        return None
    answer = matches[-1].strip().strip("*").strip().rstrip(".").strip()
    if len(answer) > 1 and answer.startswith("$") and answer.endswith("$"):
        answer = answer.strip("$").strip()
    return answer or None


def scp(record: dict) -> dict:
    problem = require(record, "problem")
    solution = require(record, "matched_solution")
    if record.get("is_o1_solution_same_with_matched_solution") is False:
        raise Skip("reference_disputed")
    answer = short_answer(solution)
    if answer is None:
        raise Skip("no_short_answer")
    if len(answer) > MAX_ANSWER_CHARS:
        raise Skip("answer_too_long")
    return make_row(
        data_source="prorl/stem/scp",
        prompt=math_messages(problem),
        ability="stem",
        ground_truth=answer,
        domain="stem",
        source="scp",
        source_id=text_id(problem),
        split="train",
        variant=str(record.get("domain") or ""),
    )
