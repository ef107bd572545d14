"""Running a verifier step in the shared sandboxed worker pool and turning failures into results."""

from __future__ import annotations

from reward_fns.result import make_result
from reward_fns.worker_pool import TaskFailed, WorkerCrashed, WorkerTimeout, shared_pool


class PoolFailure(Exception):
    """The step did not produce a value; ``result`` is the zero-score result to return."""

    def __init__(self, result: dict):
        super().__init__(result["error"])
        self.result = result


def run_bounded(
    domain: str, module: str, function: str, args: tuple, bound_s: float, pred: str = ""
):
    """``module.function(*args)`` in a sandboxed worker, killed after ``bound_s``; failures —
    and a step that left processes running, which no verifier does — raise PoolFailure."""
    try:
        reply = shared_pool().run(module, function, args, bound_s)
    except WorkerTimeout:
        raise PoolFailure(
            make_result(
                domain,
                0.0,
                pred=pred,
                error=f"verifier exceeded {bound_s:g} s",
                timeout=True,
                killed=True,
                restarted=True,
            )
        ) from None
    except WorkerCrashed as exc:
        raise PoolFailure(
            make_result(
                domain,
                0.0,
                pred=pred,
                error=f"verifier worker failed: {exc}",
                restarted=True,
                scorer_error=True,
            )
        ) from None
    except TaskFailed as exc:
        raise PoolFailure(
            make_result(domain, 0.0, pred=pred, error=f"verifier failed: {exc}", scorer_error=True)
        ) from None
    if reply.killed:
        raise PoolFailure(
            make_result(domain, 0.0, pred=pred, error="grading left processes running", killed=True)
        )
    return reply.value
