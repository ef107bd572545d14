"""Routing a scored item to its verifier, by ``data_source``.

``prorl/math/...``, ``prorl/code/...``, ``prorl/stem/...``, ``prorl/reasoning_gym/<task>`` and
``prorl/ifeval/...`` name our domains. Every name verl 0.9.1's ``default_compute_score`` knows
works too: the sets ProRL trains on under verl's names — the MATH sets, PRIME/Eurus's
``numina_*`` math and ``apps``/``codecontests``/``codeforces``/``taco`` code — go to our math
and code domains, with ProRL's rules (a boxed answer, a fenced program); gsm8k, DAPO/AIME,
geometry3k and Search-R1 are read in verl's conventions (``verl_sources``). An unknown
``data_source`` is a configuration error and raises — unless ``unknown_data_source="verl"``
hands it to verl's own scorer, bounded in our worker pool. Model output never raises, and
neither does one malformed test case: whatever goes wrong while grading an item becomes a
zero score with an ``error`` message.

Options (keyword arguments; in a verl run set them under
``reward.custom_reward_function.reward_kwargs``):

- ``think_tags``: ``"prorl"`` (default) grades only the text after the last ``</think>`` and
  scores an unclosed ``<think>`` 0; ``"ignore"`` grades the whole response, as verl does.
- ``unknown_data_source``: ``"raise"`` (default) or ``"verl"``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import ModuleType

from reward_fns import (
    code_reward,
    ifeval_reward,
    math_reward,
    reasoning_gym_reward,
    stem_reward,
    verl_sources,
)
from reward_fns.extract import THINK_TAG_RULES, graded_text
from reward_fns.pool import PoolFailure, run_bounded
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
SCORERS = {**DOMAINS, **verl_sources.CONVENTIONS}
VERL = "verl"  # the scorer key of items handed to verl's default_compute_score
UNKNOWN_SOURCE_RULES = ("raise", VERL)


class UnknownDataSource(ValueError):
    """A ``data_source`` no verifier claims: the data or the configuration is wrong."""


def _unknown_message(data_source) -> str:
    known = sorted(
        [
            *_ALIASES,
            *verl_sources.EXACT_NAMES,
            *(f"{p}*" for p in ("numina_", *verl_sources.PREFIXES)),
        ]
    )
    return (
        f"unknown data_source {data_source!r}: expected prorl/<domain>/... with domain in "
        f"{sorted(DOMAINS)}, or one of {known}; to hand other names to verl's "
        f"own default_compute_score, pass unknown_data_source='verl' (in a verl run: "
        f"+reward.custom_reward_function.reward_kwargs.unknown_data_source=verl)"
    )


def domain_of(data_source: str, unknown_data_source: str = "raise") -> str:
    """The key in ``SCORERS`` that grades rows of ``data_source`` (``VERL`` when delegated);
    raises UnknownDataSource."""
    if unknown_data_source not in UNKNOWN_SOURCE_RULES:
        raise ValueError(
            f"unknown_data_source must be one of {UNKNOWN_SOURCE_RULES}, got {unknown_data_source!r}"
        )
    if isinstance(data_source, str):
        head, _, rest = data_source.partition("/")
        if head == "prorl" and rest.split("/", 1)[0] in DOMAINS:
            return rest.split("/", 1)[0]
        if data_source in _ALIASES:
            return _ALIASES[data_source]
        if data_source.startswith("numina_"):
            return "math"
        convention = verl_sources.convention_of(data_source)
        if convention is not None:
            return convention
        if unknown_data_source == VERL and data_source:
            return VERL
    raise UnknownDataSource(_unknown_message(data_source))


def _check_think_tags(think_tags: str) -> None:
    if think_tags not in THINK_TAG_RULES:
        raise ValueError(f"think_tags must be one of {THINK_TAG_RULES}, got {think_tags!r}")


def _parse(key: str, ground_truth, data_source):
    """The parsed ground truth, or the ``ValueError`` that says what is wrong with it."""
    if key == VERL:
        return ground_truth  # verl's scorer reads it as it is
    try:
        if key == "reasoning_gym":  # its data_source names the task: the two must agree
            return reasoning_gym_reward.parse_ground_truth(ground_truth, data_source)
        return SCORERS[key].parse_ground_truth(ground_truth)
    except ValueError as exc:
        return exc


def _delegate_to_verl(data_source, text: str, ground_truth, extra_info) -> dict:
    try:
        verdict = run_bounded(
            VERL,
            "reward_fns.verl_sources",
            "verl_default_score",
            (data_source, text, ground_truth, extra_info),
            verl_sources.VERL_BOUND_S,
        )
    except PoolFailure as failure:
        return failure.result
    if "unknown" in verdict:
        raise UnknownDataSource(f"{_unknown_message(data_source)}; verl: {verdict['unknown']}")
    return dict(make_result(VERL, verdict["acc"]), score=verdict["score"], acc=verdict["acc"])


def _grade(key: str, item: tuple, think_tags: str) -> dict:
    """Grade one ``(data_source, solution_str, parsed ground truth, extra_info)`` item."""
    data_source, solution_str, parsed_truth, extra_info = item
    if not isinstance(solution_str, str):
        solution_str = "" if solution_str is None else str(solution_str)
    scale = getattr(SCORERS.get(key), "scale", None) or (lambda result, response: result)
    if isinstance(parsed_truth, ValueError):  # bad data fails its own item, not the batch
        return scale(make_result(key, 0.0, error=f"ground truth: {parsed_truth}"), solution_str)
    try:
        text = graded_text(solution_str, think_tags)
        if text is None:
            return scale(make_result(key, 0.0, error="<think> never closed"), solution_str)
        if key == VERL:
            return _delegate_to_verl(data_source, text, parsed_truth, extra_info)
        return scale(SCORERS[key].score(text, parsed_truth), solution_str)
    except (SandboxUnavailable, UnknownDataSource):
        raise  # the machine cannot run code safely, or verl knows the name no better
    except Exception as exc:  # a verifier bug must not stop training: report it on the item
        return scale(make_result(key, 0.0, error=f"verifier error: {exc!r}"), solution_str)


def compute_score(
    data_source,
    solution_str,
    ground_truth,
    extra_info=None,
    *,
    think_tags: str = "prorl",
    unknown_data_source: str = "raise",
    **kwargs,
) -> dict:
    """verl's custom reward function: grade one response; returns ``score``, ``acc`` and
    diagnostics. Raises only for configuration errors (an unknown data_source, an unknown
    option), never because of the response or a malformed ground truth (that item scores 0
    with ``error`` naming the field)."""
    _check_think_tags(think_tags)
    key = domain_of(data_source, unknown_data_source)
    item = (data_source, solution_str, _parse(key, ground_truth, data_source), extra_info)
    return _grade(key, item, think_tags)


def compute_score_batch(
    data_sources,
    solution_strs,
    ground_truths,
    extra_infos=None,
    *,
    think_tags: str = "prorl",
    unknown_data_source: str = "raise",
    **kwargs,
) -> list[dict]:
    """verl's batch convention: the same results as ``compute_score`` per item, graded in
    parallel (worker processes and sandboxes). Every item's data_source is checked before any
    is graded."""
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
    _check_think_tags(think_tags)
    keys = []
    for index, data_source in enumerate(data_sources):
        try:
            keys.append(domain_of(data_source, unknown_data_source))
        except ValueError as exc:
            raise type(exc)(f"batch item {index}: {exc}") from exc
    extra_infos = [None] * n if extra_infos is None else extra_infos
    items = [
        (source, solution, _parse(key, truth, source), extra)
        for key, source, solution, truth, extra in zip(
            keys, data_sources, solution_strs, ground_truths, extra_infos, strict=True
        )
    ]
    threads = default_pool_size() + sandbox_slots()
    with ThreadPoolExecutor(
        max_workers=min(threads, max(n, 1)), thread_name_prefix="reward"
    ) as executor:
        futures = [
            executor.submit(_grade, key, item, think_tags)
            for key, item in zip(keys, items, strict=True)
        ]
        return [future.result() for future in futures]
