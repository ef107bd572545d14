"""Math (binary). Graded: the ``\\boxed{}`` answer of the graded text — every box read together
as one answer (repeats dropped; distinct boxes form a list, so a hedge such as ``\\boxed{1}`` or
``\\boxed{2}`` is a wrong list, never "any of them"). Scores 1 when the DeepScaleR-style grader (``math_grader``: normalise and compare, exact sympy equivalence
behind guards) OR math-verify accepts it against any of the accepted ground-truth strings (a list
answer is compared as a set of answers); no ``\\boxed{}`` scores 0. A gold written over several
lines (a matrix, a set) reaches both graders whole. Runs inside a killable worker: math-verify's ``signal.alarm`` timeouts
work there (main thread), and the pool kills the worker at ``MATH_BOUND_S`` for the inputs
whose hang no alarm interrupts (math-verify issue #65).
"""

from __future__ import annotations

from functools import lru_cache
from numbers import Real

from math_verify import parse, verify

from reward_fns.extract import boxed_answer
from reward_fns.math_grader import (
    answers_match,
    decimal_answer_matches,
    list_answers_match,
    normalise,
    writes_decimal,
)
from reward_fns.pool import PoolFailure, run_bounded
from reward_fns.result import make_result

MATH_BOUND_S = 6.0
_MV_TIMEOUT_S = 2


def gold_answers(ground_truth, name: str = "math ground truth") -> list[str]:
    """Ground truth as a list of accepted answer strings (a string, a number or a list of them);
    ``name`` says which field an error is about."""
    if isinstance(ground_truth, str | Real):  # Real: NumPy integers from a parquet column too
        return [str(ground_truth)]
    try:
        answers = [str(answer) for answer in ground_truth]
    except TypeError:
        raise ValueError(
            f"{name} must be a string or a list of strings, got {ground_truth!r:.80}"
        ) from None
    if not answers:
        raise ValueError(f"{name} is an empty list")
    return answers


@lru_cache(maxsize=4096)
def _parsed_gold(gold: str) -> tuple:
    """math-verify's parse of a gold answer, kept: every response to a prompt shares it.

    Line breaks become spaces: math-verify finds no ``$...$`` spanning lines, and would grade
    against a fragment of a multi-line gold (the last row of a matrix) instead."""
    one_line = " ".join(gold.split("\n"))
    return tuple(
        parse(f"${one_line}$", parsing_timeout=_MV_TIMEOUT_S)
        or parse(gold, parsing_timeout=_MV_TIMEOUT_S)
    )


def _math_verify_accepts(gold: str, pred: str) -> bool:
    try:
        gold_parsed = list(_parsed_gold(gold))
        pred_parsed = parse(f"\\boxed{{{pred}}}", parsing_timeout=_MV_TIMEOUT_S)
        return bool(
            gold_parsed
            and pred_parsed
            and verify(gold_parsed, pred_parsed, timeout_seconds=_MV_TIMEOUT_S)
        )
    except Exception:  # math-verify's own timeouts and parser failures: not accepted
        return False


def is_correct(pred: str, golds: list[str]) -> bool:
    """Pool task: the cheap normalised comparison first, then math-verify, then sympy."""
    return _is_correct(pred, tuple(golds))


def clear_cache() -> None:
    """Forget this process's cached verdicts and parses (a benchmark's cold start)."""
    _is_correct.cache_clear()
    _parsed_gold.cache_clear()


@lru_cache(maxsize=16384)
def _is_correct(pred: str, golds: tuple[str, ...]) -> bool:
    # Cached per worker: the 16+ responses to one prompt repeat the same final answers a lot.
    pred_n = normalise(pred)
    if any(normalise(gold) == pred_n for gold in golds):
        return True
    if writes_decimal(pred):  # exact golds are matched exactly, not to math-verify's rounding
        return any(decimal_answer_matches(gold, pred) for gold in golds)
    if any(_math_verify_accepts(gold, pred) for gold in golds):
        return True
    return any(answers_match(gold, pred) or list_answers_match(gold, pred) for gold in golds)


def parse_ground_truth(ground_truth) -> list[str]:
    """Accepted answers; a gold written as ``\\boxed{x}`` counts as ``x``, several boxes as
    their list."""
    return [boxed_answer(gold) or gold for gold in gold_answers(ground_truth)]


def score(text: str, golds: list[str]) -> dict:
    pred = boxed_answer(text)
    if pred is None:
        return make_result("math", 0.0, error="no \\boxed{} answer")
    try:
        correct = run_bounded(
            "math", "reward_fns.math_reward", "is_correct", (pred, golds), MATH_BOUND_S, pred
        )
    except PoolFailure as failure:
        return failure.result
    return make_result("math", 1.0 if correct else 0.0, pred=pred)
