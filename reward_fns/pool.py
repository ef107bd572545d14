"""Running a verifier step in the shared killable worker pool and turning failures into results."""

from __future__ import annotations

from reward_fns.result import make_result
from reward_fns.worker_pool import WorkerCrashed, WorkerTimeout, shared_pool


class PoolFailure(Exception):
    """The step did not produce a value; ``result`` is the zero-score result to return."""

    def __init__(self, result: dict):
        super().__init__(result["error"])
        self.result = result


def run_bounded(
    domain: str, module: str, function: str, args: tuple, bound_s: float, pred: str = ""
):
    """``module.function(*args)`` in a worker, killed after ``bound_s``; failures raise PoolFailure."""
    try:
        return shared_pool().run(module, function, args, bound_s)
    except WorkerTimeout:
        raise PoolFailure(
            make_result(
                domain, 0.0, pred=pred, timeout=True, error=f"verifier exceeded {bound_s:g} s"
            )
        ) from None
    except (WorkerCrashed, RuntimeError) as exc:
        raise PoolFailure(
            make_result(domain, 0.0, pred=pred, error=f"verifier failed: {exc}")
        ) from None
