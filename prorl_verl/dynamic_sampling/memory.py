"""Per-prompt memory of group outcomes and the pre-rollout skip rule built on it.

The idea is GRESO's (Zheng et al., "Act Only When It Pays", arXiv 2506.02177): a prompt
whose recent groups carried no signal (all samples scored alike) is likely to carry none
again, so it can be skipped *before* its rollouts are generated. The rule here:

- each prompt keeps ``zero_run``, the number of its most recent consecutive visits whose
  group had no signal;
- when the data stream offers it, it is skipped with probability
  ``p_skip = min(1 - rate ** zero_run, 1 - explore_floor)``; ``rate`` is the chance that
  one past zero-signal visit lets it through, and the floor keeps every prompt generated
  with probability at least ``explore_floor``, so none is skipped forever;
- after each step, ``rate`` moves by ``rate_step`` toward keeping the share of zero-signal
  groups among those generated near ``target_zero_signal_share``: down (skip more) when
  the share is above the target, up (skip less) when below, within
  ``[min_rate, max_rate]``.

Decisions draw their uniform number from a hash of (seed, prompt id, times offered), so a
run restored from :meth:`PromptMemory.state_dict` decides exactly as one never stopped.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class MemoryConfig:
    """``prorl.dynamic_sampling.memory``; defaults are ours (GRESO's idea, not its values)."""

    enabled: bool = False
    target_zero_signal_share: float = 0.25
    initial_rate: float = 0.5
    rate_step: float = 0.05
    min_rate: float = 0.05
    max_rate: float = 1.0
    explore_floor: float = 0.05
    seed: int = 0

    def __post_init__(self):
        for name in ("target_zero_signal_share", "initial_rate", "min_rate", "max_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(
                    f"prorl.dynamic_sampling.memory.{name} must be in [0, 1], got {value}"
                )
        if not 0.0 < self.explore_floor <= 1.0:
            raise ValueError(
                "prorl.dynamic_sampling.memory.explore_floor must be in (0, 1] so that no prompt is "
                f"skipped forever, got {self.explore_floor}"
            )
        if self.min_rate > self.max_rate or not self.min_rate <= self.initial_rate <= self.max_rate:
            raise ValueError(
                "prorl.dynamic_sampling.memory needs min_rate <= initial_rate <= max_rate, got "
                f"{self.min_rate}, {self.initial_rate}, {self.max_rate}"
            )
        if self.rate_step < 0:
            raise ValueError(
                f"prorl.dynamic_sampling.memory.rate_step must be >= 0, got {self.rate_step}"
            )

    @classmethod
    def from_mapping(cls, mapping: Mapping | None) -> "MemoryConfig":
        mapping = dict(mapping or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(mapping) - known)
        if unknown:
            raise ValueError(
                f"unknown key(s) in prorl.dynamic_sampling.memory: {unknown}; known: {sorted(known)}"
            )
        return cls(**mapping)


def skip_probability(zero_run: int, rate: float, explore_floor: float) -> float:
    """Chance of skipping a prompt whose last ``zero_run`` visits all had no signal."""
    if zero_run <= 0:
        return 0.0
    return min(1.0 - rate**zero_run, 1.0 - explore_floor)


def uniform(seed: int, prompt_id: str, offer: int) -> float:
    """A reproducible number in [0, 1) for the ``offer``-th time ``prompt_id`` is offered."""
    digest = hashlib.blake2b(f"{seed}\x00{prompt_id}\x00{offer}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass
class PromptRecord:
    zero_run: int = 0  # consecutive most recent visits without signal
    visits: int = 0  # groups generated for this prompt
    offers: int = 0  # times the data stream offered it (generated or skipped)
    pending_skips: int = 0  # skips since its last visit, judged at the next one

    def to_list(self) -> list[int]:
        return [self.zero_run, self.visits, self.offers, self.pending_skips]


@dataclass
class StepCounts:
    """What happened in one training step, for its metrics."""

    skipped: int = 0
    generated: int = 0
    zero_signal: int = 0
    judged_skips: int = 0
    false_skips: int = 0


@dataclass
class PromptMemory:
    config: MemoryConfig
    rate: float = field(init=False)
    prompts: dict[str, PromptRecord] = field(default_factory=dict)
    step: StepCounts = field(default_factory=StepCounts)
    total_skipped: int = 0
    total_judged_skips: int = 0
    total_false_skips: int = 0

    def __post_init__(self):
        self.rate = self.config.initial_rate

    def skip_probability(self, prompt_id: str) -> float:
        record = self.prompts.get(prompt_id)
        zero_run = record.zero_run if record else 0
        return skip_probability(zero_run, self.rate, self.config.explore_floor)

    def should_skip(self, prompt_id: str) -> bool:
        """Decide (and record) whether to skip ``prompt_id`` this time it is offered."""
        record = self.prompts.setdefault(prompt_id, PromptRecord())
        probability = skip_probability(record.zero_run, self.rate, self.config.explore_floor)
        draw = uniform(self.config.seed, prompt_id, record.offers)
        record.offers += 1
        if draw < probability:
            record.pending_skips += 1
            self.step.skipped += 1
            self.total_skipped += 1
            return True
        return False

    def observe(self, prompt_id: str, has_signal: bool) -> None:
        """Record a generated group's outcome; judge the skips made since the last visit."""
        record = self.prompts.setdefault(prompt_id, PromptRecord())
        record.visits += 1
        self.step.generated += 1
        if record.pending_skips:
            self.step.judged_skips += record.pending_skips
            self.total_judged_skips += record.pending_skips
            if has_signal:
                self.step.false_skips += record.pending_skips
                self.total_false_skips += record.pending_skips
            record.pending_skips = 0
        if has_signal:
            record.zero_run = 0
        else:
            record.zero_run += 1
            self.step.zero_signal += 1

    def end_step(self) -> StepCounts:
        """Adapt the rate to this step's zero-signal share; return and reset its counts."""
        counts = self.step
        if counts.generated:
            share = counts.zero_signal / counts.generated
            if share > self.config.target_zero_signal_share:
                self.rate = max(self.config.min_rate, self.rate - self.config.rate_step)
            elif share < self.config.target_zero_signal_share:
                self.rate = min(self.config.max_rate, self.rate + self.config.rate_step)
        self.step = StepCounts()
        return counts

    @property
    def false_skip_rate(self) -> float:
        """Share of judged skips whose prompt, at its next visit, had signal after all."""
        return self.total_false_skips / self.total_judged_skips if self.total_judged_skips else 0.0

    def state_dict(self) -> dict:
        return {
            "rate": self.rate,
            "totals": [self.total_skipped, self.total_judged_skips, self.total_false_skips],
            "prompts": {pid: record.to_list() for pid, record in self.prompts.items()},
        }

    def load_state_dict(self, state: Mapping) -> None:
        self.rate = float(state["rate"])
        self.total_skipped, self.total_judged_skips, self.total_false_skips = state["totals"]
        self.prompts = {pid: PromptRecord(*values) for pid, values in state["prompts"].items()}
        self.step = StepCounts()
