"""The one shape every verifier returns, so verl can stack per-item extras into columns.

verl copies every key of the returned dict into ``reward_extra_info`` and expects the same keys,
with the same types, for every item of a batch: numbers for metrics (``score``, ``acc``,
``timeout``), strings for diagnosis (``domain``, ``pred``, ``error``).
"""

from __future__ import annotations

PRED_CHARS = 200


def make_result(
    domain: str, score: float, *, pred: str | None = "", error: str = "", timeout: bool = False
) -> dict:
    """``acc`` is 1.0 only for a full score; ``score`` is clipped into [0, 1]."""
    score = float(score)
    score = 0.0 if score != score else min(1.0, max(0.0, score))  # NaN counts as 0
    return {
        "score": score,
        "acc": 1.0 if score >= 1.0 else 0.0,
        "timeout": 1.0 if timeout else 0.0,
        "domain": domain,
        "pred": (pred or "")[:PRED_CHARS],
        "error": error[:PRED_CHARS],
    }
