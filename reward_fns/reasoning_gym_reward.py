"""Reasoning gym (continuous). Graded: the last ``<answer>...</answer>`` of the graded text,
stripped of surrounding whitespace; none scores 0. Ground truth: JSON
``{"task": name, "entry": <the reasoning-gym entry>}``; a ``prorl/reasoning_gym/<task>`` data_source
naming another known task marks the row malformed (it scores 0, never by the wrong verifier
unnoticed). Scored by the task's own verifier,
hardened (``reasoning_gym_policy``): scorer exceptions score 0, a wrong or junk answer earns at
most the 0.05 format credit, known full-marks exploits are closed. Bound: ``RG_BOUND_S`` in a
killable worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from reward_fns.extract import last_answer_tag
from reward_fns.ground_truth import load_json_object
from reward_fns.pool import PoolFailure, run_bounded
from reward_fns.result import make_result

RG_BOUND_S = 5.0


@dataclass(frozen=True)
class TaskEntry:
    task: str
    entry: dict


def parse_ground_truth(ground_truth, data_source=None) -> TaskEntry:
    """The row's task and entry. A data_source's last segment that is a task name must agree
    with the ground truth's; other segments (``chain_sum_easy``, a bucket) are labels."""
    from reward_fns.reasoning_gym_policy import TASKS

    spec = load_json_object(ground_truth, "reasoning_gym")
    if not isinstance(spec.get("entry"), dict):
        raise ValueError("reasoning_gym ground truth needs 'task' and an 'entry' object")
    if spec.get("task") not in TASKS:
        raise ValueError(f"reasoning_gym ground truth names unknown task {spec.get('task')!r}")
    named = data_source.rsplit("/", 1)[-1] if isinstance(data_source, str) else None
    if named in TASKS and named != spec["task"]:
        raise ValueError(
            f"data_source {data_source!r} names task {named!r} but the ground truth's "
            f"'task' is {spec['task']!r}"
        )
    return TaskEntry(spec["task"], spec["entry"])


def score(text: str, truth: TaskEntry) -> dict:
    answer = last_answer_tag(text)
    if answer is None:
        return make_result("reasoning_gym", 0.0, error="no <answer> tag")
    try:
        value, error = run_bounded(
            "reasoning_gym",
            "reward_fns.reasoning_gym_policy",
            "hardened_score",
            (truth.task, answer, truth.entry),
            RG_BOUND_S,
            answer,
        )
    except PoolFailure as failure:
        return failure.result
    return make_result("reasoning_gym", value, pred=answer, error=error)
