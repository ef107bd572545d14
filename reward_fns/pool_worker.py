"""A grading worker: ``python -I reward_fns/pool_worker.py CONFIG_JSON``, started by ``worker_pool``.

Verifiers parse model-written text, and third-party ones have evaluated it (reasoning-gym
scorers call ``eval`` and ``sympy.parse_expr`` on answers; ``reasoning_gym_policy`` replaces
those paths with parsers that cannot execute code — see README, "What evaluates answer text").
As a second line, a worker is confined like the code sandbox: started under ``unshare`` as
process 1 of fresh PID, mount, network, IPC and UTS namespaces, it imports the verifiers
(trusted code) once, then builds the same minimal read-only root as ``sandbox_harness`` (plus
read-only views of the ``reward_fns`` package and nltk's data), limits its own address space
(``WORKER_MEMORY_MB`` beyond what the imports took), drops to an unprivileged uid of its own
with no capabilities and becomes non-dumpable. Its environment holds no more than the pool
passed (no secrets, no pool PIDs) and its descriptors are the protocol's pipes and stderr.

Tasks run in the worker's main thread (math-verify's ``signal.alarm`` works there). After each
task the worker kills every other process in its namespace (``kill(-1)`` as process 1), so
nothing a task started outlives it, and reports that it had to. Replies are JSON, tagged with
the request's id, at most ``MAX_REPLY_BYTES``; the pool executes nothing it receives.
"""

import ctypes
import importlib
import json
import os
import resource
import signal
import struct
import sys

from reward_fns import sandbox_harness

FRAME_HEADER = struct.Struct("!Q")
MAX_REPLY_BYTES = 1 << 20
WORKER_MEMORY_MB = 2048  # address space a worker may add to what its imports took
_PR_SET_PDEATHSIG = 1


def write_frame(fd: int, payload: dict) -> None:
    data = json.dumps(payload).encode()
    view = memoryview(FRAME_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read_request(fd: int) -> dict | None:
    """The next request from the pool (trusted), or None when the pool closed the pipe."""
    header = _read_all(fd, FRAME_HEADER.size)
    if header is None:
        return None
    (size,) = FRAME_HEADER.unpack(header)
    body = _read_all(fd, size)
    return None if body is None else json.loads(body)


def _read_all(fd: int, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = os.read(fd, n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


# --- one task ---------------------------------------------------------------------------


def run_task(request: dict) -> dict:
    """The reply for ``request`` (without its id): ``{"status": "ok"|"error", "value"}``."""
    try:
        function = getattr(importlib.import_module(request["module"]), request["function"])
        reply = {"status": "ok", "value": function(*request["args"])}
        size = len(json.dumps(reply))
        if size > MAX_REPLY_BYTES - 1024:
            reply = {"status": "error", "value": f"result of {size} bytes is too large"}
    except Exception as exc:  # reported to the pool; the worker lives on
        reply = {"status": "error", "value": f"{request['function']} raised {exc!r}"[:500]}
    return reply


def end_task(as_init: bool) -> bool:
    """Kill whatever the task started; True when something was running. As process 1 of the
    namespace the worker reaches every other process in it, whatever its process group."""
    return as_init and sandbox_harness.kill_everything_else()


# --- start-up -------------------------------------------------------------------------------


def _isolate(sandbox: dict) -> None:
    """Enter the sandbox: private read-only root, limits, unprivileged, non-dumpable."""
    binds = [os.path.dirname(os.path.abspath(sandbox_harness.__file__))]
    nltk = sys.modules.get("nltk")
    if nltk is not None:
        binds += [path for path in nltk.data.path if os.path.isdir(path)]
    sandbox_harness.build_root(
        sandbox["stage"],
        sandbox["uid"] or 0,
        sandbox["limits"]["tmp_mb"],
        sandbox["site_packages"],
        binds,
    )
    limits = dict(sandbox["limits"])
    for name, value in (
        ("RLIMIT_NPROC", limits["processes"]),
        ("RLIMIT_FSIZE", limits["file_mb"] << 20),
        ("RLIMIT_NOFILE", limits["open_files"]),
        ("RLIMIT_CORE", 0),
        ("RLIMIT_AS", _address_space() + (WORKER_MEMORY_MB << 20)),
    ):
        resource.setrlimit(getattr(resource, name), (value, value))
    sandbox_harness.drop_privileges(sandbox["uid"])


def _address_space() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def serve(config: dict) -> None:
    """Import the verifiers, enter the sandbox, report ready, then run tasks until stdin closes."""
    ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    proto_in, proto_out = 0, os.dup(1)
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the protocol
    for name in config["preload"]:
        importlib.import_module(name)
    sandbox = config.get("sandbox")
    if sandbox is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            _isolate(sandbox)
        except OSError as exc:
            write_frame(proto_out, {"id": None, "status": "setup_error", "value": str(exc)})
            return
        # Changing uid cleared the parent-death signal (``unshare --kill-child``'s): set it again.
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    write_frame(proto_out, {"id": None, "status": "ready", "value": None})
    while True:
        request = _read_request(proto_in)
        if request is None:
            return  # the pool closed our stdin
        reply = run_task(request)
        reply["killed"] = end_task(as_init=sandbox is not None)
        write_frame(proto_out, {"id": request["id"], **reply})


if __name__ == "__main__":
    # Started as a file with ``python -I``: make the package importable, nothing else.
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    serve(json.loads(sys.argv[1]))
