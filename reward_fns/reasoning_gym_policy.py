"""Hardened reasoning-gym 0.1.25 scoring: the task's own verifier, minus its exploits.

Rule: the task's ``score_answer`` is called on the (JSON round-tripped, repaired) entry; any
exception scores 0. Full marks (>= 1 - 1e-9) count only if the task's extra full-marks check
below agrees; anything short of full marks is capped at ``FORMAT_CREDIT`` (0.05), the small
credit several tasks give a well-formed wrong answer. So substring/prefix/closeness partial
credit — "42" for gold "2" earning 0.5 under the default scorer — pays nothing real.

Audit (all 105 tasks, junk answers such as "", "0", "1", "nan", "1e308", "yes", "junk", "[]",
near-misses and gold with junk around it; see tests/reward_fns/test_reasoning_gym_reward.py,
which re-runs it): partial credit above 0.05 for a wrong answer appears in most tasks (default
substring credit, prefix/closeness credit, similarity credit) and is removed by the cap. Full
marks for a wrong answer appear in three tasks, each with its own check in ``FULL_MARKS_CHECKS``:

- ``game_of_life_halting``: the scorer returns 1.0 for ANY non-empty answer -> the answer must
  equal the gold ("True"/"False", case-insensitive).
- ``coin_flip``: prefix credit divides by the shorter string, so "0" earns 1.0 for every
  probability below 1 -> the answer must be a number within the task's 1e-4 of the gold.
- ``complex_arithmetic``: "nan" earns 1.0 (NaN distance compares as within tolerance) -> the
  answer must not contain nan/inf.

Scorers that raise on junk (boxnet, game_of_life, prime_factorization) score 0. Tasks with no
stored gold (``VERIFIED_TASKS``) are verified by their scorer and trusted at full marks.
``arc_agi``/``rearc`` compare boards as tuples, which a JSON round trip turns into lists: their
entries are repaired before scoring. Runs in a killable worker (some scorers evaluate
model-written expressions with sympy).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from functools import cache

import reasoning_gym.factory  # noqa: F401  (registers every task)
from reasoning_gym.factory import DATASETS, get_score_answer_fn

FORMAT_CREDIT = 0.05
FULL_MARKS = 1.0 - 1e-9
VERIFIED_TASKS = frozenset(
    {"boxnet", "graph_color", "propositional_logic", "rubiks_cube", "rush_hour"}
)
TUPLE_BOARD_TASKS = frozenset({"arc_agi", "rearc"})


def _same_boolean(answer: str, entry: dict) -> bool:
    return answer.strip().lower() == str(entry["answer"]).strip().lower()


def _within_tolerance(answer: str, entry: dict) -> bool:
    try:
        got = Fraction(answer.replace(",", "").strip())
        want = Fraction(str(entry["answer"]).replace(",", "").strip())
    except (ValueError, ZeroDivisionError):
        return False
    return abs(float(got) - float(want)) <= 1e-4


def _finite(answer: str, entry: dict) -> bool:
    return re.search(r"nan|inf", answer, re.IGNORECASE) is None


FULL_MARKS_CHECKS: dict[str, Callable[[str, dict], bool]] = {
    "game_of_life_halting": _same_boolean,
    "coin_flip": _within_tolerance,
    "complex_arithmetic": _finite,
}
TASKS = frozenset(name for name in DATASETS if name != "composite")


@cache
def _scorer(task: str):
    return get_score_answer_fn(task)


def _as_tuples(value):
    if isinstance(value, list):
        return tuple(_as_tuples(item) for item in value)
    return value


def repair_entry(task: str, entry: dict) -> dict:
    """Undo what a JSON round trip did to an entry the scorer depends on."""
    if task in TUPLE_BOARD_TASKS and isinstance(entry.get("metadata"), dict):
        metadata = dict(entry["metadata"])
        for key in ("input", "output"):
            if key in metadata:
                metadata[key] = _as_tuples(metadata[key])
        entry = {**entry, "metadata": metadata}
    return entry


def hardened_score(task: str, answer: str, entry: dict) -> tuple[float, str]:
    """(score, error) for ``answer`` to ``entry`` of ``task``; never raises."""
    try:
        raw = float(_scorer(task)(answer, repair_entry(task, entry)))
    except Exception as exc:
        return 0.0, f"{task} scorer raised {type(exc).__name__}"
    if math.isnan(raw):
        return 0.0, f"{task} scorer returned NaN"
    check = FULL_MARKS_CHECKS.get(task)
    if raw >= FULL_MARKS and (check is None or check(answer, entry)):
        return 1.0, ""
    return min(max(raw, 0.0), FORMAT_CREDIT), ""
