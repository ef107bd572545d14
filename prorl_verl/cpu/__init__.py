"""CPU mode: verl's own trainer on a machine without an accelerator.

Selected by ``trainer.device=cpu`` in a prorl-verl recipe (see ``recipes/cpu.yaml``), which
makes :mod:`prorl_verl.cpu.mode` export ``VERL_PLATFORM=cpu`` to every Ray process. Without
that variable nothing in this package changes verl's behaviour.

This module imports nothing from verl: verl's plugin loader imports it while verl itself
is still initialising.
"""

import os

PLATFORM_NAME = "cpu"
#: ``actor_rollout_ref.rollout.name`` of the Hugging Face generate rollout.
ROLLOUT_NAME = "hf"


def cpu_mode_active() -> bool:
    return os.environ.get("VERL_PLATFORM", "").strip().lower() == PLATFORM_NAME
