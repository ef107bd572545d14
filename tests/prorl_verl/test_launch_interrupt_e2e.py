"""Interrupting a training launch (SIGTERM, as a scheduler or ``kill`` sends; Ctrl-C is SIGINT)
leaves no Ray process behind: the launcher shuts down the cluster it started."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from prorl_verl.cpu.mode import ray_directory
from prorl_verl.demo_plot import read_run_metrics

pytestmark = pytest.mark.e2e


def processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline:
                found.append(f"{proc.name}: {cmdline[:200]}")
    return found


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_launch_leaves_no_ray_process(
    short_tmp, tiny_model, chain_sum_data, trainer_tools, signum
):
    runs = short_tmp / f"interrupted-{signum.name}"
    overrides = trainer_tools.overrides(runs, tiny_model, chain_sum_data)
    log = short_tmp / f"interrupted-{signum.name}.log"
    process = trainer_tools.start("demo_stage1", overrides, log)
    sessions = ray_directory(runs / "demo_stage1")
    try:
        deadline = time.monotonic() + 600
        while 1 not in read_run_metrics(runs / "demo_stage1"):  # training, every actor up
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "no training step within 600 s"
            time.sleep(0.5)
        assert processes_mentioning(str(sessions))  # Ray's daemons name their session dir
        process.send_signal(signum)  # to the launcher only, as `kill <pid>` would
        try:
            code = process.wait(timeout=300)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running 300 s after {signum.name}:\n{log.read_text()[-3000:]}")
        assert code != 0
        deadline = time.monotonic() + 60
        while processes_mentioning(str(sessions)) and time.monotonic() < deadline:
            time.sleep(1)
        assert processes_mentioning(str(sessions)) == []
    finally:
        trainer_tools.stop(process)
