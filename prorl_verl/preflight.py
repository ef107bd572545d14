"""What a stage needs before Ray starts, checked in seconds.

Without these checks a stage on a machine without the data, the model or the GPUs the recipe
asks for starts Ray and the task runner, then waits for resources that never come. Each check
returns one message naming the problem, the config key, and the command or override that
fixes it.
"""

import os
import tempfile
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

HUB_TIMEOUT_S = 5.0


def _is_remote(path: str) -> bool:
    return "://" in path


def _files(value) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def data_problems(config: DictConfig) -> list[str]:
    problems = []
    for key in ("train_files", "val_files"):
        for path in _files(config.data[key]):
            if not _is_remote(path) and not Path(path).is_file():
                problems.append(
                    f"data.{key}: {Path(path).resolve()} does not exist. Make the datasets with "
                    f"`make data` (needs hub access; DATA_DIR=... to choose where), or point "
                    f"data.{key}=... at your own verl parquet"
                )
    return problems


def _in_hub_cache(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(repo_id, "config.json")
    return isinstance(found, str)


def _hub_error(repo_id: str) -> str | None:
    """None if the hub answers for ``repo_id``, else why not."""
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("", "0"):
        return "HF_HUB_OFFLINE is set"
    from huggingface_hub import model_info

    try:
        model_info(repo_id, timeout=HUB_TIMEOUT_S)
    except Exception as error:  # no network, unknown repo, gated repo: all say "cannot get it"
        return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return None


def model_problems(config: DictConfig) -> list[str]:
    path = str(config.actor_rollout_ref.model.path)
    if _is_remote(path):
        return []
    local = Path(path).expanduser()
    if local.is_dir():
        if not (local / "config.json").is_file():
            return [f"actor_rollout_ref.model.path: {local.resolve()} has no config.json"]
        return []
    looks_like_hub_id = path.count("/") == 1 and not path.startswith((".", "/", "~"))
    if not looks_like_hub_id:
        return [f"actor_rollout_ref.model.path: {local.resolve()} does not exist"]
    if _in_hub_cache(path):
        return []
    error = _hub_error(path)
    if error is None:
        return []
    return [
        f"actor_rollout_ref.model.path: {path} is not a local folder, not in the Hugging Face "
        f"cache, and the hub cannot provide it ({error}). Download it where the hub is "
        f"reachable (`huggingface-cli download {path}`) or set actor_rollout_ref.model.path=<folder>"
    ]


def _gpus_ray_would_see(config: DictConfig) -> tuple[int, str]:
    """GPUs of the Ray cluster this launch joins: a running cluster (multi-node, or
    RAY_ADDRESS set), else this machine's visible CUDA devices."""
    address = os.environ.get("RAY_ADDRESS") or OmegaConf.select(
        config, "ray_kwargs.ray_init.address", default=None
    )
    if int(config.trainer.nnodes) > 1 or address:
        import ray

        try:
            ray.init(address=address or "auto", logging_level="ERROR", log_to_driver=False)
        except Exception as error:
            return -1, f"no running Ray cluster to join ({type(error).__name__})"
        try:
            return int(ray.cluster_resources().get("GPU", 0)), "the running Ray cluster"
        finally:
            ray.shutdown()
    import torch

    return torch.cuda.device_count(), "this machine"


def gpu_problems(config: DictConfig) -> list[str]:
    if str(OmegaConf.select(config, "trainer.device", default="cuda")) == "cpu":
        return []  # CPU mode declares its own logical GPUs to Ray
    nnodes, per_node = int(config.trainer.nnodes), int(config.trainer.n_gpus_per_node)
    wanted = nnodes * per_node
    seen, where = _gpus_ray_would_see(config)
    if seen < 0:
        return [
            f"trainer.nnodes={nnodes} needs a Ray cluster spanning the nodes, and there is "
            f"{where}: start it first (`ray start --head` on one node, `ray start "
            f"--address=<head>:6379` on the others), or run on one node with trainer.nnodes=1"
        ]
    if seen >= wanted:
        return []
    fix = (
        f"ARGS='trainer.nnodes=1 trainer.n_gpus_per_node={seen}'"
        if seen
        else "a machine with GPUs (on a CPU-only machine, `make demo` runs ProRL in miniature)"
    )
    return [
        f"the recipe asks for trainer.nnodes={nnodes} x trainer.n_gpus_per_node={per_node} = "
        f"{wanted} GPUs and {where} has {seen}: use {fix}"
    ]


def run_dir_problems(config: DictConfig) -> list[str]:
    run_dir = Path(config.prorl.run_dir).expanduser()
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=run_dir):
            pass
    except OSError as error:
        return [
            f"prorl.run_dir: cannot write in {run_dir.resolve()} ({error.strerror or error}); "
            f"set prorl.runs_root=<writable folder>"
        ]
    return []


def preflight_problems(config: DictConfig) -> list[str]:
    """Every problem found, one message each; empty when the stage can start."""
    problems = run_dir_problems(config) + data_problems(config) + model_problems(config)
    return problems + gpu_problems(config)
