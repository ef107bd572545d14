"""Start a run in CPU mode: the platform choice and Ray's resources, inside the run directory."""

import os
import secrets
from pathlib import Path

from omegaconf import DictConfig, OmegaConf, open_dict

from prorl_verl.cpu import PLATFORM_NAME

#: Logical CPUs declared to Ray. verl starts more actors than a small machine has cores
#: (trainer, TransferQueue, agent loop, reward loop, rollout server); they take turns.
RAY_LOGICAL_CPUS = 16
#: Ray puts sockets at <temp dir>/session_<date>_<pid>/sockets/plasma_store (~62 chars more).
MAX_RAY_DIR_CHARS = 44


def is_cpu_run(config: DictConfig) -> bool:
    return str(OmegaConf.select(config, "trainer.device", default="cuda")) == "cpu"


def enter_cpu_mode(config: DictConfig, run_dir: Path) -> None:
    """Select the CPU platform here and in every Ray process, and size Ray for this machine.

    Must run before verl's trainer modules are imported: they read the platform at import.
    Ray's session files and its auth token are kept under ``<run_dir>/ray``.
    """
    os.environ["VERL_PLATFORM"] = PLATFORM_NAME
    ray_dir = (run_dir / "ray").resolve()
    if len(str(ray_dir)) > MAX_RAY_DIR_CHARS:
        raise ValueError(
            f"prorl.run_dir {run_dir} is too long for Ray: its sockets live under {ray_dir}/session_*/, "
            f"and Unix socket paths are limited to 107 bytes. Use a run directory whose path is at "
            f"most {MAX_RAY_DIR_CHARS - 4} characters."
        )
    ray_dir.mkdir(parents=True, exist_ok=True)
    token_path = ray_dir / "auth_token"
    if not token_path.exists():  # Ray would otherwise create ~/.ray/auth_token
        token_path.write_text(secrets.token_hex(32))
        token_path.chmod(0o600)
    os.environ.setdefault("RAY_AUTH_TOKEN_PATH", str(token_path))
    gpus = int(config.trainer.n_gpus_per_node) * int(config.trainer.nnodes)
    with open_dict(config):
        ray_init = config.ray_kwargs.ray_init
        ray_init.num_cpus = ray_init.get("num_cpus") or RAY_LOGICAL_CPUS
        # verl's resource pools ask Ray for "GPU"s: declare one logical GPU per trainer process
        ray_init.num_gpus = gpus
        ray_init._temp_dir = str(ray_dir)
        ray_init.include_dashboard = False
        ray_init.runtime_env.env_vars = {
            **(ray_init.runtime_env.get("env_vars") or {}),
            "VERL_PLATFORM": PLATFORM_NAME,
            "RAY_AUTH_TOKEN_PATH": os.environ["RAY_AUTH_TOKEN_PATH"],
        }
