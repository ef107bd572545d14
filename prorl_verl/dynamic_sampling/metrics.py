"""The per-step dynamic-sampling metrics (``prorl/dynamic_sampling/...``).

All group counts are over the groups whose rollouts finished in the step: kept, dropped for
lack of signal, and surplus that verl generated while refilling and then discarded.
"""

from dataclasses import dataclass, field

from prorl_verl.dynamic_sampling.buffer import GroupOutcome
from prorl_verl.dynamic_sampling.memory import PromptMemory, StepCounts

PREFIX = "prorl/dynamic_sampling"


@dataclass
class StepRecord:
    groups: list[GroupOutcome] = field(default_factory=list)
    rollouts: int = 0  # samples submitted for generation in the step
    refill_rounds: int = 0
    refill_prompts: int = 0
    kept_groups: int = 0
    rollouts_total: int = 0


def step_metrics(
    record: StepRecord, memory_counts: StepCounts | None, memory: PromptMemory | None, n: int
) -> dict[str, float]:
    generated = len(record.groups)
    zero_signal = sum(not group.has_signal for group in record.groups)
    metrics = {
        f"{PREFIX}/generated_groups": generated,
        f"{PREFIX}/dropped_groups": zero_signal,
        f"{PREFIX}/dropped_fraction": zero_signal / generated if generated else 0.0,
        f"{PREFIX}/kept_groups": record.kept_groups,
        f"{PREFIX}/refill_rounds": record.refill_rounds,
        f"{PREFIX}/refill_prompts": record.refill_prompts,
        f"{PREFIX}/rollouts": record.rollouts,
        f"{PREFIX}/rollouts_total": record.rollouts_total,
        f"{PREFIX}/rollouts_per_kept_group": record.rollouts / record.kept_groups
        if record.kept_groups
        else 0.0,
    }
    if generated:
        # the mean reward (after any penalty) over every generated group, which filtering hides
        metrics[f"{PREFIX}/reward_all_groups"] = (
            sum(g.mean_reward for g in record.groups) / generated
        )
    if memory_counts is not None and memory is not None:
        skipped = memory_counts.skipped
        offered = memory_counts.generated + skipped
        metrics.update(
            {
                f"{PREFIX}/memory/skipped_prompts": skipped,
                f"{PREFIX}/memory/rollouts_saved": skipped * n,
                f"{PREFIX}/memory/false_skip_rate": memory.false_skip_rate,
                f"{PREFIX}/memory/judged_skips": memory.total_judged_skips,
                f"{PREFIX}/memory/zero_signal_share_generated": (
                    memory_counts.zero_signal / memory_counts.generated
                    if memory_counts.generated
                    else 0.0
                ),
                # skipped prompts counted as zero-signal: the share the stream would have had
                f"{PREFIX}/memory/zero_signal_share_offered": (
                    (memory_counts.zero_signal + skipped) / offered if offered else 0.0
                ),
                f"{PREFIX}/memory/rate": memory.rate,
                f"{PREFIX}/memory/prompts_tracked": len(memory.prompts),
            }
        )
    return metrics
