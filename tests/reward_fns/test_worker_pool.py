"""The killable pool: a task past its deadline is killed, its worker replaced, others unaffected."""

import subprocess
import sys
import threading
import time

import pytest

from reward_fns.worker_pool import KillablePool, WorkerCrashed, WorkerTimeout


@pytest.fixture
def pool():
    p = KillablePool(2)
    yield p
    p.close()


def test_hung_task_is_killed_and_the_pool_keeps_serving(pool):
    with pytest.raises(WorkerTimeout):
        pool.run("time", "sleep", (60,), timeout_s=0.5)
    assert pool.run("math", "sqrt", (16.0,), timeout_s=30) == 4.0


def test_a_crashed_worker_is_replaced(pool):
    with pytest.raises(WorkerCrashed):
        pool.run("os", "_exit", (3,), timeout_s=30)
    assert pool.run("operator", "add", (2, 3), timeout_s=30) == 5


def test_exception_in_task_is_reported_and_worker_lives(pool):
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        pool.run("operator", "truediv", (1, 0), timeout_s=30)
    assert pool.run("operator", "mul", (6, 7), timeout_s=30) == 42


def test_threads_share_the_pool_and_each_gets_its_own_answer(pool):
    results = {}

    def call(i):
        results[i] = pool.run("operator", "mul", (i, i), timeout_s=30)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: i * i for i in range(20)}


def test_no_worker_outlives_close():
    pool = KillablePool(1)
    pool.run("operator", "add", (1, 1), timeout_s=30)
    worker = pool._idle[0]
    pool.close()
    time.sleep(0.1)
    assert worker.proc.poll() is not None


@pytest.mark.timeout(120)
def test_a_stuck_worker_dies_with_the_scoring_process(tmp_path):
    """A scorer killed while its worker hangs must not leave the worker spinning."""
    script = tmp_path / "scorer.py"
    script.write_text(
        "import os, threading, time\n"
        "from reward_fns.worker_pool import KillablePool\n"
        "pool = KillablePool(1)\n"
        "pool.run('operator', 'add', (1, 1), 60)\n"
        "print(pool._idle[0].proc.pid, flush=True)\n"
        "threading.Thread(target=pool.run, args=('time', 'sleep', (600,), 600), daemon=True).start()\n"
        "time.sleep(1)\n"
        "os._exit(0)  # dies without closing anything\n"
    )
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True
    ).stdout
    worker_pid = int(out.split()[0])
    while _alive(worker_pid):  # ends at once when the worker died with its parent
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return not any(line.startswith("State:") and "Z" in line for line in f)
    except FileNotFoundError:
        return False
