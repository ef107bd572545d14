"""The killable pool: a task past its deadline is killed, its worker replaced, others unaffected."""

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
