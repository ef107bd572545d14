"""Scoring stored completions with ``reward_fns`` and the per-prompt numbers pass@k needs.

Rule: every completion is graded by ``reward_fns.compute_score_batch`` (the same verifiers as
training). A completion counts as correct for pass@k when its ``acc`` is 1.0. The pass@1 the
paper reports is the mean over a prompt's samples of ``acc``, except for logic puzzles
(``prorl/reasoning_gym/...``) and instruction following (``prorl/ifeval/...``), whose rewards
are continuous: there it is the mean ``score``.
"""

from __future__ import annotations

from dataclasses import dataclass

from tqdm import tqdm

import reward_fns
from prorl_verl.eval.completion import Completion
from prorl_verl.eval.eval_sets import EvalSet

CONTINUOUS_REWARD_PREFIXES = ("prorl/reasoning_gym/", "prorl/ifeval/")


@dataclass(frozen=True)
class PromptScores:
    """The graded samples of one prompt."""

    index: int
    data_source: str
    scores: tuple[float, ...]
    accs: tuple[float, ...]
    num_tokens: tuple[int, ...]
    ended_with_eos: tuple[bool, ...]

    @property
    def n(self) -> int:
        return len(self.scores)

    @property
    def correct(self) -> int:
        return sum(acc == 1.0 for acc in self.accs)

    @property
    def mean_score(self) -> float:
        return sum(self.scores) / self.n

    @property
    def continuous(self) -> bool:
        return self.data_source.startswith(CONTINUOUS_REWARD_PREFIXES)

    @property
    def reported_pass_at_1(self) -> float:
        """pass@1 as the paper reports it: mean score for continuous rewards, else c / n."""
        return self.mean_score if self.continuous else self.correct / self.n


def score_generations(
    eval_set: EvalSet,
    generations: dict[int, list[Completion]],
    *,
    label: str = "",
    chunk_size: int = 256,
) -> list[PromptScores]:
    """Grade every stored completion of every prompt of ``eval_set`` (all must be present)."""
    missing = [row.index for row in eval_set.rows if row.index not in generations]
    if missing:
        raise ValueError(f"{eval_set.name}: no generations for prompts {missing[:10]}")
    owners = [(row, completion) for row in eval_set.rows for completion in generations[row.index]]
    results: list[dict] = []
    with tqdm(total=len(owners), desc=f"score {label or eval_set.name}", unit="sample") as bar:
        for start in range(0, len(owners), chunk_size):
            chunk = owners[start : start + chunk_size]
            batch = reward_fns.compute_score_batch(
                [row.data_source for row, _ in chunk],
                [completion.text for _, completion in chunk],
                [row.ground_truth for row, _ in chunk],
                [row.extra_info for row, _ in chunk],
            )
            if len(batch) != len(chunk):
                raise RuntimeError(
                    f"reward_fns returned {len(batch)} results for {len(chunk)} completions"
                )
            results.extend(batch)
            bar.update(len(chunk))
    per_prompt: dict[int, tuple[list[float], list[float]]] = {
        row.index: ([], []) for row in eval_set.rows
    }
    for (row, _), result in zip(owners, results, strict=True):
        try:
            score, acc = float(result["score"]), float(result["acc"])
        except (KeyError, TypeError, ValueError) as error:
            raise RuntimeError(
                f"{eval_set.name}, prompt {row.index} ({row.data_source}): reward result {result!r} "
                "lacks a numeric 'score' and 'acc'"
            ) from error
        per_prompt[row.index][0].append(score)
        per_prompt[row.index][1].append(acc)
    return [
        PromptScores(
            row.index,
            row.data_source,
            tuple(per_prompt[row.index][0]),
            tuple(per_prompt[row.index][1]),
            tuple(c.num_tokens for c in generations[row.index]),
            tuple(c.ended_with_eos for c in generations[row.index]),
        )
        for row in eval_set.rows
    ]
