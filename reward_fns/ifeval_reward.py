"""Instruction following (continuous). Graded: the whole graded text. Ground truth: JSON
``{"instruction_id_list": [...], "kwargs": [...], "prompt": "..."}`` with Google IFEval
instruction ids. Score = fraction of the instructions followed, IFEval's strict check (Google's
checkers from lm-eval, offline and seeded: see ``ifeval_checks``), run on the visible text
(``visible_text``: NFKC, invisible characters dropped); a response with no visible text scores 0.
Bound: ``IFEVAL_BOUND_S`` in a killable worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from reward_fns.ground_truth import load_json_object
from reward_fns.pool import PoolFailure, run_bounded
from reward_fns.result import make_result
from reward_fns.visible_text import visible_text

IFEVAL_BOUND_S = 5.0


@dataclass(frozen=True)
class Instructions:
    ids: list
    kwargs: list
    prompt: str


def parse_ground_truth(ground_truth) -> Instructions:
    from reward_fns.ifeval_checks import INSTRUCTION_DICT

    spec = load_json_object(ground_truth, "ifeval")
    ids, kwargs = spec.get("instruction_id_list"), spec.get("kwargs")
    if (
        not isinstance(ids, list)
        or not ids
        or not isinstance(kwargs, list)
        or len(kwargs) != len(ids)
    ):
        raise ValueError(
            "ifeval ground truth needs a non-empty 'instruction_id_list' and one 'kwargs' dict per id"
        )
    unknown = [i for i in ids if i not in INSTRUCTION_DICT]
    if unknown:
        raise ValueError(f"ifeval ground truth has unknown instruction ids {unknown}")
    kwargs = [dict(k or {}) for k in kwargs]
    return Instructions(list(ids), kwargs, str(spec.get("prompt") or ""))


def score(text: str, truth: Instructions) -> dict:
    if not visible_text(text).strip():
        return make_result("ifeval", 0.0, error="empty response")
    try:
        value = run_bounded(
            "ifeval",
            "reward_fns.ifeval_checks",
            "followed_fraction",
            (truth.ids, truth.kwargs, truth.prompt, text),
            IFEVAL_BOUND_S,
        )
    except PoolFailure as failure:
        return failure.result
    return make_result(
        "ifeval", value, pred=f"{round(value * len(truth.ids))}/{len(truth.ids)} followed"
    )
