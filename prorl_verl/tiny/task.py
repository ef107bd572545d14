"""The tiny model's task: reasoning-gym ``chain_sum`` answered with running results.

A problem is reasoning-gym's own ``chain_sum`` item (``"... problem: 17 + 5 - 63 ="``), shown
to the model exactly as ``data_prep.prompts.reasoning_gym_messages`` renders it. The target
response writes the running result after each term, then the final answer in ``<answer>``
tags: ``"17 22 -41 <answer>-41</answer>"``. Grading takes the text inside the last
``<answer>`` tag and scores it with reasoning-gym's ``chain_sum`` scorer; a response is
correct only when that score is 1.0 (the scorer gives partial credit otherwise).

Two buckets fix what "easy" and "hard" mean for the demo and its evaluation; the warm-up
distribution spans both so the base model is good on the first and weak on the second.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import reasoning_gym
from reasoning_gym.utils import extract_answer

from data_prep.prompts import reasoning_gym_messages

TASK_NAME = "chain_sum"


@dataclass(frozen=True)
class ChainSumBucket:
    """A range of ``chain_sum`` problems (reasoning-gym's ``ChainSumConfig`` fields)."""

    name: str
    min_terms: int
    max_terms: int
    min_digits: int
    max_digits: int

    def config(self) -> dict:
        """The fields reasoning-gym's ``ChainSumConfig`` takes."""
        fields = asdict(self)
        fields.pop("name")
        return fields


# Chosen from what the warmed-up base does: sampled pass@1 at temperature 1.0 of the default
# build is about 0.83 on two one-digit terms and about 0.2 on three (128 problems x 4 samples);
# longer chains fall towards 0.
EASY = ChainSumBucket("easy", min_terms=2, max_terms=2, min_digits=1, max_digits=1)
HARD = ChainSumBucket("hard", min_terms=3, max_terms=3, min_digits=1, max_digits=1)
BUCKETS = {bucket.name: bucket for bucket in (EASY, HARD)}


def bucket_by_name(name: str) -> ChainSumBucket:
    try:
        return BUCKETS[name]
    except KeyError:
        raise ValueError(f"unknown chain_sum bucket {name!r}; known: {sorted(BUCKETS)}") from None


def generate_problems(bucket: ChainSumBucket | str, size: int, seed: int) -> list[dict]:
    """``size`` reasoning-gym ``chain_sum`` entries of one bucket, reproducible from ``seed``.

    reasoning-gym seeds item ``i`` with ``seed + i``, so two calls whose seed ranges overlap
    share problems: keep seeds of different splits at least ``size`` apart.
    """
    if isinstance(bucket, str):
        bucket = bucket_by_name(bucket)
    if size <= 0:
        raise ValueError(f"size must be positive, got {size}")
    dataset = reasoning_gym.create_dataset(TASK_NAME, size=size, seed=seed, **bucket.config())
    return [dataset[i] for i in range(size)]


def running_results(expression: str) -> list[int]:
    """The value after each term of ``"a + b - c"``: ``[a, a + b, a + b - c]``."""
    parts = expression.split()
    if len(parts) % 2 == 0:
        raise ValueError(f"not a chain_sum expression (term op term ...): {expression!r}")
    total = int(parts[0])
    results = [total]
    for op, term in zip(parts[1::2], parts[2::2], strict=True):
        if op == "+":
            total += int(term)
        elif op == "-":
            total -= int(term)
        else:
            raise ValueError(f"unknown operator {op!r} in chain_sum expression {expression!r}")
        results.append(total)
    return results


def target_response(entry: dict) -> str:
    """The response the warm-up teaches: running results, then the answer in tags."""
    results = running_results(entry["metadata"]["expression"])
    if str(results[-1]) != entry["answer"]:
        raise ValueError(
            f"running sum {results[-1]} disagrees with reasoning-gym's answer {entry['answer']!r} "
            f"for {entry['metadata']['expression']!r}"
        )
    steps = " ".join(str(value) for value in results)
    return f"{steps} <answer>{results[-1]}</answer>"


def prompt_messages(entry: dict) -> list[dict]:
    """The chat prompt of a problem, as every part of the product renders it."""
    return reasoning_gym_messages(entry["question"])


_SCORER = reasoning_gym.create_dataset(TASK_NAME, size=1, seed=0)


def score_response(response: str, entry: dict) -> float:
    """reasoning-gym's ``chain_sum`` score of the last ``<answer>`` in ``response`` (0 if none)."""
    return float(_SCORER.score_answer(extract_answer(response), entry))


def is_correct(response: str, entry: dict) -> bool:
    """Fully correct: reasoning-gym's scorer gives exactly 1.0."""
    return score_response(response, entry) == 1.0
