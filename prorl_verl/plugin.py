"""Entry point of group ``verl.plugins``: ``import verl`` runs this in every process.

It registers what prorl-verl adds to verl's registries: the ``prorl`` reward manager, the
CPU platform and the ``hf`` rollout (each used only when a run selects it), and, in CPU mode, the CPU changes of
:mod:`prorl_verl.cpu.patches`. verl is still initialising while this runs, and the modules
registered here may themselves be what triggered ``import verl``: so classes are
registered by name and imported only when verl asks for them.
"""

import logging

logger = logging.getLogger(__name__)


def _hf_replica_class():
    from prorl_verl.cpu.hf_rollout import HFReplica

    return HFReplica


def _register_hf_rollout() -> None:
    from verl.workers.rollout import base
    from verl.workers.rollout.replica import RolloutReplicaRegistry

    from prorl_verl.cpu import ROLLOUT_NAME

    RolloutReplicaRegistry.register(ROLLOUT_NAME, _hf_replica_class)
    # verl keeps rollout adapter classes in a module-level table with no register function.
    base._ROLLOUT_REGISTRY[(ROLLOUT_NAME, "async")] = "prorl_verl.cpu.hf_rollout.HFServerAdapter"


def _load() -> None:
    from prorl_verl.cpu import cpu_mode_active, patches, platform  # noqa: F401  (registers "cpu")

    _register_hf_rollout()
    import prorl_verl.reward_manager  # noqa: F401  (registers reward manager "prorl")

    if cpu_mode_active():
        patches.apply()


try:
    _load()
except Exception:
    # verl swallows plugin errors at debug level; say it loudly instead.
    logger.exception("prorl_verl: loading the verl plugin failed")
    raise
