"""verl's synchronous replay buffer, made to report every finished training group once and
to hand over a partial batch when refilling has to stop.

verl builds its buffer from the config (``PPOTrainer._build_replay_buffer``); the trainer
keeps that construction and re-classes the instance with :func:`observe_groups`, which adds
these two behaviours and none of verl's state.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import transfer_queue as tq
from verl.trainer.ppo.v1.replay_buffer import ReplayBuffer

TRAIN = "train"


class RefillExhausted(Exception):
    """Raised by the refill function when the step's refill limit is reached and the run is
    configured to train on the groups it has (``on_exhausted: train_partial``)."""


@dataclass(frozen=True)
class GroupOutcome:
    uid: str
    has_signal: bool  # False: verl's filter drops it (its metric is the same for all samples)
    mean_reward: float
    mean_acc: float | None  # None when the reward manager reports no ``acc``


class ObservingReplayBuffer(ReplayBuffer):
    on_group: Callable[[GroupOutcome], None]
    _reported: set[str]
    partial_groups: int | None  # set when the last sample() returned a partial batch

    def _dapo_filtered_keys(self, partition_id: str):
        filtered, counts = super()._dapo_filtered_keys(partition_id)
        if partition_id == TRAIN:
            finished = self.finished_keys[partition_id]
            new = finished - self._reported
            for outcome in self._outcomes(partition_id, new, filtered):
                self.on_group(outcome)
            self._reported = (self._reported & finished) | new
        return filtered, counts

    def _outcomes(
        self, partition_id: str, uids: set[str], no_signal: set[str]
    ) -> list[GroupOutcome]:
        if not uids:
            return []
        keys = [key for key in self.partitions[partition_id] if key.split("_")[0] in uids]
        data = tq.kv_batch_get(
            keys=keys, partition_id=partition_id, select_fields=["rm_scores", "extra_fields"]
        )
        rewards: dict[str, list[float]] = {uid: [] for uid in uids}
        accs: dict[str, list[float]] = {uid: [] for uid in uids}
        for key, scores, extra in zip(keys, data["rm_scores"], data["extra_fields"], strict=True):
            uid = key.split("_")[0]
            rewards[uid].append(float(scores.sum().item()))
            info = getattr(extra, "data", extra)
            info = info.get("reward_extra_info", {}) if isinstance(info, dict) else {}
            if "acc" in info:
                accs[uid].append(float(info["acc"]))
        return [
            GroupOutcome(
                uid=uid,
                has_signal=uid not in no_signal,
                mean_reward=float(np.mean(rewards[uid])) if rewards[uid] else 0.0,
                mean_acc=float(np.mean(accs[uid])) if accs[uid] else None,
            )
            for uid in sorted(uids)
        ]

    def sample(self, global_steps: int, partition_id: str, batch_size: int):
        """verl's sample(); if the refill function gives up, the groups with signal once
        every prompt in flight has finished (``partial_groups`` says how many)."""
        self.partial_groups = None
        if partition_id != TRAIN:
            return super().sample(global_steps, partition_id, batch_size)
        try:
            return super().sample(global_steps, partition_id, batch_size)
        except RefillExhausted:
            pass
        while True:
            self._sync_metadata_from_transfer_queue()
            if not self.pending_keys[partition_id] and not self.running_keys[partition_id]:
                break
            time.sleep(self.poll_interval)
        reasons = self._terminal_eviction_reasons(global_steps, partition_id)
        available = len(self._sampleable_terminal_keys(partition_id, reasons))
        if available == 0:
            raise RuntimeError(
                f"dynamic sampling stopped refilling in step {global_steps} "
                "(prorl.dynamic_sampling.on_exhausted=train_partial) and no group generated in this "
                "step has signal: there is nothing to train on. Check the rewards or the data's difficulty."
            )
        self.partial_groups = min(available, batch_size)
        return super().sample(global_steps, partition_id, self.partial_groups)


def observe_groups(
    buffer: ReplayBuffer, on_group: Callable[[GroupOutcome], None]
) -> ObservingReplayBuffer:
    """Give verl's sync buffer (group filtering on) the two behaviours above."""
    if type(buffer) is not ReplayBuffer:
        raise ValueError(
            f"prorl.dynamic_sampling needs verl's synchronous ReplayBuffer, not {type(buffer).__name__} "
            "(trainer.v1.trainer_mode=sync, no trainer.v1.sampler.custom_sampler)"
        )
    buffer.__class__ = ObservingReplayBuffer
    buffer.on_group = on_group
    buffer._reported = set()
    buffer.partial_groups = None
    return buffer
