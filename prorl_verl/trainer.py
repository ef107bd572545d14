"""ProRL's trainer: verl's V1 synchronous PPO trainer plus the reference-policy reset.

Everything else — GRPO, clip-higher, the KL loss, group filtering — is verl's, set by
config. This class adds, through verl's own hooks:

- the reset (paper §2.3.1): at the start of a step that :class:`ResetPolicy` picks, the
  reference takes the current policy's weights and the optimizer state is cleared, by an
  RPC on :class:`ProRLActorRolloutRefWorker` (swapped in for verl's worker class);
- its state across restarts: with every checkpoint, ``prorl_reset.json`` (history, best
  validation value, counters) goes into the step folder and the reference weights of the
  last reset into ``<prorl.run_dir>/reference/step_<k>`` (one snapshot per reset, out of
  reach of verl's checkpoint rotation); on resume both are restored, so the reference is
  the reset one, not ``model.path`` as verl would rebuild it;
- metrics: ``prorl/reset/*``, ``prorl/dynamic_sampling/*``, and validation metrics per
  domain (``val-core/domain/<domain>/...``) beside verl's per data source.
"""

import json
import logging
import os
from pathlib import Path

import ray
from verl.trainer.ppo.utils import Role
from verl.trainer.ppo.v1.trainer_sync import PPOTrainerSync
from verl.utils.debug import marked_timer

from prorl_verl.dynamic_sampling.trainer_mixin import DynamicSamplingMixin
from prorl_verl.reset.policy import ResetConfig, ResetPolicy
from prorl_verl.reset.worker import ProRLActorRolloutRefWorker

logger = logging.getLogger(__name__)

RESET_STATE_FILE = "prorl_reset.json"


class ProRLTrainer(DynamicSamplingMixin, PPOTrainerSync):
    def __init__(self, config):
        super().__init__(config)
        prorl = config.get("prorl", None) or {}
        self.run_dir = Path(prorl.get("run_dir", "runs/prorl")).resolve()
        self.reset_policy = ResetPolicy(
            ResetConfig.from_mapping(prorl.get("reset", None), stage=str(prorl.get("stage", "")))
        )
        self._reset_this_step: dict | None = None
        self._weight_norms: dict | None = None
        self._saved_snapshots: set[int] = set()

    # ------------------------------------------------------------------ set-up
    def _init_resource_pool_mgr(self):
        super()._init_resource_pool_mgr()
        if Role.ActorRolloutRef in self.role_worker_mapping:
            self.role_worker_mapping[Role.ActorRolloutRef] = ray.remote(ProRLActorRolloutRefWorker)
        elif self.reset_policy.config.enabled:
            raise ValueError(
                "prorl.reset is configured but this run has no reference model beside the actor "
                "(LoRA uses the base model as reference, and a KL-free run has none): "
                "a reset would do nothing. Disable prorl.reset or use full fine-tuning with "
                "actor_rollout_ref.actor.use_kl_loss=true."
            )

    # ------------------------------------------------------------------ reset
    def on_step_begin(self):
        super().on_step_begin()
        self._reset_this_step = None
        reason = self.reset_policy.reason_to_reset(self.global_steps)
        if reason is not None:
            with marked_timer("prorl_reset", self.timing_raw, color="purple"):
                self._reset_this_step = self.reset_reference(reason)

    def reset_reference(self, reason: str) -> dict:
        stats = self.actor_rollout_wg.reset_reference()[0]
        self._weight_norms = self.actor_rollout_wg.weight_norms()[0]
        self.reset_policy.record_reset(self.global_steps, reason)
        print(
            f"prorl: reference reset at step {self.global_steps} ({reason}): "
            f"{stats['parameters_copied']} parameters copied, "
            f"{stats['optimizer_entries_cleared']} optimizer states cleared in {stats['seconds']:.3f}s"
        )
        return {**stats, "reason": reason}

    def _val_metrics_update(
        self,
        data_sources,
        sample_uids,
        reward_extra_infos_dict,
        sample_turns,
        expected_acc_counts=None,
    ) -> dict:
        """verl's per-data-source validation metrics, plus the same per domain and over all
        (``val-*/domain/<math|code|stem|reasoning_gym|ifeval|all>/...``), samples pooled."""
        metrics = super()._val_metrics_update(
            data_sources, sample_uids, reward_extra_infos_dict, sample_turns, expected_acc_counts
        )
        domains = reward_extra_infos_dict.get("domain")
        if domains is None or len(domains) != len(data_sources):
            return metrics
        for grouping in ([f"domain/{d}" for d in domains], ["domain/all"] * len(domains)):
            metrics.update(
                super()._val_metrics_update(grouping, sample_uids, reward_extra_infos_dict, [])
            )
        return metrics

    def _validate(self) -> dict:
        metrics = super()._validate()
        if metrics:
            self.reset_policy.observe_validation(self.global_steps, metrics)
        return metrics

    # ------------------------------------------------------------------ metrics
    def _compute_metrics(self, batch, metrics, timing_raw, global_steps, epoch):
        super()._compute_metrics(batch, metrics, timing_raw, global_steps, epoch)
        self.reset_policy.observe_step_metrics(global_steps, metrics)
        history = self.reset_policy.history
        metrics["prorl/reset/count"] = len(history)
        metrics["prorl/reset/step_of_last"] = history[-1]["step"] if history else 0
        if self._weight_norms is not None:  # right after a reset or a restore
            metrics["prorl/reference/l2"] = self._weight_norms["reference"]
            metrics["prorl/reference/actor_l2"] = self._weight_norms["actor"]
            metrics["prorl/reference/optimizer_entries"] = self._weight_norms["optimizer_entries"]
            self._weight_norms = None
        if self._reset_this_step is not None:
            metrics["prorl/reset/happened"] = 1.0
            metrics["prorl/reset/seconds"] = self._reset_this_step["seconds"]
            for kind in self._reset_this_step["reason"].split("+"):
                metrics[f"prorl/reset/reason/{kind.split(':')[0]}"] = 1.0
            if "actor/kl_loss" in metrics:
                metrics["prorl/reset/kl_after"] = metrics["actor/kl_loss"]

    # ------------------------------------------------------------------ checkpoints
    def _reference_snapshot_dir(self, reset_step: int) -> Path:
        return self.run_dir / "reference" / f"step_{reset_step}"

    def _save_checkpoint(self):
        last = self.reset_policy.last_reset_step
        snapshot = None
        if last is not None:
            snapshot = self._reference_snapshot_dir(last)
            if last not in self._saved_snapshots:
                snapshot.parent.mkdir(parents=True, exist_ok=True)
                self.actor_rollout_wg.save_reference(str(snapshot))
                self._saved_snapshots.add(last)
        step_dir = Path(self.config.trainer.default_local_dir) / f"global_step_{self.global_steps}"
        step_dir.mkdir(parents=True, exist_ok=True)
        state = {
            "policy": self.reset_policy.state_dict(),
            "reference_snapshot": str(snapshot) if snapshot else None,
        }
        (step_dir / RESET_STATE_FILE).write_text(json.dumps(state, indent=2))
        # verl marks the checkpoint complete (latest_checkpointed_iteration.txt) last.
        super()._save_checkpoint()

    def _starts_a_new_stage(self) -> bool:
        start = (self.config.get("prorl", None) or {}).get("starts_from_checkpoint", None)
        return (
            start is not None
            and self.config.trainer.resume_mode == "resume_path"
            and Path(self.config.trainer.resume_from_path).resolve() == Path(start).resolve()
        )

    def _resumed_checkpoint_dir(self) -> Path | None:
        if self.global_steps == 0:
            return None
        if self.config.trainer.resume_mode == "resume_path":
            return Path(self.config.trainer.resume_from_path)
        return Path(self.config.trainer.default_local_dir) / f"global_step_{self.global_steps}"

    def _load_checkpoint(self):
        fresh_data_order = self.train_dataloader.state_dict()
        super()._load_checkpoint()
        if self._starts_a_new_stage():
            # A new stage brings its own data (stage 3 adds instruction following): keep the
            # weights, optimizer and step of the previous stage, not its place in its data.
            self.train_dataloader.load_state_dict(fresh_data_order)
        step_dir = self._resumed_checkpoint_dir()
        if step_dir is None:
            return
        state_file = step_dir / RESET_STATE_FILE
        if not state_file.exists():
            logger.warning(f"{state_file} not found: resuming with no reset history")
            return
        state = json.loads(state_file.read_text())
        self.reset_policy.load_state_dict(state["policy"])
        snapshot = state.get("reference_snapshot")
        if snapshot:
            if not os.path.isdir(snapshot):
                raise FileNotFoundError(
                    f"{state_file} says the reference was reset and saved to {snapshot}, which is missing; "
                    "without it the reference would silently fall back to model.path"
                )
            self.actor_rollout_wg.load_reference(snapshot)
            self._weight_norms = self.actor_rollout_wg.weight_norms()[0]
            self._saved_snapshots.add(self.reset_policy.last_reset_step)
            print(
                f"prorl: reference restored from {snapshot} (reset at step {self.reset_policy.last_reset_step})"
            )
