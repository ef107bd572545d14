"""Math: DeepScaleR for training; AIME24/25, AMC, MATH500, Minerva, OlympiadBench for evaluation.

Every row asks for the answer in ``\\boxed{}`` (:func:`data_prep.prompts.math_messages`) and
carries the gold answer as a string (lists, as in OlympiadBench, joined by ", ").
"""

from __future__ import annotations

from collections.abc import Callable

from data_prep.prompts import math_messages
from data_prep.records import require
from data_prep.rows import make_row
from data_prep.sources.common import answer_text, text_id

ANSWER_TYPES = (str, int, float, list)


def math_row(problem: str, answer: str, *, name: str, source_id: str, split: str) -> dict:
    return make_row(
        data_source=f"prorl/math/{name}",
        prompt=math_messages(problem),
        ability="math",
        ground_truth=answer,
        domain="math",
        source=name,
        source_id=source_id,
        split=split,
    )


def math_converter(
    name: str, *, problem: str, answer: str, id_field: str | None, split: str
) -> Callable[[dict], dict]:
    """A converter for a math dataset whose records have ``problem``/``answer`` fields."""

    def convert(record: dict) -> dict:
        text = require(record, problem)
        gold = answer_text(require(record, answer, ANSWER_TYPES), answer)
        if id_field and record.get(id_field) is not None:
            source_id = str(record[id_field])
        else:
            source_id = text_id(text)
        return math_row(text, gold, name=name, source_id=source_id, split=split)

    return convert


deepscaler = math_converter(
    "deepscaler", problem="problem", answer="answer", id_field=None, split="train"
)
EVAL_SETS = {
    "aime24": math_converter(
        "aime24", problem="problem", answer="answer", id_field="id", split="test"
    ),
    "aime25": math_converter(
        "aime25", problem="problem", answer="answer", id_field="id", split="test"
    ),
    "amc": math_converter("amc", problem="problem", answer="answer", id_field="id", split="test"),
    "math500": math_converter(
        "math500", problem="problem", answer="answer", id_field="unique_id", split="test"
    ),
    "minerva": math_converter(
        "minerva", problem="question", answer="answer", id_field=None, split="test"
    ),
    "olympiadbench": math_converter(
        "olympiadbench", problem="question", answer="final_answer", id_field="id", split="test"
    ),
}
