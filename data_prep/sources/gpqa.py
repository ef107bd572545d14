"""GPQA-diamond (spawn99/GPQA-diamond-ClaudeR1) as a choice-letter problem.

Records carry the ``question`` with its lettered choices in the text and the gold letter in
``correct_answer``; the prompt asks for the letter in ``\\boxed{}``. A question whose text
lacks the four choices, or a gold that is not one of A-D, is malformed.
"""

from __future__ import annotations

import re

from data_prep.prompts import choice_messages
from data_prep.records import BadRow, require
from data_prep.rows import make_row
from data_prep.sources.common import text_id

LETTERS = ("A", "B", "C", "D")


def _has_choice(question: str, letter: str) -> bool:
    return re.search(rf"(?:^|\s|\()({letter})(?:\)|\.|:)", question) is not None


def gpqa(record: dict) -> dict:
    question = require(record, "question")
    letter = require(record, "correct_answer").strip().strip("()").upper()
    if letter not in LETTERS:
        raise BadRow("correct_answer", "not_a_choice_letter")
    if not all(_has_choice(question, c) for c in LETTERS):
        raise BadRow("question", "no_lettered_choices")
    return make_row(
        data_source="prorl/stem/gpqa_diamond",
        prompt=choice_messages(question),
        ability="stem",
        ground_truth=letter,
        domain="stem",
        source="gpqa_diamond",
        source_id=str(record.get("id") or text_id(question)),
        split="test",
    )
