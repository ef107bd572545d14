"""A pool of killable worker processes with a hard wall-clock bound per task.

Why not ``multiprocessing.Pool`` or ``concurrent.futures``: neither can stop one task that hangs
inside C code (sympy's big-integer powers, a regex that backtracks for ever) without tearing
the whole pool down, and ``signal.alarm`` — math-verify's own timeout — only works in a main
thread. Here every task gets a deadline; a worker that misses it is killed (with its process
group) and a fresh one replaces it on the next call. Workers are plain ``python -m`` child
processes talking length-prefixed pickles over pipes, so they work from any thread, inside Ray
actors, and never re-run the caller's ``__main__``. Each worker runs tasks in its main thread,
so libraries relying on ``signal.alarm`` behave as designed in there.
"""

from __future__ import annotations

import atexit
import os
import pickle
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

_FRAME_HEADER = struct.Struct("!Q")
_PR_SET_PDEATHSIG = 1
_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STARTUP_TIMEOUT_S = 120.0


class WorkerTimeout(Exception):
    """The task missed its deadline; its worker was killed."""


class WorkerCrashed(Exception):
    """The worker died (or broke protocol) while running the task."""


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, remaining = [], n
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while remaining:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and (left <= 0 or not sel.select(left)):
                raise WorkerTimeout
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise WorkerCrashed("worker closed its pipe")
            chunks.append(chunk)
            remaining -= len(chunk)
    return b"".join(chunks)


def _write_frame(fd: int, payload: object) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    os.write(fd, _FRAME_HEADER.pack(len(data)))
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_frame(fd: int, deadline: float | None) -> object:
    (size,) = _FRAME_HEADER.unpack(_read_exact(fd, _FRAME_HEADER.size, deadline))
    return pickle.loads(_read_exact(fd, size, deadline))


@dataclass
class _Worker:
    proc: subprocess.Popen
    to_child: int = field(init=False)
    from_child: int = field(init=False)

    def __post_init__(self) -> None:
        self.to_child = self.proc.stdin.fileno()
        self.from_child = self.proc.stdout.fileno()

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.proc.wait()


class KillablePool:
    """Runs ``module.function(*args)`` in worker processes, each call with a hard deadline.

    ``preload`` names modules every worker imports before it reports ready, so import time
    never counts against a task's deadline. Workers start lazily, up to ``max_workers``; a
    caller waits for a free worker (queueing time is not part of the deadline).
    """

    def __init__(self, max_workers: int, preload: tuple[str, ...] = ()):
        if max_workers < 1:
            raise ValueError(f"max_workers must be >= 1, got {max_workers}")
        self.max_workers = max_workers
        self.preload = preload
        self._idle: list[_Worker] = []
        self._live = 0
        self._cond = threading.Condition()
        self._closed = False
        self.slowest_task_s = 0.0  # longest task so far, from hand-over to reply (monitoring)
        # Workers die with the thread that started them (PR_SET_PDEATHSIG), so they are all
        # started from this one long-lived thread: they then outlive no caller's thread, and
        # none outlives this process, even while stuck in a task.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reward-pool-spawner")

    def run(self, module: str, function: str, args: tuple, timeout_s: float) -> object:
        """The function's return value; raises WorkerTimeout or WorkerCrashed, or re-raises
        (as RuntimeError) an exception the function raised."""
        worker = self._acquire()
        healthy = False
        start = time.monotonic()
        try:
            _write_frame(worker.to_child, (module, function, args))
            status, value = _read_frame(worker.from_child, start + timeout_s)
            healthy = True
        except (BrokenPipeError, OSError, EOFError, pickle.UnpicklingError) as exc:
            raise WorkerCrashed(f"worker {worker.proc.pid} died: {exc!r}") from exc
        finally:
            self.slowest_task_s = max(self.slowest_task_s, time.monotonic() - start)
            self._release(worker, healthy)
        if status == "error":
            raise RuntimeError(value)
        return value

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._live -= len(idle)
            self._cond.notify_all()
        for worker in idle:
            worker.kill()
        self._spawner.shutdown(wait=False)

    def _acquire(self) -> _Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("worker pool is closed")
                if self._idle:
                    return self._idle.pop()
                if self._live < self.max_workers:
                    self._live += 1
                    break
                self._cond.wait()
        try:
            return self._start_worker()
        except BaseException:
            with self._cond:
                self._live -= 1
                self._cond.notify()
            raise

    def _release(self, worker: _Worker, healthy: bool) -> None:
        if not healthy:
            worker.kill()
            threading.Thread(target=self._replace, name="reward-pool-respawn", daemon=True).start()
            return
        with self._cond:
            if not self._closed:
                self._idle.append(worker)
                self._cond.notify()
                return
            self._live -= 1
        worker.kill()

    def _replace(self) -> None:
        """Start a worker in place of a killed one, off the caller's clock (it keeps its slot)."""
        try:
            worker = self._start_worker()
        except WorkerCrashed:
            worker = None
        with self._cond:
            if worker is not None and not self._closed:
                self._idle.append(worker)
                worker = None
            else:
                self._live -= 1
            self._cond.notify()
        if worker is not None:
            worker.kill()

    def _start_worker(self) -> _Worker:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_PARENT, env.get("PYTHONPATH")]))
        env["REWARD_FNS_POOL_PARENT"] = str(os.getpid())
        try:
            proc = self._spawner.submit(
                subprocess.Popen,
                [sys.executable, "-m", "reward_fns.pool_worker", *self.preload],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                start_new_session=True,
            ).result()
        except RuntimeError as exc:  # the pool closed meanwhile
            raise WorkerCrashed(f"worker not started: {exc}") from exc
        worker = _Worker(proc)
        try:
            ready = _read_frame(worker.from_child, time.monotonic() + STARTUP_TIMEOUT_S)
        except (WorkerTimeout, WorkerCrashed, EOFError, pickle.UnpicklingError) as exc:
            worker.kill()
            raise WorkerCrashed(f"worker failed to start: {exc!r}") from exc
        if ready != ("ready", None):
            worker.kill()
            raise WorkerCrashed(f"worker failed to start: {ready!r}")
        return worker


def serve(preload: list[str]) -> None:
    """Worker side: import ``preload``, report ready, then run tasks until stdin closes."""
    import ctypes
    import importlib

    # Die with the pool's process even when stuck in C code that no signal handler interrupts.
    ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if str(os.getppid()) != os.environ.get("REWARD_FNS_POOL_PARENT", str(os.getppid())):
        return  # the pool's process died before the line above took effect

    # The protocol owns the original stdout; anything a library prints goes to stderr.
    proto_out = os.dup(1)
    os.dup2(2, 1)
    proto_in = 0
    for name in preload:
        importlib.import_module(name)
    _write_frame(proto_out, ("ready", None))
    while True:
        try:
            module, function, args = _read_frame(proto_in, None)
        except WorkerCrashed:
            return  # the pool closed our stdin: exit quietly
        try:
            value = getattr(importlib.import_module(module), function)(*args)
            reply = ("ok", value)
        except Exception as exc:  # reported to the caller, the worker lives on
            reply = ("error", f"{module}.{function} raised {exc!r}")
        _write_frame(proto_out, reply)


# Everything the verifiers run in workers, imported before a worker reports ready.
POOL_MODULES = (
    "reward_fns.math_reward",
    "reward_fns.reasoning_gym_policy",
    "reward_fns.ifeval_checks",
)
_shared_pool: KillablePool | None = None
_shared_lock = threading.Lock()


def default_pool_size() -> int:
    """Workers per process: ``REWARD_FNS_WORKERS`` if set, else the CPUs this process may use
    (at most 8: verl runs several reward processes per node, each with its own pool)."""
    configured = os.environ.get("REWARD_FNS_WORKERS")
    if configured:
        return int(configured)
    return min(8, len(os.sched_getaffinity(0)))


def close_shared_pool() -> None:
    """Stop the process-wide pool's workers; the next grading call starts a fresh pool."""
    global _shared_pool
    with _shared_lock:
        pool, _shared_pool = _shared_pool, None
    if pool is not None:
        pool.close()


def shared_pool() -> KillablePool:
    """The process-wide pool (created on first use, closed at exit)."""
    global _shared_pool
    with _shared_lock:
        if _shared_pool is None:
            _shared_pool = KillablePool(default_pool_size(), preload=POOL_MODULES)
            atexit.register(_shared_pool.close)
        return _shared_pool
