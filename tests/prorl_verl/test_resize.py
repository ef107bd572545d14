"""Which world size saved a checkpoint, and no conversion when it matches the run's."""

import json

import pytest

from prorl_verl import launch, resize


def checkpoint(tmp_path, *files: str, fsdp_world_size: int | None = None):
    actor = tmp_path / "global_step_40" / "actor"
    actor.mkdir(parents=True)
    for name in files:
        (actor / name).write_bytes(b"")
    if fsdp_world_size is not None:
        (actor / "fsdp_config.json").write_text(json.dumps({"world_size": fsdp_world_size}))
    return actor.parent


def test_world_size_from_verls_fsdp_config(tmp_path):
    assert resize.checkpoint_world_size(checkpoint(tmp_path, fsdp_world_size=32)) == 32


def test_world_size_from_the_per_rank_file_names(tmp_path):
    files = [f"model_world_size_16_rank_{r}.pt" for r in range(16)]
    assert resize.checkpoint_world_size(checkpoint(tmp_path, *files)) == 16


def test_a_folder_without_shards_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no verl FSDP model shards"):
        resize.checkpoint_world_size(checkpoint(tmp_path))


def test_the_same_world_size_needs_no_conversion(tmp_path):
    config = launch.compose_stage("stage3", [f"prorl.runs_root={tmp_path}"])  # 4 x 8 GPUs
    saved = checkpoint(tmp_path, fsdp_world_size=32)
    assert resize.convert_for_world_size(config, saved, 40) is None
    assert resize.convert_for_world_size(config, None, 0) is None
    assert config.prorl.converted_from_world_size is None
