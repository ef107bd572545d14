"""The memory is off in the paper's recipes and on in the named variants, which otherwise
equal the recipes they vary."""

import pytest
from omegaconf import OmegaConf

from prorl_verl import launch

PAPER = [f"stage{i}" for i in range(1, 9)] + ["demo_stage1", "demo_stage2"]
VARIANTS = {"stage1_memory": "stage1", "demo_stage1_memory": "demo_stage1"}


def settings(stage: str) -> dict:
    return OmegaConf.to_container(launch.compose_stage(stage, []), resolve=True)


@pytest.mark.parametrize("stage", PAPER)
def test_paper_recipes_keep_the_memory_off_and_stop_at_the_refill_limit(stage):
    sampling = settings(stage)["prorl"]["dynamic_sampling"]
    assert sampling["memory"]["enabled"] is False
    assert sampling["on_exhausted"] == "error"


@pytest.mark.parametrize("variant, base", VARIANTS.items())
def test_memory_variants_differ_from_their_recipe_only_by_the_memory(variant, base):
    launch.validate(launch.compose_stage(variant, []))
    varied = settings(variant)
    assert varied["prorl"]["dynamic_sampling"]["memory"]["enabled"] is True
    same_but_named = OmegaConf.to_container(
        launch.compose_stage(
            base,
            [f"trainer.experiment_name={variant}", "prorl.dynamic_sampling.memory.enabled=true"],
        ),
        resolve=True,
    )
    assert varied == same_but_named
