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
  domain (``val-core/domain/<domain>/...``) beside verl's per data source, with verl's
  bootstrap of best@k/worst@k vectorised (:mod:`prorl_verl.fast_bootstrap`).
"""

import json
import logging
import os
import socket
from pathlib import Path

import ray
import transfer_queue as tq
from verl import DataProto
from verl.trainer.ppo.core_algos import agg_loss, kl_penalty
from verl.trainer.ppo.utils import Role
from verl.trainer.ppo.v1.trainer_sync import PPOTrainerSync
from verl.utils.debug import marked_timer

from prorl_verl import fast_bootstrap
from prorl_verl.dynamic_sampling.trainer_mixin import DynamicSamplingMixin
from prorl_verl.reset.policy import ResetConfig, ResetPolicy
from prorl_verl.reset.snapshots import prune_snapshots
from prorl_verl.reset.worker import FSDP1_REFUSED, ProRLActorRolloutRefWorker
from prorl_verl.reward_manager import domain_of

logger = logging.getLogger(__name__)

RESET_STATE_FILE = "prorl_reset.json"

# validation metrics are computed three times (per source, per domain, over all): verl's
# bootstrap loop made that most of a multi-sample validation's time; same numbers, vectorised
fast_bootstrap.install()


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
        # where the reference of the last reset is saved (None: not saved yet); after a new
        # stage starts, the previous stage's snapshot, which this stage does not copy
        self._reference_snapshot: Path | None = None
        self._checkpoint_step: int | None = None
        self._kl_after: float | None = None

    # ------------------------------------------------------------------ set-up
    def _init_resource_pool_mgr(self):
        super()._init_resource_pool_mgr()
        if Role.ActorRolloutRef in self.role_worker_mapping:
            if self.reset_policy.config.enabled:
                strategies = {
                    role: self.config.actor_rollout_ref[role].strategy for role in ("actor", "ref")
                }
                if set(strategies.values()) != {"fsdp2"}:
                    raise ValueError(f"{FSDP1_REFUSED}; this run has {strategies}")
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
        self._reference_snapshot = None
        print(
            f"prorl: reference reset at step {self.global_steps} ({reason}): "
            f"{stats['parameters_copied']} parameters copied, "
            f"{stats['optimizer_entries_cleared']} optimizer states cleared in {stats['seconds']:.3f}s"
        )
        return {**stats, "reason": reason}

    def _compute_ref_log_prob(self, batch, metrics):
        batch = super()._compute_ref_log_prob(batch, metrics)
        if self._reset_this_step is not None:
            self._kl_after = self._kl_before_updates(batch)
        return batch

    def _kl_before_updates(self, batch) -> float:
        """The KL loss between the policy as it enters the step (its log-probs before any
        update) and the reference, over the whole batch, aggregated as the actor's KL loss is:
        what the step's first micro-batch sees. Right after a reset it is zero."""
        fields = ["old_log_probs", "ref_log_prob", "response_mask"]
        data = tq.kv_batch_get(
            keys=batch.keys, partition_id=batch.partition_id, select_fields=fields
        )
        tensors = DataProto(batch=data.to_padded_tensor()).batch
        actor = self.config.actor_rollout_ref.actor
        kl = kl_penalty(tensors["old_log_probs"], tensors["ref_log_prob"], actor.kl_loss_type)
        return float(agg_loss(kl, tensors["response_mask"], actor.loss_agg_mode))

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
        for group_of in (lambda source: f"domain/{domain_of(source)}", lambda source: "domain/all"):
            # a prompt whose rollouts failed still counts, with acc 0, as verl counts it
            expected = {
                (group_of(source), uid): count
                for (source, uid), count in (expected_acc_counts or {}).items()
            }
            grouping = [group_of(source) for source in data_sources]
            metrics.update(
                super()._val_metrics_update(
                    grouping, sample_uids, reward_extra_infos_dict, [], expected or None
                )
            )
        return metrics

    def _validate(self) -> dict:
        metrics = super()._validate()
        if metrics:
            self.reset_policy.observe_validation(self.global_steps, metrics)
            # verl checkpoints a step before validating it: the state saved with this step's
            # checkpoint must include this validation, so a resumed run decides the same.
            if self._checkpoint_step == self.global_steps:
                self._write_reset_state(self._checkpoint_dir(self.global_steps))
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
            if self._kl_after is not None:
                metrics["prorl/reset/kl_after"] = self._kl_after
                self._kl_after = None

    # ------------------------------------------------------------------ checkpoints
    def _reference_snapshot_dir(self, reset_step: int) -> Path:
        return self.run_dir / "reference" / f"step_{reset_step}"

    def _checkpoint_dir(self, step: int) -> Path:
        return Path(self.config.trainer.default_local_dir) / f"global_step_{step}"

    def _write_reset_state(self, step_dir: Path) -> None:
        state = {
            "policy": self.reset_policy.state_dict(),
            "reference_snapshot": str(self._reference_snapshot)
            if self._reference_snapshot
            else None,
            # a next stage on the same files continues this stage's order through them
            "train_files": _as_list(self.config.data.train_files),
        }
        step_dir.mkdir(parents=True, exist_ok=True)
        (step_dir / RESET_STATE_FILE).write_text(json.dumps(state, indent=2))

    def _save_checkpoint(self):
        last = self.reset_policy.last_reset_step
        if last is not None and self._reference_snapshot is None:
            snapshot = self._reference_snapshot_dir(last)
            snapshot.parent.mkdir(parents=True, exist_ok=True)
            self.actor_rollout_wg.save_reference(str(snapshot))
            self._reference_snapshot = snapshot
            keep = self.reset_policy.config.keep_snapshots
            for removed in prune_snapshots(snapshot.parent, keep=keep, current=snapshot):
                print(
                    f"prorl: removed reference snapshot {removed} (prorl.reset.keep_snapshots={keep})"
                )
        self._write_reset_state(self._checkpoint_dir(self.global_steps))
        self._checkpoint_step = self.global_steps
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
        return self._checkpoint_dir(self.global_steps)

    def _check_run_dir_is_shared(self) -> None:
        """Every rank writes its shards of checkpoints and reference snapshots under the run
        directory and may read others' when resuming: all nodes must see the same folder."""
        if not hasattr(self.actor_rollout_wg, "sees_file"):
            return  # verl's own worker (no reset possible): nothing of ours is written
        self.run_dir.mkdir(parents=True, exist_ok=True)
        probe = self.run_dir / f".shared-{os.getpid()}"
        probe.write_text("")
        try:
            answers = self.actor_rollout_wg.sees_file(str(probe))
        finally:
            probe.unlink()
        blind = sorted({host for host, seen in answers if not seen})
        if blind:
            raise RuntimeError(
                f"prorl.run_dir {self.run_dir} is not on storage every node sees: "
                f"{', '.join(blind)} cannot see a file written there from {socket.gethostname()}. "
                "Put prorl.runs_root on a shared filesystem (NFS, Lustre, ...)."
            )

    def _load_checkpoint(self):
        self._check_run_dir_is_shared()
        fresh_data_order = self.train_dataloader.state_dict()
        super()._load_checkpoint()
        step_dir = self._resumed_checkpoint_dir()
        state_file = step_dir / RESET_STATE_FILE if step_dir else None
        state = json.loads(state_file.read_text()) if state_file and state_file.exists() else {}
        if self._starts_a_new_stage():
            same_data = state.get("train_files") == _as_list(self.config.data.train_files)
            if not same_data:
                # new data (stage 3 adds instruction following): a fresh order through it
                self.train_dataloader.load_state_dict(fresh_data_order)
            print(
                "prorl: new stage on "
                + (
                    "the same training files: continuing the previous stage's order through them"
                    if same_data
                    else "new training files: starting a fresh order through them"
                )
            )
        if step_dir is None:
            return
        if not state:
            logger.warning(f"{state_file} not found: resuming with no reset history")
            return
        self.reset_policy.load_state_dict(state["policy"])
        snapshot = state.get("reference_snapshot")
        if not snapshot and self.config.prorl.get("converted_from_world_size", None):
            # verl built actor and reference from the converted weights: a reset in effect
            self.reset_policy.record_reset(self.global_steps + 1, "world_size_change")
            self._weight_norms = self.actor_rollout_wg.weight_norms()[0]
            return
        if snapshot:
            if not os.path.isdir(snapshot):
                raise FileNotFoundError(
                    f"{state_file} says the reference was reset and saved to {snapshot}, which is missing; "
                    "without it the reference would silently fall back to model.path"
                )
            self.actor_rollout_wg.load_reference(snapshot)
            self._weight_norms = self.actor_rollout_wg.weight_norms()[0]
            self._reference_snapshot = Path(snapshot)
            print(
                f"prorl: reference restored from {snapshot} (reset at step {self.reset_policy.last_reset_step})"
            )


def _as_list(files) -> list[str]:
    """``data.train_files`` as a list of absolute paths (URIs as given)."""
    files = [files] if isinstance(files, str) else list(files)
    return [f if "://" in str(f) else str(Path(f).resolve()) for f in map(str, files)]
