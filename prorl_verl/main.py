"""``python -m prorl_verl.main --config-name <recipe> [key=value ...]``: a ProRL run.

The run is verl's own ``run_ppo`` with prorl-verl's task runner; recipes live in
``recipes/`` and compose verl's ``ppo_trainer`` config, so every verl key can be overridden
on the command line the Hydra way.
"""

from pathlib import Path

import hydra
from omegaconf import DictConfig

RECIPES_DIR = Path(__file__).resolve().parent.parent / "recipes"


def run(config: DictConfig) -> None:
    from prorl_verl.cpu.mode import enter_cpu_mode, is_cpu_run

    run_dir = Path(config.prorl.run_dir)
    if is_cpu_run(config):
        enter_cpu_mode(config, run_dir)

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


@hydra.main(config_path=str(RECIPES_DIR), config_name="demo", version_base=None)
def main(config: DictConfig) -> None:
    run(config)


if __name__ == "__main__":
    main()
