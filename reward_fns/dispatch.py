"""Routing a scored item to its domain's verifier, by ``data_source``.

``prorl/math/...``, ``prorl/code/...``, ``prorl/stem/...``, ``prorl/reasoning_gym/<task>`` and
``prorl/ifeval/...`` name our domains; common verl/Eurus names for the same domains are accepted
too (``apps``, ``codecontests``, ``codeforces``, ``taco``; ``numina_*`` and the MATH/DeepScaleR
names), so existing parquet files work unchanged. An unknown ``data_source`` is a configuration
error and raises. Model output never raises: whatever goes wrong while grading it becomes a
zero score with an ``error`` message.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import ModuleType

from reward_fns import code_reward, ifeval_reward, math_reward, reasoning_gym_reward, stem_reward
from reward_fns.extract import graded_text
from reward_fns.result import make_result
from reward_fns.sandbox import SandboxUnavailable, sandbox_slots
from reward_fns.worker_pool import default_pool_size

DOMAINS: dict[str, ModuleType] = {
    "math": math_reward,
    "code": code_reward,
    "stem": stem_reward,
    "reasoning_gym": reasoning_gym_reward,
    "ifeval": ifeval_reward,
}
_ALIASES = {
    "apps": "code",
    "codecontests": "code",
    "codeforces": "code",
    "taco": "code",
    "lighteval/MATH": "math",
    "DigitalLearningGmbH/MATH-lighteval": "math",
    "HuggingFaceH4/MATH-500": "math",
    "agentica-org/DeepScaleR-Preview-Dataset": "math",
}


class UnknownDataSource(ValueError):
    """A ``data_source`` no verifier claims: the data or the configuration is wrong."""


def domain_of(data_source: str) -> str:
    """The domain that grades rows of ``data_source``; raises UnknownDataSource."""
    if isinstance(data_source, str):
        head, _, rest = data_source.partition("/")
        if head == "prorl" and rest.split("/", 1)[0] in DOMAINS:
            return rest.split("/", 1)[0]
        if data_source in _ALIASES:
            return _ALIASES[data_source]
        if data_source.startswith("numina_"):
            return "math"
    raise UnknownDataSource(
        f"unknown data_source {data_source!r}: expected prorl/<domain>/... with domain in "
        f"{sorted(DOMAINS)}, or one of {sorted(_ALIASES)} or numina_*"
    )


def _grade(domain: str, solution_str, parsed_truth) -> dict:
    try:
        if not isinstance(solution_str, str):
            solution_str = "" if solution_str is None else str(solution_str)
        text = graded_text(solution_str)
        if text is None:
            return make_result(domain, 0.0, error="<think> never closed")
        return DOMAINS[domain].score(text, parsed_truth)
    except SandboxUnavailable:
        raise  # the machine cannot run code safely: say so instead of scoring every program 0
    except Exception as exc:  # a verifier bug must not stop training: report it on the item
        return make_result(domain, 0.0, error=f"verifier error: {exc!r}")


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs) -> dict:
    """verl's custom reward function: grade one response; returns ``score``, ``acc`` and
    diagnostics. Raises only for configuration errors (unknown data_source, malformed ground
    truth), never because of the response."""
    domain = domain_of(data_source)
    parsed_truth = DOMAINS[domain].parse_ground_truth(ground_truth)
    return _grade(domain, solution_str, parsed_truth)


def compute_score_batch(
    data_sources, solution_strs, ground_truths, extra_infos=None, **kwargs
) -> list[dict]:
    """verl's batch convention: the same results as ``compute_score`` per item, graded in
    parallel (worker processes and sandboxes). Every item's data_source and ground truth are
    checked before any is graded."""
    n = len(solution_strs)
    if (
        len(data_sources) != n
        or len(ground_truths) != n
        or (extra_infos is not None and len(extra_infos) != n)
    ):
        raise ValueError(
            f"batch columns differ in length: {len(data_sources)} data_sources, {n} solution_strs, "
            f"{len(ground_truths)} ground_truths, {None if extra_infos is None else len(extra_infos)} extra_infos"
        )
    jobs = []
    for index, (data_source, ground_truth) in enumerate(
        zip(data_sources, ground_truths, strict=True)
    ):
        try:
            domain = domain_of(data_source)
            jobs.append((domain, DOMAINS[domain].parse_ground_truth(ground_truth)))
        except ValueError as exc:
            raise type(exc)(f"batch item {index}: {exc}") from exc
    threads = default_pool_size() + sandbox_slots()
    with ThreadPoolExecutor(
        max_workers=min(threads, max(n, 1)), thread_name_prefix="reward"
    ) as executor:
        futures = [
            executor.submit(_grade, domain, solution_str, parsed_truth)
            for (domain, parsed_truth), solution_str in zip(jobs, solution_strs, strict=True)
        ]
        return [future.result() for future in futures]
