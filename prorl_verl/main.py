"""``python -m prorl_verl.main --config-name <recipe> [key=value ...]``: a ProRL run.

The run is verl's own ``run_ppo`` with prorl-verl's task runner; recipes live in
``recipes/`` and compose verl's ``ppo_trainer`` config, so every verl key can be overridden
on the command line the Hydra way.
"""

import os
from pathlib import Path

import hydra
from hydra.core.plugins import Plugins
from omegaconf import DictConfig, open_dict

from hydra_plugins.prorl_verl_searchpath import VerlConfigSearchPath

RECIPES_DIR = Path(__file__).resolve().parent.parent / "recipes"

# Hydra finds search-path plugins by scanning the ``hydra_plugins`` namespace, which an editable
# install exposes only to a Python started in the repository root; registering ours here lets
# the recipes compose verl's ``ppo_trainer`` from any working directory.
Plugins.instance().register(VerlConfigSearchPath)


def metrics_file_for_this_launch(run_dir: Path) -> Path:
    """``<run_dir>/metrics/launch-NNN.jsonl``: verl's ``file`` logger truncates its file, so
    each launch of a run (first start, every resume) gets the next number."""
    metrics_dir = run_dir / "metrics"
    metrics_dir.mkdir(parents=True, exist_ok=True)
    return metrics_dir / f"launch-{len(list(metrics_dir.glob('launch-*.jsonl'))):03d}.jsonl"


def _export_to_ray_processes(config: DictConfig, **env: str) -> None:
    with open_dict(config):
        runtime_env = config.ray_kwargs.ray_init.runtime_env
        runtime_env.env_vars = {**(runtime_env.get("env_vars") or {}), **env}


def run(config: DictConfig) -> None:
    from prorl_verl.cpu.mode import enter_cpu_mode, is_cpu_run

    # Ray processes may run elsewhere: every path the run writes is absolute.
    run_dir = Path(config.prorl.run_dir).resolve()
    config.prorl.run_dir = str(run_dir)
    if is_cpu_run(config):
        enter_cpu_mode(config, run_dir)
    logging_env = {
        "VERL_FILE_LOGGER_PATH": str(metrics_file_for_this_launch(run_dir)),
        "WANDB_DIR": str(run_dir),
    }
    if not (os.environ.get("WANDB_MODE") or os.environ.get("WANDB_API_KEY")):
        logging_env["WANDB_MODE"] = "offline"  # no account needed; `wandb sync` uploads later
    _export_to_ray_processes(config, **logging_env)

    # Imported only now: verl's trainer modules pick the platform at import time.
    from verl.trainer.main_ppo import run_ppo
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config

    from prorl_verl.task_runner import ProRLTaskRunner

    validate_config(
        config=config,
        use_reference_policy=need_reference_policy(config),
        use_critic=need_critic(config),
    )
    run_ppo(config, task_runner_class=ProRLTaskRunner)


@hydra.main(config_path=str(RECIPES_DIR), config_name="demo_stage1", version_base=None)
def main(config: DictConfig) -> None:
    run(config)


if __name__ == "__main__":
    main()
