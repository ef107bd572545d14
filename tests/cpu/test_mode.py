"""CPU mode's thread settings reach every Ray process of a run."""

import psutil
import pytest

from prorl_verl.cpu.mode import enter_cpu_mode, thread_settings
from prorl_verl.launch import compose_stage


@pytest.fixture
def clean_env(monkeypatch):
    names = (
        "OMP_NUM_THREADS",
        "TQ_NUM_THREADS",
        "VERL_PLATFORM",
        "RAY_AUTH_TOKEN_PATH",
        "PYTHONWARNINGS",
    )
    for name in names:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_one_torch_thread_and_transfer_queue_threads_fit_the_cores(clean_env):
    assert thread_settings() == {
        "OMP_NUM_THREADS": "1",
        "TQ_NUM_THREADS": str(psutil.cpu_count(logical=False)),
    }


def test_thread_counts_set_by_the_user_win(clean_env):
    clean_env.setenv("OMP_NUM_THREADS", "3")
    clean_env.setenv("TQ_NUM_THREADS", "5")
    assert thread_settings() == {"OMP_NUM_THREADS": "3", "TQ_NUM_THREADS": "5"}


def test_a_cpu_run_exports_them_to_its_ray_processes(clean_env, tmp_path):
    config = compose_stage("demo_stage1", [])
    enter_cpu_mode(config, tmp_path / "run")
    env_vars = config.ray_kwargs.ray_init.runtime_env.env_vars
    assert env_vars["OMP_NUM_THREADS"] == "1"
    assert env_vars["TQ_NUM_THREADS"] == str(psutil.cpu_count(logical=False))
    assert env_vars["VERL_PLATFORM"] == "cpu"


def test_ray_processes_skip_the_missing_gpu_engine_warnings(clean_env, tmp_path):
    clean_env.setenv("PYTHONWARNINGS", "error::DeprecationWarning")
    config = compose_stage("demo_stage1", [])
    enter_cpu_mode(config, tmp_path / "run")
    filters = config.ray_kwargs.ray_init.runtime_env.env_vars["PYTHONWARNINGS"].split(",")
    assert filters == ["error::DeprecationWarning", "ignore::UserWarning:verl.workers.engine"]
