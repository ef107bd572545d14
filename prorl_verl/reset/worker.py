"""The reset inside verl's workers: reference <- current policy, optimizer state cleared.

ProRL (paper §2.3.1): "we hard-reset the reference policy π_ref to a more recent snapshot
of the online policy π_θ, and reinitialize the optimizer states." verl has no such
operation (its issues #415, #779, #1167, #2329, #3032 ask for one). Here it is an RPC on
verl's own hybrid worker: in the process that holds both models, every rank copies its
local shard of each actor parameter into the matching reference shard (FSDP2 gives both
the same placements; ``copy_`` casts to the reference's dtype and device), then empties
the AdamW state in place. Nothing goes through disk and no process restarts.

The reference is not part of verl's checkpoints (on resume verl rebuilds it from
``model.path``), so :meth:`save_reference` / :meth:`load_reference` keep it with
``torch.distributed.checkpoint``, which reloads at any world size.
"""

import time

import torch
import torch.distributed.checkpoint as dcp
from torch.distributed.tensor import DTensor
from verl.single_controller.base.decorator import Dispatch, register
from verl.workers.engine_workers import ActorRolloutRefWorker


def _local(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.to_local() if isinstance(tensor, DTensor) else tensor


@torch.no_grad()
def copy_parameters(source: torch.nn.Module, target: torch.nn.Module) -> int:
    """Copy every parameter of ``source`` into ``target`` shard by shard; return the count."""
    for module in (source, target):
        # An FSDP2 root keeps its parameters gathered after a forward pass; shard them first
        # so both sides hold local shards with the same placements.
        if hasattr(module, "reshard"):
            module.reshard()
    target_params = dict(target.named_parameters())
    source_params = dict(source.named_parameters())
    if source_params.keys() != target_params.keys():
        missing = sorted(source_params.keys() ^ target_params.keys())[:5]
        raise RuntimeError(f"actor and reference models differ in parameters, e.g. {missing}")
    for name, param in source_params.items():
        target_local, source_local = _local(target_params[name]), _local(param)
        if target_local.shape != source_local.shape:
            raise RuntimeError(
                f"parameter {name}: actor shard {tuple(source_local.shape)} and reference "
                f"shard {tuple(target_local.shape)} differ (different sharding)"
            )
        target_local.copy_(source_local)
    return len(source_params)


def clear_optimizer_state(optimizer: torch.optim.Optimizer) -> int:
    """Forget moments and step counts in place; return how many parameters had state.

    The optimizer object is kept: verl's checkpoint manager and offload helpers hold it.
    """
    entries = len(optimizer.state)
    optimizer.state.clear()
    return entries


class ProRLActorRolloutRefWorker(ActorRolloutRefWorker):
    """verl's hybrid actor/rollout/reference worker plus the reset RPCs."""

    def _models(self) -> tuple[torch.nn.Module, torch.nn.Module]:
        if self.actor is None or self.ref is None:
            raise RuntimeError(
                "reference reset needs the actor and a separate reference model in one worker "
                f"(role actor_rollout_ref); this worker's role is {self.role!r}"
            )
        return self.actor.engine.module, self.ref.engine.module

    @register(dispatch_mode=Dispatch.ONE_TO_ALL)
    def reset_reference(self) -> dict:
        started = time.perf_counter()
        actor, reference = self._models()
        copied = copy_parameters(actor, reference)
        cleared = clear_optimizer_state(self.actor.engine.optimizer)
        return {
            "parameters_copied": copied,
            "optimizer_entries_cleared": cleared,
            "seconds": time.perf_counter() - started,
        }

    @register(dispatch_mode=Dispatch.ONE_TO_ALL)
    def save_reference(self, path: str) -> None:
        _, reference = self._models()
        dcp.save({"model": reference.state_dict()}, checkpoint_id=path)

    @register(dispatch_mode=Dispatch.ONE_TO_ALL)
    def load_reference(self, path: str) -> None:
        _, reference = self._models()
        state = {"model": reference.state_dict()}
        dcp.load(state, checkpoint_id=path)
        reference.load_state_dict(state["model"])

    @register(dispatch_mode=Dispatch.ONE_TO_ALL)
    def weight_norms(self) -> dict:
        """L2 norms of this rank's reference and actor shards, and the optimizer's entry count.

        Logged after a reset and after a restore: the reference norm shows which weights the
        reference holds (equal to the actor's right after a reset).
        """
        actor, reference = self._models()

        @torch.no_grad()
        def norm(module: torch.nn.Module) -> float:
            return float(sum(_local(p).double().square().sum() for p in module.parameters()) ** 0.5)

        return {
            "reference": norm(reference),
            "actor": norm(actor),
            "optimizer_entries": len(self.actor.engine.optimizer.state),
        }
