"""STEM (binary). Graded: the last ``\\boxed{}`` of the graded text. A choice-letter ground truth
(A–J) is matched by exactly one chosen letter: ``\\boxed{B}``, ``\\boxed{(B)}``, ``\\boxed{B.}``,
``\\boxed{\\text{B}}`` and ``\\boxed{B) 42 N}`` all choose B; hedges and lists (``B or C``,
``B, C``, ``(B) and (C)``), sentences (``A force of 42 N``, ``I think B``) and formulas that
begin with a letter (``F = ma``) choose nothing and score 0. Any other ground truth is a value,
graded by the math verifier (DeepScaleR-style OR math-verify, in a killable worker). No
``\\boxed{}`` scores 0.
Bound: the math bound.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from numbers import Real

from reward_fns.extract import last_boxed
from reward_fns.math_reward import MATH_BOUND_S
from reward_fns.pool import PoolFailure, run_bounded
from reward_fns.result import make_result

_MAX_CHOICE_CHARS = 200
_LETTER = re.compile(r"[A-J]")
_WRAPPER = re.compile(r"\\(?:text|textbf|mathrm|mathbf|textrm)\s*\{([^{}]*)\}")
_BARE_CHOICE = re.compile(r"\(?([A-Ja-j])\)?[.:]?")
_ANNOTATED_CHOICE = re.compile(
    r"(?:\(([A-Ja-j])\)|([A-Ja-j])\)|([A-Ja-j])[.:])\s+(\S.*)", re.DOTALL
)
_OTHER_CHOICE = re.compile(r"(?<![A-Za-z])[A-J](?![A-Za-z])")


def _only_element(ground_truth):
    """A one-element list, tuple or array (verl reads a parquet list column as an array) as
    its element; anything else as it is."""
    if isinstance(ground_truth, str | bytes | Mapping):
        return ground_truth
    try:
        items = list(ground_truth)
    except TypeError:
        return ground_truth
    return items[0] if len(items) == 1 else ground_truth


def parse_ground_truth(ground_truth) -> str:
    ground_truth = _only_element(ground_truth)
    if not isinstance(ground_truth, str | Real) or not str(ground_truth).strip():
        raise ValueError(
            f"stem ground truth must be a choice letter or a value, got {ground_truth!r:.80}"
        )
    return str(ground_truth).strip()


def chosen_letter(pred: str) -> str | None:
    """The choice letter a boxed answer names, or None when it names none."""
    if len(pred) > _MAX_CHOICE_CHARS:
        return None  # a choice, wrapped or annotated, is short; this also bounds the unwrapping
    text = pred.replace("$", "").strip()
    previous = None
    while previous != text:
        previous = text
        text = _WRAPPER.sub(r"\1", text).strip()
    text = text.replace("\\", "").strip("{} ")
    bare = _BARE_CHOICE.fullmatch(text)
    if bare:
        return bare.group(1).upper()
    annotated = _ANNOTATED_CHOICE.fullmatch(text)
    if annotated is None or _OTHER_CHOICE.search(annotated.group(4)):
        return None  # not a choice, or the annotation names another letter (a hedge, a list)
    return next(letter for letter in annotated.groups()[:3] if letter).upper()


def score(text: str, gold: str) -> dict:
    pred = last_boxed(text)
    if pred is None:
        return make_result("stem", 0.0, error="no \\boxed{} answer")
    gold_letter = gold.strip("()").upper()
    if _LETTER.fullmatch(gold_letter):
        return make_result("stem", 1.0 if chosen_letter(pred) == gold_letter else 0.0, pred=pred)
    try:
        correct = run_bounded(
            "stem", "reward_fns.math_reward", "is_correct", (pred, [gold]), MATH_BOUND_S, pred
        )
    except PoolFailure as failure:
        return failure.result
    return make_result("stem", 1.0 if correct else 0.0, pred=pred)
