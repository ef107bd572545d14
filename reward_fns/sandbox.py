"""Running untrusted code against test inputs, isolated by Linux namespaces.

``run_tests`` starts ``sandbox_harness.py`` under util-linux ``unshare`` in new PID, mount,
network, IPC and UTS namespaces (plus a user namespace when not root). The harness pivots into
a minimal read-only root with a private tmpfs, drops to a random unprivileged uid (so process
limits bind even when the scorer is root), and runs the tests; see its docstring. The scorer
keeps the expected outputs and only receives each test's status and its (capped) output.

Bounds: the harness stops starting tests when the budget ends; the scorer kills ``unshare``
(and, through ``--kill-child``, the namespace's process 1 and with it every process inside)
when budget + ``STARTUP_GRACE_S`` has passed, whatever the harness does. Memory: the harness
reads each test's output only up to its cap, and the scorer reads at most ``result_bytes_cap``
of the result pipe (JSON-escaped outputs: 6 x the caps, plus 512 bytes per test and 64 KiB)
and ``STDERR_CAP`` of stderr; a sandbox that writes more is killed and its solution scores 0.
At most ``sandbox_slots()`` sandboxes run at once per process, so a budget is not eaten by
waiting for a CPU; waiting for a slot is not part of the budget.
"""

from __future__ import annotations

import json
import os
import random
import selectors
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from dataclasses import asdict, dataclass, field

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sandbox_harness.py")
STARTUP_GRACE_S = 3.0
STDERR_CAP = 1 << 16
DEFAULT_OUTPUT_CAP = 1 << 20
_STAGE_CANDIDATES = ("/run", "/mnt", "/media", "/srv")
_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
    "TMPDIR": "/tmp",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


class SandboxUnavailable(RuntimeError):
    """This machine cannot build the sandbox (missing tool or namespaces disabled)."""


@dataclass(frozen=True)
class Limits:
    """Per-process limits inside the sandbox (``processes`` counts all of the sandbox's)."""

    memory_mb: int = 1024
    processes: int = 32
    file_mb: int = 16
    open_files: int = 64
    cpu_s: int = 10
    tmp_mb: int = 64


@dataclass
class SandboxRun:
    """What came back: per-test records by index, a syntax error, or a launch error."""

    tests: dict[int, dict] = field(default_factory=dict)
    syntax_error: str | None = None
    error: str = ""
    killed: bool = False  # the scorer killed the namespace (out of time or output)
    seconds: float = 0.0  # from launch to the end of the namespace (slot waiting excluded)


def sandbox_slots() -> int:
    """Sandboxes run at once per process: ``REWARD_FNS_SANDBOXES``, else four per usable CPU
    (a sandbox spends most of its life waiting: on the kernel while starting, on a program
    that sleeps or reads; a busy loop is the exception and is cut at the budget)."""
    configured = os.environ.get("REWARD_FNS_SANDBOXES")
    return int(configured) if configured else 4 * len(os.sched_getaffinity(0))


_slots = threading.BoundedSemaphore(sandbox_slots())


def namespace_command(program: list[str]) -> list[str]:
    """``program`` as process 1 of new PID, mount, network, IPC and UTS namespaces (and a user
    namespace when not root); everything in them dies with ``unshare``."""
    unshare = shutil.which("unshare") or (
        "/usr/bin/unshare" if os.path.exists("/usr/bin/unshare") else None
    )
    if unshare is None:
        raise SandboxUnavailable(
            "the code sandbox needs util-linux's `unshare` (Debian: apt-get install util-linux)"
        )
    user_ns = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    namespaces = ["--net", "--pid", "--mount", "--ipc", "--uts", "--fork", "--kill-child"]
    return [unshare, *user_ns, *namespaces, "--", *program]


CODE_UIDS = range(1 << 20, 1 << 30)  # code sandboxes; grading workers take others (pool)


def isolation(limits: Limits, uids: range = CODE_UIDS) -> dict:
    """What the process inside needs to build its root: where, as which uid (a random one of
    ``uids`` when root), with which limits."""
    return {
        "stage": _stage_dir(),
        "uid": random.SystemRandom().choice(uids) if os.geteuid() == 0 else None,
        "limits": asdict(limits),
        "site_packages": sysconfig.get_paths()["purelib"],
    }


def _stage_dir() -> str:
    """An existing directory to mount the new root on (hidden in the sandbox's namespace only)."""
    needed = (os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix))
    for candidate in _STAGE_CANDIDATES:
        if os.path.isdir(candidate) and not any(
            path.startswith(candidate + "/") for path in needed
        ):
            return candidate
    raise SandboxUnavailable(
        f"no directory to build the sandbox root on (tried {_STAGE_CANDIDATES})"
    )


def result_bytes_cap(output_caps: list[int]) -> int:
    """Most bytes the scorer reads from a sandbox's result pipe (JSON may escape 1 byte as 6)."""
    return 6 * sum(output_caps) + 512 * len(output_caps) + (1 << 16)


def run_tests(
    code: str,
    inputs: list,
    output_caps: list[int] | None = None,
    *,
    fn_name: str | None = None,
    budget_s: float = 5.0,
    limits: Limits = Limits(),
) -> SandboxRun:
    """Run ``code`` on each input (stdin text, or a list of call arguments with ``fn_name``);
    a test's output longer than its ``output_caps`` entry (bytes; default ``DEFAULT_OUTPUT_CAP``)
    is reported as ``too_long``, not read."""
    if output_caps is None:
        output_caps = [DEFAULT_OUTPUT_CAP] * len(inputs)
    job = {
        "code": code,
        "mode": "stdio" if fn_name is None else "call",
        "fn_name": fn_name,
        "inputs": inputs,
        "output_caps": output_caps,
        "budget_s": budget_s,
        **isolation(limits),
    }
    payload = json.dumps(job).encode()
    with _slots:
        start = time.monotonic()
        # -S skips site's .pth processing (most of Python's start-up time); the harness puts
        # the environment's site-packages back on sys.path so solutions can import e.g. numpy.
        proc = subprocess.Popen(
            namespace_command([sys.executable, "-I", "-S", HARNESS]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_ENV,
            cwd="/",
            start_new_session=True,
        )
        try:
            out, err, overflow = _exchange(
                proc, payload, start + budget_s + STARTUP_GRACE_S, result_bytes_cap(output_caps)
            )
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                pipe.close()
        seconds = time.monotonic() - start
    killed = overflow is not None
    run = _parse(out, err, proc.returncode, killed)
    if overflow == "output":
        run.error = "the sandbox wrote more than its output cap"
    run.seconds = seconds
    return run


def _exchange(
    proc: subprocess.Popen, payload: bytes, deadline: float, out_cap: int
) -> tuple[bytes, bytes, str | None]:
    """Send the job, read the result and stderr pipes up to their caps until both close.
    Returns (stdout, stderr, why it was cut: None, "time" or "output")."""
    stdin, stdout, stderr = proc.stdin.fileno(), proc.stdout.fileno(), proc.stderr.fileno()
    chunks: dict[int, list[bytes]] = {stdout: [], stderr: []}
    room = {stdout: out_cap, stderr: STDERR_CAP}
    pending = memoryview(payload)
    cut = None
    os.set_blocking(stdin, False)
    with selectors.DefaultSelector() as sel:
        sel.register(stdin, selectors.EVENT_WRITE)
        for fd in chunks:
            sel.register(fd, selectors.EVENT_READ)
        open_reads = len(chunks)
        while open_reads and cut is None:
            left = deadline - time.monotonic()
            ready = sel.select(left) if left > 0 else []
            if not ready:
                cut = "time"
            for key, _ in ready:
                if key.fd == stdin:
                    try:
                        pending = pending[os.write(stdin, pending) :]
                    except BrokenPipeError:
                        pending = pending[:0]
                    if not pending:
                        sel.unregister(stdin)
                        proc.stdin.close()
                    continue
                data = os.read(key.fd, 1 << 16)
                if not data:
                    sel.unregister(key.fd)
                    open_reads -= 1
                elif len(data) <= room[key.fd]:
                    chunks[key.fd].append(data)
                    room[key.fd] -= len(data)
                elif key.fd == stdout:
                    cut = "output"
                    break
                # stderr beyond its cap is drained and dropped
    return b"".join(chunks[stdout]), b"".join(chunks[stderr]), cut


def _parse(out: bytes, err: bytes, returncode: int, killed: bool) -> SandboxRun:
    run = SandboxRun(killed=killed)
    compiled = False
    for line in out.decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "setup_error" in record:
            raise SandboxUnavailable(f"cannot build the code sandbox here: {record['setup_error']}")
        if "syntax_error" in record:
            run.syntax_error = record["syntax_error"]
        elif record.get("compiled"):
            compiled = True
        elif isinstance(record.get("test"), int):
            run.tests[record["test"]] = record
    if not compiled and run.syntax_error is None:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        refusals = [line for line in lines if line.startswith("unshare:")]
        if refusals and not killed:
            raise SandboxUnavailable(f"cannot create the sandbox's namespaces here: {refusals[0]}")
        run.error = f"sandbox failed before running the code: {(lines or [f'exit status {returncode}'])[-1]}"[
            :300
        ]
    return run
