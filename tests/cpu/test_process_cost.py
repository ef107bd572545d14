"""A CPU run's processes: garbage collected less often, and no Python teardown at the end."""

import gc
import subprocess
import sys
import textwrap

import pytest

from prorl_verl.cpu.mode import enter_cpu_mode
from prorl_verl.cpu.process_cost import (
    GC_THRESHOLDS,
    RAY_SETUP_HOOK,
    SETUP_HOOK_PATH,
    collecting_less_often,
)
from prorl_verl.launch import compose_stage

ray = pytest.importorskip("ray")


@pytest.fixture
def default_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_the_launchers_block_restores_the_thresholds_even_on_error(default_thresholds):
    with pytest.raises(RuntimeError), collecting_less_often():
        assert gc.get_threshold() == (100_000, 50, 100)
        raise RuntimeError("composition failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_cpu_run_gives_every_ray_process_the_hook_and_keeps_a_users_own(
    default_thresholds, tmp_path, monkeypatch
):
    monkeypatch.delenv("VERL_PLATFORM", raising=False)
    config = compose_stage("demo_stage1", [])
    enter_cpu_mode(config, tmp_path / "run")
    assert config.ray_kwargs.ray_init.runtime_env[RAY_SETUP_HOOK] == SETUP_HOOK_PATH
    assert gc.get_threshold() == GC_THRESHOLDS  # and the launching process itself

    mine = compose_stage(
        "demo_stage1", [f"+ray_kwargs.ray_init.runtime_env.{RAY_SETUP_HOOK}=my.module.hook"]
    )
    enter_cpu_mode(mine, tmp_path / "run2")
    assert mine.ray_kwargs.ray_init.runtime_env[RAY_SETUP_HOOK] == "my.module.hook"


@pytest.mark.timeout(300)
def test_the_hook_runs_in_a_ray_worker_before_its_task(tmp_path_factory):
    def worker_thresholds() -> tuple[int, int, int]:  # defined here: Ray sends it by value
        return gc.get_threshold()

    ray.init(
        num_cpus=1,
        include_dashboard=False,
        log_to_driver=False,
        _temp_dir=str(tmp_path_factory.mktemp("ray")),  # Ray's socket paths must stay short
        runtime_env={RAY_SETUP_HOOK: SETUP_HOOK_PATH},
    )
    try:
        thresholds = ray.get(ray.remote(worker_thresholds).remote(), timeout=240)
    finally:
        ray.shutdown()
    assert tuple(thresholds) == (100_000, 50, 100)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", **env},
    )


def test_exit_without_teardown_flushes_output_and_skips_atexit(tmp_path):
    marker = tmp_path / "atexit-ran"
    result = run_python(
        f"""
        import atexit, logging, sys
        from prorl_verl.cpu.process_cost import exit_without_teardown
        atexit.register(lambda: open({str(marker)!r}, "w").close())
        logging.basicConfig(filename={str(tmp_path / "log")!r})
        logging.getLogger("run").warning("logged last")
        sys.stdout.write("no newline yet")
        sys.stderr.write("to stderr")
        exit_without_teardown(3)
        """
    )
    assert result.returncode == 3
    assert result.stdout == "no newline yet"
    assert result.stderr == "to stderr"
    assert (tmp_path / "log").read_text() == "WARNING:run:logged last\n"
    assert not marker.exists()


MAIN_RAISES = """
    import prorl_verl.launch as launch
    def main():
        {body}
    launch.main = main
    launch.cli()
    print("returned")
"""


@pytest.mark.parametrize(
    "body, status, stderr",
    [
        ("raise RuntimeError('boom')", 1, "RuntimeError: boom"),
        ("raise SystemExit(143)", 143, ""),  # SIGTERM, as the launcher's handler raises it
        ("raise SystemExit('no recipe')", 1, "no recipe"),
        ("raise KeyboardInterrupt", 130, "KeyboardInterrupt"),
        ("return 2", 2, ""),
    ],
    ids=["error", "sigterm", "message", "ctrl-c", "status"],
)
def test_a_cpu_launch_exits_with_the_status_python_would_give(body, status, stderr):
    result = run_python(MAIN_RAISES.format(body=body), VERL_PLATFORM="cpu")
    assert result.returncode == status
    assert stderr in result.stderr
    assert "returned" not in result.stdout  # the process ended inside cli()


def test_outside_cpu_mode_the_launcher_ends_as_before():
    result = run_python(MAIN_RAISES.format(body="raise RuntimeError('boom')"))
    assert result.returncode == 1
    assert "RuntimeError: boom" in result.stderr
