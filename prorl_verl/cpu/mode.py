"""Start a run in CPU mode: the platform choice and Ray's resources, inside the run directory."""

import hashlib
import os
import secrets
import tempfile
from pathlib import Path

import psutil
from omegaconf import DictConfig, OmegaConf, open_dict

from prorl_verl.cpu import PLATFORM_NAME
from prorl_verl.cpu.process_cost import RAY_SETUP_HOOK, SETUP_HOOK_PATH, collect_less_often

#: Logical CPUs declared to Ray. verl starts more actors than a small machine has cores
#: (trainer, TransferQueue, agent loop, reward loop, rollout server); they take turns.
RAY_LOGICAL_CPUS = 16
#: Ray puts sockets at <temp dir>/session_<date>_<pid>/sockets/plasma_store (~62 chars more).
MAX_RAY_DIR_CHARS = 44


#: Torch threads per process (Ray's own default for actors without CPUs, made explicit).
#: On a loaded 2-core machine a second thread waiting for a busy core made the plain GRPO
#: step of bench/bench_cpu_step.py 1.3-2.9x slower (steps alternating 1 and 2 threads). On
#: an idle one two threads made that plain step 0.56x as long, but verl's step on the demo
#: recipe only 0.85-0.97x (launches alternating 1, 2, 1, 2 threads): one thread stays the
#: safe choice. OMP_NUM_THREADS in the environment wins.
TORCH_THREADS = "1"


#: verl warns in every process that imports its engines that the GPU-only ones (Megatron,
#: TorchTitan, ...) are missing: 10 lines from each of six Ray processes. The launching
#: process still shows them once.
ENGINE_WARNINGS = "ignore::UserWarning:verl.workers.engine"


def thread_settings() -> dict[str, str]:
    """Thread counts for every Ray process of a CPU run.

    TransferQueue asks for 8 threads per transfer and logs a warning for each one when the
    machine has fewer cores (hundreds per step); it is given the cores there are.
    """
    cores = psutil.cpu_count(logical=False) or os.cpu_count() or 1
    return {
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", TORCH_THREADS),
        "TQ_NUM_THREADS": os.environ.get("TQ_NUM_THREADS", str(cores)),
    }


def warning_filters() -> dict[str, str]:
    """``PYTHONWARNINGS`` for the Ray processes: the user's filters, then ours."""
    filters = [f for f in os.environ.get("PYTHONWARNINGS", "").split(",") if f]
    return {"PYTHONWARNINGS": ",".join([*filters, ENGINE_WARNINGS])}


def is_cpu_run(config: DictConfig) -> bool:
    return str(OmegaConf.select(config, "trainer.device", default="cuda")) == "cpu"


def ray_directory(run_dir: Path) -> Path:
    """``<run_dir>/ray``, or a short directory it links to when that path is too long.

    Ray puts Unix sockets under its temp dir, and socket paths are limited to 107 bytes.
    """
    link = run_dir / "ray"
    if len(str(link)) <= MAX_RAY_DIR_CHARS:
        link.mkdir(parents=True, exist_ok=True)
        return link
    digest = hashlib.sha1(str(run_dir).encode()).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"prorl-ray-{digest}"
    short.mkdir(parents=True, exist_ok=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(short, target_is_directory=True)
    return short


def enter_cpu_mode(config: DictConfig, run_dir: Path) -> None:
    """Select the CPU platform here and in every Ray process, and size Ray for this machine.

    Must run before verl's trainer modules are imported: they read the platform at import.
    Ray's session files and its auth token are kept under ``<run_dir>/ray`` (see
    :func:`ray_directory`), never in the home directory or a shared temp folder. This process
    and every Ray process collect garbage less often (see :mod:`prorl_verl.cpu.process_cost`).
    """
    os.environ["VERL_PLATFORM"] = PLATFORM_NAME
    collect_less_often()
    ray_dir = ray_directory(run_dir.resolve())
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
        if not ray_init.runtime_env.get(RAY_SETUP_HOOK):
            ray_init.runtime_env[RAY_SETUP_HOOK] = SETUP_HOOK_PATH
        ray_init.runtime_env.env_vars = {
            **(ray_init.runtime_env.get("env_vars") or {}),
            "VERL_PLATFORM": PLATFORM_NAME,
            "RAY_AUTH_TOKEN_PATH": os.environ["RAY_AUTH_TOKEN_PATH"],
            # reward_fns' verifier pool: 8 processes by default, 2 fit beside the trainer here
            "REWARD_FNS_WORKERS": os.environ.get("REWARD_FNS_WORKERS", "2"),
            **thread_settings(),
            **warning_filters(),
        }
