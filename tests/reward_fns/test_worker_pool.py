"""The grading pool: hard deadlines, workers replaced, a protocol that carries data only, and
workers that are confined like the code sandbox."""

import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from reward_fns import pool as pool_module
from reward_fns.pool import PoolFailure, run_bounded
from reward_fns.worker_pool import (
    WORKER_UIDS,
    KillablePool,
    TaskFailed,
    WorkerCrashed,
    WorkerTimeout,
)

MISBEHAVING_WORKER = [
    sys.executable,
    os.path.join(os.path.dirname(__file__), "misbehaving_worker.py"),
]


@pytest.fixture
def pool():
    p = KillablePool(2)
    yield p
    p.close()


@pytest.fixture
def rogue_pool():
    p = KillablePool(2, sandboxed=False, worker_program=MISBEHAVING_WORKER)
    yield p
    p.close()


def test_hung_task_is_killed_and_the_pool_keeps_serving(pool):
    with pytest.raises(WorkerTimeout):
        pool.run("time", "sleep", (60,), timeout_s=0.5)
    assert pool.run("math", "sqrt", (16.0,), timeout_s=30).value == 4.0
    assert pool.restarts == 1


def test_a_crashed_worker_is_replaced(pool):
    with pytest.raises(WorkerCrashed):
        pool.run("os", "_exit", (3,), timeout_s=30)
    assert pool.run("operator", "add", (2, 3), timeout_s=30).value == 5


def test_exception_in_task_is_reported_and_worker_lives(pool):
    with pytest.raises(TaskFailed, match="ZeroDivisionError"):
        pool.run("operator", "truediv", (1, 0), timeout_s=30)
    assert pool.run("operator", "mul", (6, 7), timeout_s=30).value == 42
    assert pool.restarts == 0


def test_threads_share_the_pool_and_each_gets_its_own_answer(pool):
    results = {}

    def call(i):
        results[i] = pool.run("operator", "mul", (i, i), timeout_s=30).value

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
        "pid = pool._idle[0].proc.pid  # unshare; the worker is its child\n"
        "print(pid, open(f'/proc/{pid}/task/{pid}/children').read(), flush=True)\n"
        "threading.Thread(target=pool.run, args=('time', 'sleep', (600,), 600), daemon=True).start()\n"
        "time.sleep(1)\n"
        "os._exit(0)  # dies without closing anything\n"
    )
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True
    ).stdout
    pids = [int(pid) for pid in out.split()]
    assert len(pids) == 2  # unshare and the worker
    while any(_alive(pid) for pid in pids):  # ends at once when both died with their parent
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return not any(line.startswith("State:") and "Z" in line for line in f)
    except FileNotFoundError:
        return False


def _worker_processes(exclude=()) -> list[int]:
    """Live host processes running under a grading-worker uid."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as f:
                status = f.read()
        except OSError:
            continue
        uid = int(status.split("Uid:")[1].split()[0])
        if uid in WORKER_UIDS and "State:\tZ" not in status and int(pid) not in exclude:
            found.append(int(pid))
    return found


# --- the protocol carries data only ---------------------------------------------------------


@pytest.mark.parametrize("mode", ["malformed", "wrong_id", "duplicate", "oversized", "pickle"])
def test_a_reply_that_breaks_the_protocol_kills_and_replaces_the_worker(rogue_pool, mode, tmp_path):
    marker = tmp_path / "unpickled"
    assert rogue_pool.run("m", "echo", (1,), timeout_s=30).value == [1]
    first = rogue_pool._idle[0].proc
    with pytest.raises(WorkerCrashed):
        rogue_pool.run("m", "misbehave", (mode, f"touch {marker}"), timeout_s=30)
    assert first.poll() is not None  # killed
    assert rogue_pool.restarts == 1
    assert not marker.exists()  # nothing the worker sent was executed
    assert rogue_pool.run("m", "echo", (2,), timeout_s=30).value == [2]


def test_a_broken_reply_scores_zero_with_an_error_and_the_batch_stays_in_order(
    rogue_pool, monkeypatch
):
    monkeypatch.setattr(pool_module, "shared_pool", lambda: rogue_pool)
    modes = ["ok", "malformed", "ok", "wrong_id", "ok", "duplicate", "ok", "oversized", "ok"]

    def grade(index, mode):
        if mode == "ok":
            return run_bounded("math", "m", "echo", (index,), 30)
        try:
            return run_bounded("math", "m", "misbehave", (mode, "true"), 30)
        except PoolFailure as failure:
            return failure.result

    results = [None] * len(modes)
    threads = [
        threading.Thread(target=lambda i=i, m=m: results.__setitem__(i, grade(i, m)))
        for i, m in enumerate(modes)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for index, (mode, result) in enumerate(zip(modes, results, strict=True)):
        if mode == "ok":
            assert result == [index]
        else:
            assert result["score"] == 0.0 and result["error"].startswith("verifier worker failed")
            assert result["scorer_error"] == 1.0 and result["worker_restart"] == 1.0


# --- a worker is confined -------------------------------------------------------------------


def test_a_worker_sees_no_secrets_no_caller_and_no_extra_descriptors():
    # The pool copies a fixed list of variables: a secret set now would not reach a worker either.
    os.environ["PRORL_TEST_SECRET_TOKEN"] = "hunter2"
    try:
        fresh = KillablePool(1)
        try:
            assert fresh.run("os", "getenv", ("PRORL_TEST_SECRET_TOKEN",), 30).value is None
            assert fresh.run("os", "getenv", ("REWARD_FNS_POOL_PARENT",), 30).value is None
            assert fresh.run("os", "getppid", (), 30).value == 0  # its parent is outside its view
            caller = f"/proc/{os.getpid()}"
            assert fresh.run("os.path", "exists", (caller,), 30).value is False
            fds = fresh.run("os", "listdir", ("/proc/self/fd",), 30).value
            assert sorted(int(fd) for fd in fds) == [
                0,
                1,
                2,
                3,
                4,
            ]  # protocol, stderr, listdir's own
        finally:
            fresh.close()
    finally:
        del os.environ["PRORL_TEST_SECRET_TOKEN"]


def test_code_run_inside_a_worker_cannot_reach_outside(pool, tmp_path):
    """What an answer that got evaluated could do, tried directly in a worker."""
    outside = tmp_path / "written"
    with pytest.raises(TaskFailed):
        pool.run("builtins", "exec", (f"open({str(outside)!r}, 'w').write('x')",), 30)
    assert not outside.exists()
    with pytest.raises(TaskFailed, match="Read-only file system"):
        pool.run("builtins", "exec", ("open('/etc/prorl-escape', 'w')",), 30)
    assert not os.path.exists("/etc/prorl-escape")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    with pytest.raises(TaskFailed):
        pool.run("socket", "create_connection", (["127.0.0.1", port], 2), 30)
    with pytest.raises(TimeoutError):
        listener.accept()  # no connection arrived
    listener.close()
    with pytest.raises(TaskFailed):  # the caller is in no namespace the worker can see
        pool.run("os", "kill", (os.getpid(), 9), 30)
    assert pool.run("operator", "add", (1, 2), 30).value == 3  # caller and worker both alive


@pytest.mark.timeout(60)
def test_processes_a_task_leaves_behind_are_killed_and_reported(pool):
    before = set(_worker_processes())
    spawn = "import subprocess; subprocess.Popen(['sleep', '300'], start_new_session=True)"
    assert pool.run("builtins", "exec", (spawn,), 30).killed is True
    assert pool.run("operator", "add", (1, 2), 30).killed is False
    worker_pids = {w.proc.pid for w in pool._idle}
    assert set(_worker_processes()) - before - _descendants(worker_pids) == set()
    with pytest.raises(PoolFailure) as failure:  # as a grading step: scored 0, flagged
        pool_module_run(pool, spawn)
    assert failure.value.result["sandbox_kill"] == 1.0
    assert failure.value.result["score"] == 0.0


def pool_module_run(pool, code):
    original = pool_module.shared_pool
    pool_module.shared_pool = lambda: pool
    try:
        return run_bounded("math", "builtins", "exec", (code,), 30)
    finally:
        pool_module.shared_pool = original


def _descendants(pids: set[int]) -> set[int]:
    """The workers themselves (python under unshare) are expected to be alive."""
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as f:
                ppid = int(f.read().split("PPid:")[1].split()[0])
        except OSError:
            continue
        if ppid in pids:
            found.add(int(pid))
    return found


def test_the_pool_works_from_a_process_holding_many_descriptors():
    """A training process can hold thousands of descriptors: the worker's pipes then get
    numbers beyond select()'s limit of 1024."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip("this machine allows fewer than 1200 descriptors")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open("/dev/null", os.O_RDONLY) for _ in range(1100)]
    try:
        pool = KillablePool(1)
        try:
            assert pool.run("operator", "add", (1, 2), 30).value == 3
            assert pool._idle[0].from_child > 1024
        finally:
            pool.close()
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
