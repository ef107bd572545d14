"""The program that runs inside the code sandbox (standard library only).

Started by ``sandbox.py`` as process 1 of fresh PID, mount, network, IPC and UTS namespaces,
still root inside them, with a JSON job on stdin (the code and the test *inputs* — the
expected outputs never enter the sandbox). It then:

1. builds a new root filesystem from read-only bind mounts (/usr, /etc, the Python install and
   the environment's site-packages), a private size-limited tmpfs at /tmp as the only writable place, a fresh
   /proc of the new PID namespace and a handful of /dev nodes; ``pivot_root``s into it and
   detaches the old root, so nothing else on the machine is visible;
2. sets resource limits, drops to an unprivileged uid of its own (root mode) or drops every
   capability (user-namespace mode), forbids new privileges and becomes non-dumpable, so the
   code can neither ptrace nor read this process;
3. compiles the code once (a syntax error ends the job) and runs the tests one after the
   other, each in a forked child with its own stdin/stdout files, until the shared budget
   ends. After every test it kills every other process in the namespace (``kill(-1)``), so a
   detached daemon cannot outlive its test.

For each test it writes one JSON line to the result pipe: the exit status and the program's
stdout, or, for call-based tests, the JSON of the returned value — each read only up to the
test's cap from the job (the scorer sizes it from the expected output); longer output is
reported as ``too_long`` without being read. The scorer compares with the expected output.
"""

from __future__ import annotations

import builtins
import ctypes
import json
import os
import platform
import resource
import select
import signal
import sys
import time

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1,
    2,
    4,
    32,
    4096,
    16384,
    1 << 18,
)
MNT_DETACH = 2
PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP = 4, 38, 24
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}
DEV_NODES = ("null", "zero", "full", "random", "urandom")


def to_jsonable(value):
    """Returned values as JSON: tuples become lists, sets sorted lists, the rest their repr."""
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        items = [to_jsonable(item) for item in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    return repr(value)


# --- building the sandbox (runs as root inside the new namespaces) -------------------------

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _c_str(text: str | None) -> bytes | None:
    return None if text is None else text.encode()


def _mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    result = _libc.mount(
        _c_str(source), _c_str(target), _c_str(fstype), ctypes.c_ulong(flags), _c_str(data)
    )
    _check(result, f"mount {target}")


def _bind_read_only(source: str, target: str) -> None:
    _mount(source, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def build_root(
    stage: str, uid: int, tmp_mb: int, site_packages: str, extra_read_only: list[str] = ()
) -> None:
    """Assemble the sandbox's filesystem under ``stage`` and pivot into it."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=755")
    shared = [
        "/usr",
        "/etc",
        sys.base_prefix,
        sys.prefix,
        site_packages,
        os.path.dirname(os.path.realpath(sys.executable)),
        *extra_read_only,
    ]
    for top in ("/bin", "/lib", "/lib64", "/sbin"):
        if os.path.islink(top):
            os.symlink(os.readlink(top), stage + top)
        elif os.path.isdir(top):
            shared.append(top)
    # The private /tmp first: when Python itself lives under /tmp (a checkout there), its
    # read-only binds below then land inside this tmpfs instead of being hidden by it.
    os.makedirs(stage + "/tmp")
    _mount(
        "tmpfs",
        stage + "/tmp",
        "tmpfs",
        MS_NOSUID | MS_NODEV,
        f"size={tmp_mb}m,mode=700,uid={uid},gid={uid}",
    )
    bound: list[str] = []
    for path in sorted({os.path.realpath(p) for p in shared if os.path.isdir(p)}):
        if any(path.startswith(parent + "/") for parent in bound):
            continue  # already visible through an earlier bind
        bound.append(path)
        os.makedirs(stage + path, exist_ok=True)
        _bind_read_only(path, stage + path)
    os.makedirs(stage + "/proc")
    _mount("proc", stage + "/proc", "proc", MS_NOSUID | MS_NODEV | 8)
    os.makedirs(stage + "/dev")
    for node in DEV_NODES:
        open(stage + "/dev/" + node, "w").close()
        _mount("/dev/" + node, stage + "/dev/" + node, None, MS_BIND)
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
    ):
        os.symlink(target, stage + "/dev/" + name)
    os.symlink("/proc/self/fd/2", stage + "/dev/stderr")
    _mount(None, stage, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(stage)
    machine = platform.machine()
    _check(_libc.syscall(SYS_PIVOT_ROOT[machine], b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/tmp")


def drop_privileges(uid: int | None) -> None:
    """Root mode: become ``uid`` (no groups, no capabilities left). User-namespace mode
    (``uid`` None): keep the mapped uid but drop every capability."""
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    else:
        for cap in range(64):
            _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: all empty
        _check(_libc.syscall(SYS_CAPSET[platform.machine()], header, data), "capset")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    _check(_libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "dumpable")


def _set_limits(limits: dict) -> None:
    mib = 1 << 20
    for name, value in (
        ("RLIMIT_AS", limits["memory_mb"] * mib),
        ("RLIMIT_NPROC", limits["processes"]),
        ("RLIMIT_FSIZE", limits["file_mb"] * mib),
        ("RLIMIT_NOFILE", limits["open_files"]),
        ("RLIMIT_CPU", limits["cpu_s"]),
        ("RLIMIT_CORE", 0),
    ):
        resource.setrlimit(getattr(resource, name), (value, value))


# --- running the tests ---------------------------------------------------------------------


def _run_child(job: dict, code, test_input) -> None:
    """In the forked child: wire stdin/stdout to files, run the code, exit with its status."""
    try:
        os.setsid()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        stdin_fd = os.open("/tmp/.stdin", os.O_RDONLY)
        stdout_fd = os.open("/tmp/.stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null_fd = os.open("/dev/null", os.O_WRONLY)
        os.dup2(stdin_fd, 0)
        os.dup2(stdout_fd, 1)
        os.dup2(null_fd, 2)
        os.closerange(3, 1 << 16)
        sys.stdin = open(0, encoding="utf-8", errors="replace", closefd=False)
        sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
        sys.stderr = open(2, "w", closefd=False)
        sys.path.append(
            job["site_packages"]
        )  # started with -S: put the environment's packages back
        namespace = {
            "__name__": "__main__" if job["mode"] == "stdio" else "solution",
            "__builtins__": builtins,
        }
        exec(code, namespace)
        if job["mode"] == "call":
            function = namespace.get(job["fn_name"])
            if not callable(function):
                function = getattr(namespace["Solution"](), job["fn_name"])
            returned = function(*test_input)
            with open("/tmp/.return", "w", encoding="utf-8") as out:
                out.write(json.dumps(to_jsonable(returned)))
        status = 0
    except SystemExit as exc:
        status = 0 if exc.code in (None, 0) else 1
    except BaseException:
        status = 1
    try:
        sys.stdout.flush()
    except BaseException:
        status = 1
    os._exit(status)


def _wait(pid: int, deadline: float) -> int | None:
    """The child's wait status, or None when the deadline came first."""
    pidfd = os.pidfd_open(pid)
    try:
        select.select([pidfd], [], [], max(0.0, deadline - time.monotonic()))
        reaped, status = os.waitpid(pid, os.WNOHANG)
        return status if reaped else None
    finally:
        os.close(pidfd)


def kill_everything_else() -> bool:
    """As process 1 of the namespace, ``kill(-1)`` reaches every other process in it; True
    when there was one."""
    try:
        os.kill(-1, signal.SIGKILL)
        found = True
    except ProcessLookupError:
        found = False
    while True:
        try:
            if os.waitpid(-1, 0)[0] == 0:
                break
        except ChildProcessError:
            break
    return found


def _read_capped(path: str, cap: int) -> str | None:
    """The file's text, or None when it holds more than ``cap`` bytes (then nothing is read)."""
    try:
        with open(path, "rb") as f:
            data = f.read(cap + 1)
    except OSError:
        return ""
    return None if len(data) > cap else data.decode("utf-8", "replace")


def _run_test(job: dict, code, test_input, cap: int, deadline: float) -> dict:
    with open("/tmp/.stdin", "w", encoding="utf-8") as f:
        f.write(test_input if job["mode"] == "stdio" else "")
    for leftover in ("/tmp/.stdout", "/tmp/.return"):
        if os.path.exists(leftover):
            os.unlink(leftover)
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        _run_child(job, code, test_input)
    status = _wait(pid, deadline)
    kill_everything_else()
    if status is None:
        return {"status": "timeout"}
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return {"status": "failed"}
    output = _read_capped("/tmp/.stdout" if job["mode"] == "stdio" else "/tmp/.return", cap)
    if output is None:
        return {"status": "too_long"}
    return {"status": "ok", "output": output}


def main() -> None:
    job = json.loads(sys.stdin.buffer.read())
    start = time.monotonic()
    results = os.dup(1)
    null = os.open("/dev/null", os.O_RDWR)
    os.dup2(null, 0)
    os.close(null)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    out = os.fdopen(results, "w", encoding="utf-8")
    try:
        build_root(job["stage"], job["uid"] or 0, job["limits"]["tmp_mb"], job["site_packages"])
        _set_limits(job["limits"])
        drop_privileges(job["uid"])
    except OSError as exc:  # the machine, not the code: reported as such
        out.write(json.dumps({"setup_error": str(exc)}) + "\n")
        return
    deadline = start + job["budget_s"]

    def emit(record: dict) -> None:
        out.write(json.dumps(record) + "\n")
        out.flush()

    try:
        code = compile(job["code"], "<solution>", "exec")
    except BaseException as exc:  # SyntaxError, ValueError (NUL bytes), RecursionError, MemoryError
        emit({"syntax_error": f"{type(exc).__name__}: {exc}"[:500]})
        return
    emit({"compiled": True})
    for index, (test_input, cap) in enumerate(zip(job["inputs"], job["output_caps"], strict=True)):
        if time.monotonic() >= deadline:
            break
        emit({"test": index, **_run_test(job, code, test_input, cap, deadline)})


if __name__ == "__main__":
    main()
