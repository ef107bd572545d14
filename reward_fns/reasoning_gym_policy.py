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
entries are repaired before scoring.

Answer text that scorers evaluate (found by reading every scorer and confirmed by the audit in
the tests, which watches Python's ``exec`` audit events while every task scores probes):

- ``eval(answer)`` in ``EVAL_SCORER_MODULES`` (string_insertion, spiral_matrix, binary_matrix,
  n_queens: to read a Python-list spelling of the answer, for partial credit) -> the modules'
  ``eval`` is ``safe_expr.literal_only_eval``: literals are read, anything else is refused.
- ``sympy.parse_expr(answer)`` in ``SYMPY_SCORER_MODULES`` (polynomial_multiplication,
  simple_integration, intermediate_integration) -> the modules see ``safe_expr.GuardedSympy``,
  whose ``parse_expr`` only accepts plain formulas. This also closes a universal answer: the
  integration scorers differentiate the answer, so ``Integral(<integrand>, x) + C`` (the
  question copied) earned 1.0 on every item; ``Integral`` is not a name a formula may use.
  (About one intermediate_integration entry in eight stores such an unevaluated integral as
  its gold; those items are still solved by an elementary antiderivative.)
- ``parse_expr(answer)`` in puzzle24 and countdown -> their scorers are not called at all;
  ``OWN_SCORERS`` read the answer with ``safe_expr.integer_arithmetic``. This also closes two
  loopholes: puzzle24 accepted any four numbers in range and truncated the value with ``int()``
  (``25-1/2`` "is" 24), countdown compared floats. Full marks now need exactly the puzzle's
  multiset of numbers and the exact target; a wrong but well-formed expression keeps the task's
  small credit (0.01 in puzzle24, 0.05 in countdown), anything unreadable 0.01.

All of it runs in a sandboxed worker (``pool_worker``) in any case.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Callable
from fractions import Fraction
from functools import cache

import reasoning_gym.factory  # noqa: F401  (registers every task)
from reasoning_gym.factory import DATASETS, get_score_answer_fn

from reward_fns.safe_expr import GuardedSympy, integer_arithmetic, literal_only_eval

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

EVAL_SCORER_MODULES = (
    "reasoning_gym.algorithmic.string_insertion",
    "reasoning_gym.algorithmic.spiral_matrix",
    "reasoning_gym.algorithmic.binary_matrix",
    "reasoning_gym.games.n_queens",
)
SYMPY_SCORER_MODULES = {  # module -> the name it imported sympy as
    "reasoning_gym.algebra.polynomial_multiplication": "sp",
    "reasoning_gym.algebra.simple_integration": "sympy",
    "reasoning_gym.algebra.intermediate_integration": "sympy",
}


def _disarm_scorers() -> None:
    """Point the scorers that evaluate answer text at readers that cannot execute it."""
    for name in EVAL_SCORER_MODULES:
        importlib.import_module(name).eval = literal_only_eval
    for name, alias in SYMPY_SCORER_MODULES.items():
        setattr(importlib.import_module(name), alias, GuardedSympy())


_disarm_scorers()


def _solves(answer: str, numbers: list, target) -> bool | None:
    """Whether ``answer`` uses exactly ``numbers`` (as a multiset) to make exactly ``target``;
    None when it is not a plain integer expression."""
    try:
        arithmetic = integer_arithmetic(answer)
    except ValueError:
        return None
    same_numbers = sorted(arithmetic.literals) == sorted(int(n) for n in numbers)
    return same_numbers and arithmetic.value == Fraction(target)


def score_24(answer: str, entry: dict) -> float:
    """1 for an expression of exactly the four numbers with value exactly 24."""
    return 1.0 if _solves(answer, entry["metadata"]["numbers"], 24) else 0.01


def score_countdown(answer: str, entry: dict) -> float:
    """1 for an expression of exactly the given numbers whose value is exactly the target."""
    metadata = entry["metadata"]
    solved = _solves(answer, metadata["numbers"], metadata["target"])
    return 0.01 if solved is None else 1.0 if solved else 0.05


OWN_SCORERS: dict[str, Callable[[str, dict], float]] = {
    "puzzle24": score_24,
    "countdown": score_countdown,
}


@cache
def _scorer(task: str):
    return OWN_SCORERS.get(task) or get_score_answer_fn(task)


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
