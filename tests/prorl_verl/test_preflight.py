"""The launcher's preflight: what a stage needs, checked before Ray starts, one message each."""

import subprocess
import sys

import pytest

from prorl_verl import launch, preflight

REPO = launch.RECIPES_DIR.parent


def stage(*overrides: str):
    return launch.compose_stage("stage1", list(overrides))


@pytest.fixture
def ready(tmp_path, monkeypatch):
    """Overrides under which stage1 has everything: data, a local model, 32 GPUs."""
    for name in ("train.parquet", "val.parquet"):
        (tmp_path / name).write_bytes(b"")
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    monkeypatch.setattr(preflight, "_gpus_ray_would_see", lambda config: (32, "this machine"))
    return [
        f"prorl.runs_root={tmp_path / 'runs'}",
        f"data.train_files={tmp_path / 'train.parquet'}",
        f"data.val_files={tmp_path / 'val.parquet'}",
        f"actor_rollout_ref.model.path={model}",
    ]


def test_a_stage_with_everything_has_no_problem(ready):
    assert preflight.preflight_problems(stage(*ready)) == []


def test_missing_data_names_the_file_and_make_data(ready, tmp_path):
    problems = preflight.preflight_problems(
        stage(*ready, f"data.val_files={tmp_path / 'no.parquet'}")
    )
    assert len(problems) == 1
    assert "data.val_files" in problems[0] and str(tmp_path / "no.parquet") in problems[0]
    assert "make data" in problems[0]


def test_a_model_folder_without_config_json_is_refused(ready, tmp_path):
    (tmp_path / "empty").mkdir()
    problems = preflight.preflight_problems(
        stage(*ready, f"actor_rollout_ref.model.path={tmp_path / 'empty'}")
    )
    assert problems == [f"actor_rollout_ref.model.path: {tmp_path / 'empty'} has no config.json"]


def test_a_hub_id_offline_and_not_cached_says_how_to_get_it(ready, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(preflight, "_in_hub_cache", lambda repo: False)
    problems = preflight.preflight_problems(stage(*ready[:-1]))  # the recipe's hub id
    assert len(problems) == 1
    assert "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B" in problems[0]
    assert "HF_HUB_OFFLINE" in problems[0] and "huggingface-cli download" in problems[0]


def test_too_few_gpus_says_how_many_and_the_override(ready, monkeypatch):
    monkeypatch.setattr(preflight, "_gpus_ray_would_see", lambda config: (8, "this machine"))
    problems = preflight.preflight_problems(stage(*ready))
    assert len(problems) == 1
    assert "trainer.nnodes=4 x trainer.n_gpus_per_node=8 = 32 GPUs" in problems[0]
    assert "this machine has 8" in problems[0]
    assert "trainer.nnodes=1 trainer.n_gpus_per_node=8" in problems[0]


def test_no_ray_cluster_for_several_nodes(ready, monkeypatch):
    monkeypatch.setattr(
        preflight, "_gpus_ray_would_see", lambda config: (-1, "no running Ray cluster to join")
    )
    problems = preflight.preflight_problems(stage(*ready))
    assert "ray start --head" in problems[0]


def test_cpu_mode_needs_no_gpu(ready, monkeypatch):
    monkeypatch.setattr(preflight, "_gpus_ray_would_see", lambda config: (0, "this machine"))
    assert preflight.preflight_problems(stage(*ready, "trainer.device=cpu")) == []


def test_a_run_dir_that_cannot_be_written(ready, tmp_path):
    (tmp_path / "a-file").write_text("")
    problems = preflight.preflight_problems(stage(*ready, f"prorl.runs_root={tmp_path / 'a-file'}"))
    assert len(problems) == 1 and problems[0].startswith("prorl.run_dir: cannot write in")


def test_make_stage1_on_a_bare_machine_stops_at_once_and_starts_no_ray(tmp_path):
    """As a new user would: no datasets, the recipe's 32 GPUs, no cluster."""
    result = subprocess.run(
        [
            *(sys.executable, "-m", "prorl_verl.launch", "stage1", f"prorl.runs_root={tmp_path}"),
            f"data.train_files={tmp_path / 'data/blend/train_stage1.parquet'}",  # not made yet
        ],
        cwd=REPO,  # as `make stage1` runs it
        capture_output=True,
        text=True,
        timeout=300,
        # RAY_TMPDIR: a cluster another program runs on this machine is not found and joined
        env={
            "PATH": "/usr/bin:/bin",
            "HF_HUB_OFFLINE": "1",
            "HOME": str(tmp_path),
            "RAY_TMPDIR": str(tmp_path / "ray-tmp"),
            "TMPDIR": str(tmp_path),
        },
    )
    assert result.returncode == 2
    assert "stage1 cannot start" in result.stderr
    assert "data.train_files" in result.stderr and "make data" in result.stderr
    assert "trainer.nnodes=4 needs a Ray cluster" in result.stderr  # the recipe's 4 nodes
    assert "DeepSeek-R1-Distill-Qwen-1.5B" in result.stderr  # not cached, hub offline
    assert not (tmp_path / "stage1" / "ray").exists()
    assert "Started a local Ray instance" not in result.stdout + result.stderr
