"""A stage on another number of GPUs than the checkpoint it starts from.

verl's FSDP checkpoints are one file per rank (``model_world_size_{ws}_rank_{r}.pt``) and
load only at the world size that wrote them. When the sizes differ, the checkpoint's weights
are merged into a Hugging Face folder by verl's own model merger and the stage starts from
them; everything else prorl-verl keeps outside those files (step, data position, reset
history, the reference snapshot, which ``torch.distributed.checkpoint`` reloads at any world
size) carries over. The optimizer, LR-scheduler and RNG state do not.
"""

import json
import subprocess
import sys
from pathlib import Path

from omegaconf import DictConfig, open_dict


def world_size(config: DictConfig) -> int:
    return int(config.trainer.nnodes) * int(config.trainer.n_gpus_per_node)


def checkpoint_world_size(checkpoint: Path) -> int:
    """The number of ranks that saved ``checkpoint`` (verl writes one file per rank)."""
    fsdp_config = checkpoint / "actor" / "fsdp_config.json"
    if fsdp_config.exists():
        return int(json.loads(fsdp_config.read_text())["world_size"])
    ranks = list((checkpoint / "actor").glob("model_world_size_*_rank_0.pt"))
    if not ranks:
        raise FileNotFoundError(f"{checkpoint / 'actor'}: no verl FSDP model shards in it")
    return int(ranks[0].name.split("_")[3])


def convert_for_world_size(config: DictConfig, checkpoint: Path | None, step: int) -> str | None:
    """When ``checkpoint`` (of global step ``step``) was saved by another number of ranks than this run has, merge
    its weights into a Hugging Face folder (verl's model merger) and start from those: verl's
    FSDP checkpoints are one file per rank and load only at the world size that wrote them.
    Returns what to tell the user, or None when nothing changed."""
    if checkpoint is None:
        return None
    saved, now = checkpoint_world_size(checkpoint), world_size(config)
    if saved == now:
        return None
    target = Path(config.prorl.run_dir).resolve() / "converted" / checkpoint.name
    if not (target / "config.json").exists():
        command = [sys.executable, "-m", "verl.model_merger", "merge", "--backend", "fsdp"]
        command += ["--local_dir", str(checkpoint / "actor"), "--target_dir", str(target)]
        print(
            f"prorl: converting {checkpoint} (world size {saved}) for world size {now}: "
            + " ".join(command),
            flush=True,
        )
        subprocess.run(command, check=True)
    state_file = checkpoint / "prorl_reset.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    with open_dict(config):
        config.actor_rollout_ref.model.path = str(target)
        # the per-rank model, optimizer and scheduler files cannot load at this world size
        config.actor_rollout_ref.actor.checkpoint.load_contents = []
        config.prorl.converted_from_world_size = saved
    reference = (
        f"the reference from its snapshot {state['reference_snapshot']}"
        if state.get("reference_snapshot")
        else "no reference snapshot (no reset so far): the reference becomes these weights, "
        "recorded as a reset"
    )
    return (
        f"{checkpoint} was saved by {saved} ranks and this run has {now} "
        f"(trainer.nnodes x trainer.n_gpus_per_node): starting from its weights merged into "
        f"{target}. Carried over: the weights, the step ({step}), the position in the data, "
        f"the reset history and {reference}. Not carried over: the optimizer state (AdamW "
        f"moments restart from zero, as after a reset), the LR scheduler's and RNG state."
    )
