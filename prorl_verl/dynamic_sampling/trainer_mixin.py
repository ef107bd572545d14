"""Dynamic sampling in ProRL's trainer: verl's group filter, plus what it lacks.

- the refill limit, and what to do past it (``on_exhausted``): stop with an error, or train
  on the groups that have signal (a smaller batch, logged) and go on;
- the prompt memory (``memory``, :mod:`.memory`): prompts are offered one at a time by the
  data stream (verl fetches one prompt per refill when group filtering is on); a skipped
  prompt is replaced by the next one, so batches stay full;
- the memory is saved with every checkpoint and restored on resume;
- the optional group log (``group_log``, one JSON line per generated group) keeps, on resume,
  only the steps the checkpoint holds: the interrupted step's groups are generated again;
- the step's metrics (:mod:`.metrics`).

It hooks into verl's V1 trainer by overriding its own methods, each calling verl's.
"""

import json
import logging
from pathlib import Path

from verl.trainer.ppo.v1.replay_buffer import ReplayBuffer

from prorl_verl.dynamic_sampling.buffer import (
    GroupOutcome,
    ObservingReplayBuffer,
    RefillExhausted,
    observe_groups,
)
from prorl_verl.dynamic_sampling.memory import MemoryConfig, PromptMemory
from prorl_verl.dynamic_sampling.metrics import StepRecord, step_metrics
from prorl_verl.dynamic_sampling.prompt_ids import batch_prompt_ids, check_prompt_ids

logger = logging.getLogger(__name__)

STATE_FILE = "prorl_dynamic_sampling.json"
GROUP_LOG_FILE = "dynamic_sampling_groups.jsonl"
ON_EXHAUSTED = ("error", "train_partial")


def trim_group_log(path: Path, last_step: int) -> int:
    """Drop the records of steps after ``last_step`` (the step a resumed run restarts after),
    and a last line cut off by the interruption; returns how many lines were dropped. The file
    is replaced whole, so a crash while trimming cannot halve it."""
    if not path.exists():
        return 0
    lines = path.read_text().splitlines(keepends=True)
    # each record is written with its newline in one call: a last line without one was cut short
    whole = lines if not lines or lines[-1].endswith("\n") else lines[:-1]
    kept = []
    for number, line in enumerate(whole, start=1):
        try:
            step = json.loads(line)["step"]
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}, line {number}: not a group-log record ({error})") from None
        if step <= last_step:
            kept.append(line)
    if len(kept) < len(lines):
        partial = path.with_name(path.name + ".partial")
        partial.write_text("".join(kept))
        partial.replace(path)
    return len(lines) - len(kept)


class DynamicSamplingMixin:
    def __init__(self, config):
        super().__init__(config)
        sampling = (config.get("prorl", None) or {}).get("dynamic_sampling", None) or {}
        self.max_refill_factor = float(sampling.get("max_refill_factor", 8))
        self.on_exhausted = str(sampling.get("on_exhausted", "error"))
        if self.on_exhausted not in ON_EXHAUSTED:
            raise ValueError(
                f"prorl.dynamic_sampling.on_exhausted must be one of {ON_EXHAUSTED}, got {self.on_exhausted!r}"
            )
        memory_config = MemoryConfig.from_mapping(sampling.get("memory", None))
        self.memory = PromptMemory(memory_config) if memory_config.enabled else None
        if self.memory is not None and not self.config.algorithm.filter_groups.enable:
            raise ValueError(
                "prorl.dynamic_sampling.memory learns from the groups verl's filter drops: "
                "set algorithm.filter_groups.enable=true, or turn the memory off"
            )
        group_log = sampling.get("group_log", False)
        self.group_log = Path(config.prorl.run_dir) / GROUP_LOG_FILE if group_log else None
        self.rollouts_total = 0
        self._prompt_of_uid: dict[str, str] = {}
        self._step = StepRecord()

    # ------------------------------------------------------------------ data stream
    def _build_replay_buffer(self) -> ReplayBuffer:
        buffer = super()._build_replay_buffer()
        if getattr(buffer, "filter_groups_metric", None) is None:
            return buffer
        return observe_groups(buffer, self._on_group_finished)

    def _init_dataloader(self):
        super()._init_dataloader()
        if self.memory is not None:
            if not isinstance(self.replay_buffer, ObservingReplayBuffer):
                raise ValueError(
                    "prorl.dynamic_sampling.memory needs verl's own replay buffer with group "
                    "filtering (no trainer.v1.sampler.custom_sampler)"
                )
            files = self.config.data.train_files
            files = [files] if isinstance(files, str) else list(files)
            count = check_prompt_ids(files)
            print(
                f"prorl: dynamic-sampling memory keys {count} prompts by data_source#extra_info.index"
            )

    def _fetch_one_gen_batch(self):
        """verl's fetch; with the memory on, prompts it skips are replaced by the next ones."""
        if not isinstance(self.replay_buffer, ObservingReplayBuffer):
            return super()._fetch_one_gen_batch()
        # verl fetches one prompt at a time when group filtering is on; after a whole pass of
        # skips (with explore_floor > 0, practically never) the last prompt offered is taken.
        for _ in range(max(1, len(self.train_dataset))):
            batch = super()._fetch_one_gen_batch()
            ids = batch_prompt_ids(batch)
            if self.memory is None or len(ids) != 1 or not self.memory.should_skip(ids[0]):
                break
        self._prompt_of_uid.update(zip(batch["uid"], ids, strict=True))
        return batch

    def _submit_batch_to_rollout(self, batch) -> int:
        submitted = super()._submit_batch_to_rollout(batch)
        self._step.rollouts += submitted * self.config.actor_rollout_ref.rollout.n
        return submitted

    def _add_prompts_to_generate(self, num_prompts: int) -> int:
        """verl's refill hook: count refills, trim the last one to the limit, stop past it."""
        limit = int(self.max_refill_factor * self.config.data.train_batch_size)
        allowed = min(num_prompts, limit - self._step.refill_prompts)
        if allowed <= 0:
            message = (
                f"dynamic sampling refilled {self._step.refill_prompts} prompts in step "
                f"{self.global_steps}, the limit (prorl.dynamic_sampling.max_refill_factor="
                f"{self.max_refill_factor} x train_batch_size), and still lacks groups with signal: "
                "nearly every group gets identical rewards, so the data is too easy or too hard for "
                "this model."
            )
            if self.on_exhausted == "train_partial":
                print(
                    f"prorl: {message} Training on the groups with signal (on_exhausted=train_partial)."
                )
                raise RefillExhausted(message)
            raise RuntimeError(
                f"{message} Check the rewards, raise the limit, or set "
                "prorl.dynamic_sampling.on_exhausted=train_partial."
            )
        self._step.refill_rounds += 1
        self._step.refill_prompts += allowed
        return super()._add_prompts_to_generate(allowed)

    def _on_group_finished(self, outcome: GroupOutcome) -> None:
        self._step.groups.append(outcome)
        prompt = self._prompt_of_uid.pop(outcome.uid, None)
        if self.memory is not None and prompt is not None:
            self.memory.observe(prompt, outcome.has_signal)
        if self.group_log is not None:
            self.group_log.parent.mkdir(parents=True, exist_ok=True)
            with self.group_log.open("a") as handle:
                record = {
                    "step": self.global_steps,
                    "prompt": prompt,
                    "signal": outcome.has_signal,
                    "acc": outcome.mean_acc,
                    "reward": outcome.mean_reward,
                }
                handle.write(json.dumps(record) + "\n")

    # ------------------------------------------------------------------ metrics
    def on_step_begin(self):
        super().on_step_begin()
        self._step = StepRecord()

    def step(self, metrics: dict, timing_raw: dict):
        """verl's step, then the step's bookkeeping and metrics: before verl saves a
        checkpoint, so the saved memory includes this step's rate update."""
        batch = super().step(metrics, timing_raw)
        if isinstance(self.replay_buffer, ObservingReplayBuffer):
            self.rollouts_total += self._step.rollouts
            self._step.rollouts_total = self.rollouts_total
            self._step.kept_groups = (
                self.replay_buffer.partial_groups or self.config.data.train_batch_size
            )
            memory_counts = self.memory.end_step() if self.memory is not None else None
            n = self.config.actor_rollout_ref.rollout.n
            metrics.update(step_metrics(self._step, memory_counts, self.memory, n))
        return batch

    # ------------------------------------------------------------------ checkpoints
    def _save_checkpoint(self):
        step_dir = Path(self.config.trainer.default_local_dir) / f"global_step_{self.global_steps}"
        step_dir.mkdir(parents=True, exist_ok=True)
        state = {
            "rollouts_total": self.rollouts_total,
            "memory": self.memory.state_dict() if self.memory is not None else None,
        }
        (step_dir / STATE_FILE).write_text(json.dumps(state))
        # verl marks the checkpoint complete (latest_checkpointed_iteration.txt) last.
        super()._save_checkpoint()

    def _load_checkpoint(self):
        super()._load_checkpoint()
        if self.global_steps == 0:
            return
        if self.group_log is not None:
            dropped = trim_group_log(self.group_log, self.global_steps)
            if dropped:
                print(
                    f"prorl: {dropped} group-log records of steps after {self.global_steps} "
                    f"(not in the checkpoint, generated again now) dropped from {self.group_log}"
                )
        if self.config.trainer.resume_mode == "resume_path":
            step_dir = Path(self.config.trainer.resume_from_path)
        else:
            step_dir = (
                Path(self.config.trainer.default_local_dir) / f"global_step_{self.global_steps}"
            )
        state_file = step_dir / STATE_FILE
        if not state_file.exists():
            logger.warning(f"{state_file} not found: dynamic sampling starts with an empty memory")
            return
        state = json.loads(state_file.read_text())
        self.rollouts_total = int(state["rollouts_total"])
        if self.memory is not None and state["memory"] is not None:
            self.memory.load_state_dict(state["memory"])
            print(
                f"prorl: dynamic-sampling memory restored from {state_file} ({len(self.memory.prompts)} prompts)"
            )
