"""The reset inside verl's workers: reference <- current policy, optimizer state cleared.

ProRL (paper §2.3.1): "we hard-reset the reference policy π_ref to a more recent snapshot
of the online policy π_θ, and reinitialize the optimizer states." verl has no such
operation (its issues #415, #779, #1167, #2329, #3032 ask for one). Here it is an RPC on
verl's own hybrid worker: in the process that holds both models, every rank copies its
local shard of each actor parameter into the matching reference shard (FSDP2 gives both
the same placements; ``copy_`` casts to the reference's dtype and device), then empties
the AdamW state in place. Nothing goes through disk and no process restarts. FSDP2 only:
every unit is resharded first, so the copy lands in the shards the next forward gathers;
FSDP1 is refused (its root unit keeps gathered parameters a shard copy would not reach).

The reference is not part of verl's checkpoints (on resume verl rebuilds it from
``model.path``), so :meth:`save_reference` / :meth:`load_reference` keep it with
``torch.distributed.checkpoint``, which reloads at any world size.
"""

import os
import socket
import time

import torch
import torch.distributed.checkpoint as dcp
from torch.distributed.fsdp import FSDPModule, FullyShardedDataParallel
from torch.distributed.tensor import DTensor
from verl.single_controller.base.decorator import Dispatch, register
from verl.workers.engine_workers import ActorRolloutRefWorker


def _local(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.to_local() if isinstance(tensor, DTensor) else tensor


FSDP1_REFUSED = (
    "reference reset needs FSDP2 (actor_rollout_ref.actor.strategy=fsdp2 and "
    "actor_rollout_ref.ref.strategy=fsdp2): under FSDP1 the root unit keeps its gathered "
    "parameters (embeddings, final norm, lm_head) after a forward pass, so a copy into the "
    "reference would not reach what the reference computes with"
)


def reshard_all_units(module: torch.nn.Module) -> None:
    """Put every FSDP2 unit of ``module`` back to its sharded parameters.

    After a forward pass the root unit keeps its parameters gathered, and so does every unit
    built with ``reshard_after_forward=False``; while gathered, the module's registered
    parameters are the full tensors, and a copy into them would be dropped at the next reshard.
    """
    if any(isinstance(m, FullyShardedDataParallel) for m in module.modules()):
        raise RuntimeError(FSDP1_REFUSED)
    for unit in module.modules():
        if isinstance(unit, FSDPModule):
            unit.reshard()


def _check_same_layout(name: str, source: torch.Tensor, target: torch.Tensor) -> None:
    if isinstance(source, DTensor) != isinstance(target, DTensor):
        raise RuntimeError(f"parameter {name}: sharded in one model and not in the other")
    if isinstance(source, DTensor) and (
        source.placements != target.placements
        or source.device_mesh.shape != target.device_mesh.shape
    ):
        raise RuntimeError(
            f"parameter {name}: actor placements {source.placements} on mesh "
            f"{tuple(source.device_mesh.shape)} differ from the reference's {target.placements} "
            f"on {tuple(target.device_mesh.shape)}; give actor and ref the same fsdp_size"
        )
    if _local(source).shape != _local(target).shape:
        raise RuntimeError(
            f"parameter {name}: actor shard {tuple(_local(source).shape)} and reference "
            f"shard {tuple(_local(target).shape)} differ (different sharding)"
        )


@torch.no_grad()
def copy_parameters(source: torch.nn.Module, target: torch.nn.Module) -> int:
    """Copy every parameter of ``source`` into ``target`` shard by shard; return the count.

    Both models are first resharded unit by unit (see :func:`reshard_all_units`); each
    parameter must then have the same placements on both sides, so that copying local
    shards copies the whole tensor.
    """
    reshard_all_units(source)
    reshard_all_units(target)
    target_params = dict(target.named_parameters())
    source_params = dict(source.named_parameters())
    if source_params.keys() != target_params.keys():
        missing = sorted(source_params.keys() ^ target_params.keys())[:5]
        raise RuntimeError(f"actor and reference models differ in parameters, e.g. {missing}")
    for name, param in source_params.items():
        _check_same_layout(name, param, target_params[name])
        _local(target_params[name]).copy_(_local(param))
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
        reshard_all_units(reference)
        dcp.save({"model": reference.state_dict()}, checkpoint_id=path)

    @register(dispatch_mode=Dispatch.ONE_TO_ALL)
    def load_reference(self, path: str) -> None:
        _, reference = self._models()
        reshard_all_units(reference)
        state = {"model": reference.state_dict()}
        dcp.load(state, checkpoint_id=path)
        reference.load_state_dict(state["model"])

    @register(dispatch_mode=Dispatch.ONE_TO_ALL)
    def sees_file(self, path: str) -> tuple[str, bool]:
        """This worker's host and whether it sees ``path``: every rank writes and reads the
        reference snapshots and checkpoints there, so the run directory must be shared."""
        return socket.gethostname(), os.path.exists(path)

    @register(dispatch_mode=Dispatch.ONE_TO_ALL)
    def weight_norms(self) -> dict:
        """L2 norms of this rank's reference and actor shards, and the optimizer's entry count.

        Logged after a reset and after a restore: the reference norm shows which weights the
        reference holds (equal to the actor's right after a reset).
        """
        actor, reference = self._models()
        reshard_all_units(actor)
        reshard_all_units(reference)

        @torch.no_grad()
        def norm(module: torch.nn.Module) -> float:
            return float(sum(_local(p).double().square().sum() for p in module.parameters()) ** 0.5)

        return {
            "reference": norm(reference),
            "actor": norm(actor),
            "optimizer_entries": len(self.actor.engine.optimizer.state),
        }
