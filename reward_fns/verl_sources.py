"""verl's own data sources, scored in verl's answer conventions by our graders.

verl 0.9.1's ``default_compute_score`` knows a fixed list of ``data_source`` names, each with
its own answer convention and reward scale. Rows carrying those names are graded here the way
verl reads them — where the answer is, what scale the reward has — but with our graders
(``math_reward``'s normalise-and-compare OR math-verify, in a killable worker) instead of
verl's string comparisons, so equal answers written differently are not marked wrong:

- ``openai/gsm8k``: the number after the last ``####``; 1 or 0.
- ``math_dapo``, ``math``, ``math_dapo_reasoning``, ``aime*`` (DAPO): the last ``Answer: ...``
  line, else the boxed answer; **+1 or -1**, verl's DAPO scale (``acc`` stays 1/0).
- ``hiyouga/geometry3k``: the boxed answer; 0.9 × correct + 0.1 × format, where the format is
  verl's: the response opens with ``<think>``, closes it, then boxes an answer.
- ``searchR1_*``: the last ``<answer>...</answer>``, exact match after SQuAD-style
  normalisation against any target; 1, or 0.25 when the response repeats the answer tags more
  than 10 times (verl's guard), else 0.

PRIME/Eurus names (``numina_*``, ``apps``, ``codecontests``, ``codeforces``, ``taco``) and the
MATH sets are ProRL's own training data and keep ProRL's rules (``dispatch``): the answer must
be boxed, the program fenced. Names outside all of these can be handed to verl's own
``default_compute_score`` (option ``unknown_data_source="verl"``): it then runs in our worker
pool, killed after ``VERL_BOUND_S``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass

from reward_fns.extract import boxed_answer, last_answer_tag
from reward_fns.ground_truth import load_json_object
from reward_fns.math_reward import MATH_BOUND_S, gold_answers, parse_ground_truth
from reward_fns.pool import PoolFailure, run_bounded
from reward_fns.result import make_result

VERL_BOUND_S = 60.0  # includes importing verl in a fresh worker (~20 s on a loaded 2-core machine)
_GSM8K_ANSWER = re.compile(r"####\s*\$?\s*(-?[0-9][0-9.,]*)")
_MINERVA_ANSWER = re.compile(r"answer\s*:\s*([^\n]+)", re.IGNORECASE)
_SEARCH_R1_TAG_LIMIT = 10


def _unchanged(result: dict, response: str) -> dict:
    return result


@dataclass(frozen=True)
class Convention:
    """How one family of verl data sources is read and scaled."""

    name: str
    answer: Callable[[str], str | None]  # the answer in the graded text, or None
    scale: Callable[[dict, str], dict] = _unchanged  # (0/1 result, whole response) -> verl's scale
    parse_ground_truth: Callable[[object], object] = parse_ground_truth

    def score(self, text: str, golds) -> dict:
        pred = self.answer(text)
        if pred is None:
            return make_result(self.name, 0.0, error="no answer in the expected format")
        try:
            correct = run_bounded(
                self.name, "reward_fns.math_reward", "is_correct", (pred, golds), MATH_BOUND_S, pred
            )
        except PoolFailure as failure:
            return dict(failure.result, domain=self.name)
        return make_result(self.name, 1.0 if correct else 0.0, pred=pred)


def gsm8k_answer(text: str) -> str | None:
    """The number after the last ``####`` (thousands commas allowed)."""
    matches = _GSM8K_ANSWER.findall(text)
    return matches[-1].rstrip(".") if matches else None


def dapo_answer(text: str) -> str | None:
    """The rest of the last ``Answer:`` line (its box unwrapped), else the boxed answer."""
    matches = _MINERVA_ANSWER.findall(text)
    if matches:
        line = matches[-1].strip()
        return boxed_answer(line) or line
    return boxed_answer(text)


def dapo_scale(result: dict, response: str) -> dict:
    """verl's DAPO scale: +1 for a correct answer, -1 for anything else."""
    return dict(result, score=1.0 if result["acc"] == 1.0 else -1.0)


def has_geometry3k_format(response: str) -> bool:
    """verl's geometry3k format: ``<think>`` first, closed, then a ``\\boxed{...}``."""
    if not response.startswith("<think>"):
        return False
    closed = response.find("</think>", len("<think>"))
    box = response.find("\\boxed{", closed) if closed >= 0 else -1
    return box >= 0 and response.find("}", box) >= 0


def geometry3k_scale(result: dict, response: str) -> dict:
    """verl's geometry3k scale: 0.9 for the answer, 0.1 for the format."""
    score = 0.9 * result["acc"] + 0.1 * has_geometry3k_format(response)
    return dict(result, score=score)


def normalise_short_answer(text: str) -> str:
    """SQuAD-style: lower case, no punctuation, no articles, single spaces."""
    text = "".join(char for char in text.lower() if char not in string.punctuation)
    return " ".join(word for word in text.split() if word not in ("a", "an", "the"))


def search_r1_targets(ground_truth) -> list[str]:
    """Search-R1's ``{"target": [answers]}`` (a dict, or a JSON string of one)."""
    spec = load_json_object(ground_truth, "searchR1")
    return gold_answers(spec.get("target"), "searchR1 ground truth field 'target'")


def _search_r1_score(text: str, targets: list[str]) -> dict:
    pred = last_answer_tag(text)
    if pred is None:
        return make_result("searchR1", 0.0, error="no <answer>...</answer>")
    normalised = normalise_short_answer(pred)
    if not any(normalise_short_answer(target) == normalised for target in targets):
        return make_result("searchR1", 0.0, pred=pred)
    tags = max(text.count("<answer>"), text.count("</answer>"))
    if tags > _SEARCH_R1_TAG_LIMIT:
        return make_result("searchR1", 0.25, pred=pred, error=f"{tags} answer tags")
    return make_result("searchR1", 1.0, pred=pred)


class _SearchR1:
    """Search-R1's exact match: graded in-process (string operations, linear time)."""

    name = "searchR1"
    parse_ground_truth = staticmethod(search_r1_targets)
    score = staticmethod(_search_r1_score)
    scale = staticmethod(_unchanged)


GSM8K = Convention("gsm8k", gsm8k_answer)
DAPO = Convention("math_dapo", dapo_answer, scale=dapo_scale)
GEOMETRY3K = Convention("geometry3k", boxed_answer, scale=geometry3k_scale)
SEARCH_R1 = _SearchR1()

CONVENTIONS = {c.name: c for c in (GSM8K, DAPO, GEOMETRY3K, SEARCH_R1)}
EXACT_NAMES = {
    "openai/gsm8k": "gsm8k",
    "math_dapo": "math_dapo",
    "math": "math_dapo",
    "math_dapo_reasoning": "math_dapo",
    "hiyouga/geometry3k": "geometry3k",
}
PREFIXES = {"aime": "math_dapo", "searchR1_": "searchR1"}


def convention_of(data_source: str) -> str | None:
    """The convention that reads rows of ``data_source``, or None when it is not verl's."""
    if data_source in EXACT_NAMES:
        return EXACT_NAMES[data_source]
    return next((c for prefix, c in PREFIXES.items() if data_source.startswith(prefix)), None)


def verl_default_score(data_source, solution_str, ground_truth, extra_info) -> dict:
    """Pool task: verl's own ``default_compute_score``, its result as ``{score, acc}``;
    ``{"unknown": message}`` when verl does not know the name either."""
    from verl.utils.reward_score import default_compute_score

    try:
        result = default_compute_score(data_source, solution_str, ground_truth, extra_info)
    except NotImplementedError as exc:
        return {"unknown": str(exc)}
    if isinstance(result, dict):
        score = float(result.get("score", 0.0))
        acc = result.get("acc", score >= 1.0)
    else:
        score = float(result)
        acc = score >= 1.0
    return {"score": score, "acc": 1.0 if acc else 0.0}
