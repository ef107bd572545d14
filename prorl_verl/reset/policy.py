"""When to reset the reference policy (paper §2.3.1 and Appendix E).

ProRL resets "when validation stalls or degrades", and at the boundaries of its runs. The
paper gives no numbers, so every trigger is a knob of the ``prorl.reset`` config block, all
off by default and freely combined:

- ``at_steps``: listed global steps;
- ``every_n_steps``: every N steps;
- ``at_stage_start``: the first step of this stage (once, also across crash-resumes);
- ``val_metric`` with ``patience`` (plateau: no improvement for P validations) and/or
  ``max_drop`` (degradation: more than D below the best value seen), ``val_mode`` max|min;
- ``kl_threshold``: the step's KL metric exceeded a value;
- ``min_gap_steps``: no reset closer than this to the previous one (triggers that fire
  inside the gap stay pending until it has passed).

``keep_snapshots`` is not a trigger: it is how many reference snapshots (one per reset) a
run keeps on disk (0: all); :func:`prorl_verl.reset.snapshots.prune_snapshots` applies it.

Triggers seen after a step (validation, KL) take effect at the start of the next step.
The whole state round-trips through :meth:`ResetPolicy.state_dict`, so a resumed run
decides exactly as an uninterrupted one would; a validation at a step already observed
(verl validates again when a run resumes with ``val_before_train``) is not counted twice.
"""

import math
from dataclasses import dataclass, field


@dataclass
class ResetConfig:
    stage: str = ""
    at_steps: list[int] = field(default_factory=list)
    every_n_steps: int = 0
    at_stage_start: bool = False
    val_metric: str | None = None
    val_mode: str = "max"
    patience: int = 0
    max_drop: float | None = None
    kl_threshold: float | None = None
    kl_metric: str = "actor/kl_loss"
    min_gap_steps: int = 0
    keep_snapshots: int = 0

    def __post_init__(self):
        if self.val_mode not in ("max", "min"):
            raise ValueError(f"prorl.reset.val_mode must be 'max' or 'min', got {self.val_mode!r}")
        if (self.patience or self.max_drop is not None) and not self.val_metric:
            raise ValueError("prorl.reset.patience/max_drop need prorl.reset.val_metric")
        for name in ("every_n_steps", "patience", "min_gap_steps", "keep_snapshots"):
            if getattr(self, name) < 0:
                raise ValueError(f"prorl.reset.{name} must be >= 0, got {getattr(self, name)}")
        self.at_steps = sorted(int(step) for step in self.at_steps)

    @property
    def enabled(self) -> bool:
        return bool(
            self.at_steps
            or self.every_n_steps
            or self.at_stage_start
            or self.patience
            or self.max_drop is not None
            or self.kl_threshold is not None
        )

    @classmethod
    def from_mapping(cls, mapping, stage: str = "") -> "ResetConfig":
        known = {k: v for k, v in dict(mapping or {}).items() if k in cls.__dataclass_fields__}
        unknown = set(dict(mapping or {})) - set(known)
        if unknown:
            raise ValueError(f"unknown prorl.reset keys: {sorted(unknown)}")
        known.setdefault("stage", stage)
        known["at_steps"] = list(known.get("at_steps") or [])
        return cls(**known)


class ResetPolicy:
    def __init__(self, config: ResetConfig):
        self.config = config
        self.history: list[dict] = []  # {"step": int, "reason": str}
        self.best_value: float | None = None
        self.validations_without_improvement = 0
        self.pending_reason: str | None = None
        self.last_validated_step: int | None = None

    @property
    def last_reset_step(self) -> int | None:
        return self.history[-1]["step"] if self.history else None

    def _stage_start_done(self) -> bool:
        return any(h["reason"] == self._stage_start_reason() for h in self.history)

    def _stage_start_reason(self) -> str:
        return f"stage_start:{self.config.stage}" if self.config.stage else "stage_start"

    def _gap_allows(self, step: int) -> bool:
        last = self.last_reset_step
        return last is None or step - last >= self.config.min_gap_steps

    def reason_to_reset(self, step: int) -> str | None:
        """The reason to reset at the start of ``step``, or None. Does not change state."""
        if not self.config.enabled:
            return None
        reasons = []
        if self.config.at_stage_start and not self._stage_start_done():
            reasons.append(self._stage_start_reason())
        if step in self.config.at_steps:
            reasons.append(f"at_step:{step}")
        if self.config.every_n_steps and step % self.config.every_n_steps == 0:
            reasons.append(f"every_{self.config.every_n_steps}_steps")
        if self.pending_reason:
            reasons.append(self.pending_reason)
        if not reasons or not self._gap_allows(step):
            return None
        return "+".join(reasons)

    def record_reset(self, step: int, reason: str) -> None:
        self.history.append({"step": int(step), "reason": reason})
        self.pending_reason = None
        self.validations_without_improvement = 0

    def observe_validation(self, step: int, metrics: dict) -> None:
        name = self.config.val_metric
        if not name or step == self.last_validated_step:
            return
        watched = self.config.patience or self.config.max_drop is not None
        if name not in metrics and not watched:
            # tracked only for information, no trigger depends on it: say so once
            if self.last_validated_step is None:
                print(f"prorl: {self._missing(name, metrics)}; no reset trigger uses it")
                self.last_validated_step = int(step)
            return
        if name not in metrics:
            raise KeyError(self._missing(name, metrics))
        self.last_validated_step = int(step)
        value = float(metrics[name])
        if math.isnan(value):
            return
        sign = 1.0 if self.config.val_mode == "max" else -1.0
        if self.best_value is None or sign * (value - self.best_value) > 0:
            self.best_value = value
            self.validations_without_improvement = 0
            return
        self.validations_without_improvement += 1
        drop = sign * (self.best_value - value)
        if self.config.max_drop is not None and drop > self.config.max_drop:
            self._flag(
                f"val_degraded:{name}={value:.4g}<best {self.best_value:.4g}-{self.config.max_drop}"
            )
        elif self.config.patience and self.validations_without_improvement >= self.config.patience:
            self._flag(f"val_plateau:{name} {self.validations_without_improvement} validations")

    @staticmethod
    def _missing(name: str, metrics: dict) -> str:
        available = ", ".join(sorted(metrics)) or "none"
        return f"prorl.reset.val_metric {name!r} is not among the validation metrics: {available}"

    def observe_step_metrics(self, step: int, metrics: dict) -> None:
        threshold = self.config.kl_threshold
        if threshold is None or self.config.kl_metric not in metrics:
            return
        kl = float(metrics[self.config.kl_metric])
        if kl > threshold:
            self._flag(f"kl:{kl:.4g}>{threshold}")

    def _flag(self, reason: str) -> None:
        if self.pending_reason is None:
            self.pending_reason = reason

    def state_dict(self) -> dict:
        return {
            "history": list(self.history),
            "best_value": self.best_value,
            "validations_without_improvement": self.validations_without_improvement,
            "pending_reason": self.pending_reason,
            "last_validated_step": self.last_validated_step,
        }

    def load_state_dict(self, state: dict) -> None:
        self.history = [dict(h) for h in state.get("history", [])]
        self.best_value = state.get("best_value")
        self.validations_without_improvement = int(state.get("validations_without_improvement", 0))
        self.pending_reason = state.get("pending_reason")
        self.last_validated_step = state.get("last_validated_step")
