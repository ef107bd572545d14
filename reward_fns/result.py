"""The one shape every verifier returns, so verl can stack per-item extras into columns.

verl copies every key of the returned dict into ``reward_extra_info`` and expects the same keys,
with the same types, for every item of a batch: numbers for metrics (``score``, ``acc`` and the
four failure flags below), strings for diagnosis (``domain``, ``pred``, ``error``).

Failure flags (1.0 when it happened while grading this item; the ``prorl`` reward manager passes
them on in ``reward_extra_info``, where verl's means per data source are their rates and their
sums the counts):
``timeout`` — the item ran out of its time bound; ``sandbox_kill`` — the sandbox or worker
killed processes (a deadline, an output cap, processes left running); ``worker_restart`` — a
grading worker was killed and replaced; ``scorer_error`` — the verifier itself failed (raised,
crashed, broke the protocol), so the zero is not the answer's fault.
"""

from __future__ import annotations

PRED_CHARS = 200
FAILURE_FLAGS = ("timeout", "sandbox_kill", "worker_restart", "scorer_error")


def make_result(
    domain: str,
    score: float,
    *,
    pred: str | None = "",
    error: str = "",
    timeout: bool = False,
    killed: bool = False,
    restarted: bool = False,
    scorer_error: bool = False,
) -> dict:
    """``acc`` is 1.0 only for a full score; ``score`` is clipped into [0, 1]."""
    score = float(score)
    score = 0.0 if score != score else min(1.0, max(0.0, score))  # NaN counts as 0
    return {
        "score": score,
        "acc": 1.0 if score >= 1.0 else 0.0,
        "timeout": 1.0 if timeout else 0.0,
        "sandbox_kill": 1.0 if killed else 0.0,
        "worker_restart": 1.0 if restarted else 0.0,
        "scorer_error": 1.0 if scorer_error else 0.0,
        "domain": domain,
        "pred": (pred or "")[:PRED_CHARS],
        "error": error[:PRED_CHARS],
    }
