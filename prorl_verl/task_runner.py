"""verl's V1 task runner, training with prorl-verl's trainer class."""

import ray
from verl.trainer.main_ppo import TaskRunnerV1


class _ProRLTaskRunner(TaskRunnerV1.__ray_actor_class__):
    def run(self, config):
        from verl.trainer.ppo.v1 import trainer_base

        from prorl_verl.trainer import ProRLTrainer

        # The runner is its own Ray process. verl's code branches on trainer_mode == "sync"
        # in several places, so ProRL's trainer (a PPOTrainerSync subclass) takes the "sync"
        # slot here rather than a new mode name.
        trainer_base.TRAINER_REGISTRY["sync"] = ProRLTrainer
        super().run(config)


ProRLTaskRunner = ray.remote(_ProRLTaskRunner)
