"""A pool of sandboxed grading workers with a hard wall-clock bound per task.

Why not ``multiprocessing.Pool`` or ``concurrent.futures``: neither can stop one task that hangs
inside C code (sympy's big-integer powers, a regex that backtracks for ever) without tearing
the whole pool down, both unpickle what workers send, and ``signal.alarm`` — math-verify's own
timeout — only works in a main thread. Here each worker (``pool_worker``) is a sandboxed process
that runs tasks in its main thread; every task gets a deadline, and a worker that misses it is
killed (with its namespace) and replaced in the background.

The protocol carries data only: length-prefixed JSON frames, each reply tagged with the id of
its request. A reply that is larger than ``MAX_REPLY_BYTES``, not JSON, not for the request in
flight, or followed by anything unasked for means the worker is broken: it is killed and
replaced in the background, and the task fails with ``WorkerCrashed``. Nothing a worker sends
is ever unpickled or executed here.
"""

from __future__ import annotations

import atexit
import ctypes
import itertools
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from reward_fns import pool_worker
from reward_fns.sandbox import Limits, SandboxUnavailable, isolation, namespace_command

MAX_REPLY_BYTES = pool_worker.MAX_REPLY_BYTES
STARTUP_TIMEOUT_S = 120.0
WORKER_LIMITS = Limits(processes=32, file_mb=16, open_files=64, tmp_mb=16)  # memory: pool_worker
WORKER_UIDS = range(1 << 30, 1 << 31)  # apart from the code sandboxes' uids
_FRAME = pool_worker.FRAME_HEADER
_libc = ctypes.CDLL(None)
_PR_SET_PDEATHSIG = 1
_PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "XDG_CACHE_HOME", "REWARD_FNS_NLTK_DATA")
_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class WorkerTimeout(Exception):
    """The task missed its deadline; its worker was killed and is being replaced."""


class WorkerCrashed(Exception):
    """The worker died or broke the protocol while running the task; it was replaced."""


class TaskFailed(RuntimeError):
    """The task's function raised; the worker lives on."""


@dataclass(frozen=True)
class TaskReply:
    value: object
    killed: bool  # the task left processes running; they were killed


def sandboxed_workers() -> bool:
    """Workers run sandboxed unless ``REWARD_FNS_POOL_SANDBOX=0`` (unprotected: see README)."""
    return os.environ.get("REWARD_FNS_POOL_SANDBOX", "1") != "0"


def _read_exact(fd: int, n: int, deadline: float) -> bytes:
    chunks, remaining = [], n
    while remaining:
        left = deadline - time.monotonic()
        if left <= 0 or not _readable(fd, left):
            raise TimeoutError
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise WorkerCrashed("worker closed its pipe")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_reply(fd: int, deadline: float) -> dict:
    """One frame from a worker as a JSON object; raises WorkerCrashed when it is not one."""
    (size,) = _FRAME.unpack(_read_exact(fd, _FRAME.size, deadline))
    if size > MAX_REPLY_BYTES:
        raise WorkerCrashed(f"worker reply of {size} bytes exceeds {MAX_REPLY_BYTES}")
    try:
        reply = json.loads(_read_exact(fd, size, deadline))
    except (ValueError, UnicodeDecodeError) as exc:
        raise WorkerCrashed(f"worker reply is not JSON: {exc}") from None
    if not isinstance(reply, dict) or not {"id", "status", "value"} <= reply.keys():
        raise WorkerCrashed(f"worker reply is not a reply object: {str(reply)[:80]}")
    return reply


def _die_with_parent() -> None:
    """Runs in the forked child before exec: SIGKILL it when the spawning thread ends."""
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _readable(fd: int, timeout_s: float) -> bool:
    """True when ``fd`` has data or was closed within ``timeout_s`` (poll: no fd-number limit,
    as a training process may hold thousands of descriptors)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(int(timeout_s * 1000)))


def _has_unread(fd: int) -> bool:
    return _readable(fd, 0)


class _Worker:
    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.to_child = proc.stdin.fileno()
        self.from_child = proc.stdout.fileno()

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
    caller waits for a free worker (queueing time is not part of the deadline). Arguments and
    return values must be JSON values (tuples come back as lists).
    """

    def __init__(
        self,
        max_workers: int,
        preload: tuple[str, ...] = (),
        *,
        sandboxed: bool | None = None,
        worker_program: list[str] | None = None,
    ):
        if max_workers < 1:
            raise ValueError(f"max_workers must be >= 1, got {max_workers}")
        self.max_workers = max_workers
        self.preload = preload
        self.sandboxed = sandboxed_workers() if sandboxed is None else sandboxed
        # A different worker program (speaking the same protocol), for testing the pool.
        self.worker_program = worker_program or [sys.executable, "-I", pool_worker.__file__]
        self._idle: list[_Worker] = []
        self._live = 0
        self._cond = threading.Condition()
        self._closed = False
        self._ids = itertools.count(1)
        self.slowest_task_s = 0.0  # longest task so far, from hand-over to reply (monitoring)
        self.restarts = 0  # workers killed and replaced so far (monitoring)
        # Workers die with the thread that started them (PR_SET_PDEATHSIG on the worker, or on
        # ``unshare``, which takes its namespace down with it), so they are all started from
        # this one long-lived thread: they then outlive no caller's thread, and none outlives
        # this process, even while stuck in a task.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reward-pool-spawner")

    def run(self, module: str, function: str, args: tuple, timeout_s: float) -> TaskReply:
        """The function's return value; raises WorkerTimeout, WorkerCrashed or TaskFailed."""
        request_id = next(self._ids)
        request = {
            "id": request_id,
            "module": module,
            "function": function,
            "args": list(args),
        }
        data = json.dumps(request).encode()
        worker = self._acquire()
        healthy = False
        start = time.monotonic()
        try:
            os.write(worker.to_child, _FRAME.pack(len(data)) + data)
            reply = read_reply(worker.from_child, start + timeout_s)
            if reply["id"] != request_id:
                raise WorkerCrashed(f"reply for request {reply['id']!r}, expected {request_id}")
            if reply["status"] not in ("ok", "error"):
                raise WorkerCrashed(f"reply with unknown status {str(reply['status'])[:40]!r}")
            if _has_unread(worker.from_child):
                raise WorkerCrashed("worker sent more than one reply")
            healthy = True
        except TimeoutError:
            raise WorkerTimeout(f"task exceeded {timeout_s:g} s") from None
        except (OSError, ValueError) as exc:
            raise WorkerCrashed(f"worker {worker.proc.pid} died: {exc!r}") from exc
        finally:
            self.slowest_task_s = max(self.slowest_task_s, time.monotonic() - start)
            self._release(worker, healthy)
        if reply["status"] == "error":
            raise TaskFailed(str(reply["value"])[:500])
        return TaskReply(reply["value"], reply.get("killed") is True)

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
        while True:
            with self._cond:
                while True:
                    if self._closed:
                        raise RuntimeError("worker pool is closed")
                    if self._idle:
                        worker = self._idle.pop()
                        break
                    if self._live < self.max_workers:
                        self._live += 1
                        worker = None
                        break
                    self._cond.wait()
            if worker is None:
                break
            if worker.proc.poll() is None and not _has_unread(worker.from_child):
                return worker
            self._release(worker, healthy=False)  # died idle, or sent something unasked
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
            self.restarts += 1
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
        except (WorkerCrashed, SandboxUnavailable):
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
        config = {
            "preload": list(self.preload),
            "sandbox": isolation(WORKER_LIMITS, WORKER_UIDS) if self.sandboxed else None,
        }
        program = [*self.worker_program, json.dumps(config)]
        env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
        env.update(_THREAD_ENV)
        try:
            proc = self._spawner.submit(
                subprocess.Popen,
                namespace_command(program) if self.sandboxed else program,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                cwd="/",
                start_new_session=True,
                preexec_fn=_die_with_parent,
            ).result()
        except RuntimeError as exc:  # the pool closed meanwhile
            raise WorkerCrashed(f"worker not started: {exc}") from exc
        worker = _Worker(proc)
        try:
            ready = read_reply(worker.from_child, time.monotonic() + STARTUP_TIMEOUT_S)
        except (TimeoutError, WorkerCrashed) as exc:
            worker.kill()
            raise WorkerCrashed(f"worker failed to start: {exc!r}") from exc
        if ready["status"] == "setup_error":
            worker.kill()
            raise SandboxUnavailable(f"cannot sandbox the grading workers here: {ready['value']}")
        if ready["status"] != "ready":
            worker.kill()
            raise WorkerCrashed(f"worker failed to start: {str(ready)[:200]}")
        return worker


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
