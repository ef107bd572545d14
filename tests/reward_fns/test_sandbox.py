"""Escape attempts against the code sandbox, really attempted, checked from outside."""

import json
import os
import secrets
import signal
import socket
import sys
import threading

import pytest

import reward_fns.sandbox as sandbox
from reward_fns import compute_score
from reward_fns.sandbox import run_tests

SANDBOX_UIDS = range(1 << 20, 1 << 30)


def grade(code, inputs, outputs):
    truth = json.dumps({"inputs": inputs, "outputs": outputs})
    return compute_score("prorl/code/escape", f"```python\n{code}\n```", truth)


def sandbox_processes() -> list[int]:
    """Host processes running under a sandbox uid (there must be none after a run)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as f:
                uid = next(int(line.split()[1]) for line in f if line.startswith("Uid:"))
        except (OSError, StopIteration):
            continue
        if uid in SANDBOX_UIDS:
            found.append(int(pid))
    return found


@pytest.mark.timeout(60)
def test_fork_bomb_is_contained_and_leaves_nothing_behind():
    code = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
    result = grade(code, [""], ["x"])
    assert result["score"] == 0.0
    assert sandbox_processes() == []


@pytest.mark.timeout(60)
def test_detached_daemon_does_not_survive():
    code = (
        "import os, time\n"
        "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(600)\n    os._exit(0)\n"
        "print('done')"
    )
    assert grade(code, [""], ["done"])["score"] == 1.0  # the program itself ends normally
    assert sandbox_processes() == []


def test_memory_bomb_is_refused():
    code = "try:\n    x = bytearray(16 * 1024**3)\n    print('allocated')\nexcept MemoryError:\n    print('refused')"
    assert grade(code, [""], ["refused"])["score"] == 1.0


def test_writes_outside_the_private_directory_fail(tmp_path):
    venv_file = os.path.join(sys.prefix, "escaped")
    targets = [
        str(tmp_path / "escaped"),
        "/dev/shm/escaped",
        "/var/tmp/escaped",
        "/etc/escaped",
        venv_file,
    ]
    code = (
        "import sys\nfor path in sys.stdin.read().split():\n"
        "    try:\n        open(path, 'w').write('x')\n        print('WROTE', path)\n"
        "    except OSError:\n        print('blocked')\n"
        "open('/tmp/reward_fns_private', 'w').write('fine')\nprint(open('/tmp/reward_fns_private').read())"
    )
    result = grade(code, ["\n".join(targets)], ["blocked\n" * len(targets) + "fine"])
    assert result["score"] == 1.0  # every outside write failed, the private /tmp worked
    assert not any(os.path.exists(t) for t in [*targets, "/tmp/reward_fns_private"])


def test_no_socket_reaches_localhost_or_a_unix_socket(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    unix_path = str(tmp_path / "sock")
    unix_server = socket.socket(socket.AF_UNIX)
    unix_server.bind(unix_path)
    os.chmod(unix_path, 0o777)
    unix_server.listen()
    unix_server.settimeout(0.2)
    port = server.getsockname()[1]
    code = (
        "import socket, sys\nport, path = sys.stdin.read().split()\n"
        "for family, address in ((socket.AF_INET, ('127.0.0.1', int(port))), (socket.AF_UNIX, path)):\n"
        "    s = socket.socket(family)\n    s.settimeout(1)\n"
        "    try:\n        s.connect(address)\n        print('connected')\n"
        "    except OSError:\n        print('unreachable')\n"
    )
    try:
        assert grade(code, [f"{port} {unix_path}"], ["unreachable\nunreachable"])["score"] == 1.0
        for listener in (server, unix_server):
            with pytest.raises(TimeoutError):
                listener.accept()
    finally:
        server.close()
        unix_server.close()


def test_cannot_signal_the_scorer_or_its_own_supervisor():
    hit = threading.Event()
    previous = signal.signal(signal.SIGUSR1, lambda *_: hit.set())
    code = (
        "import os, signal\nfor pid in (int(input()), os.getppid(), 1):\n"
        "    for sig in (signal.SIGUSR1, signal.SIGKILL):\n"
        "        try:\n            os.kill(pid, sig)\n        except OSError:\n            pass\n"
        "print('still here')"
    )
    try:
        result = grade(code, [str(os.getpid())], ["still here"])
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert not hit.is_set()
    assert result["score"] == 1.0  # the supervisor survived and reported the test


def test_endless_output_is_cut_off_and_other_tests_still_count():
    code = "if input() == 'flood':\n    while True:\n        print('y' * 4096)\nprint('ok')"
    result = grade(code, ["flood", "calm"], ["y", "ok"])
    assert result["score"] == pytest.approx(0.5)


def test_expected_outputs_are_not_readable_from_inside(tmp_path):
    token = "TOKEN-" + secrets.token_hex(16)
    dataset = tmp_path / "train.parquet.json"
    dataset.write_text(json.dumps({"outputs": [token]}))
    os.chmod(tmp_path, 0o755)
    os.chmod(dataset, 0o644)
    code = (
        "import os, re, sys\nfound = []\n"
        "def scan(text):\n    found.extend(re.findall(r'TOKEN-[0-9a-f]{32}', text))\n"
        "scan(str(os.environ))\n"
        "paths = [sys.stdin.read().strip()]\n"
        "for pid in os.listdir('/proc'):\n"
        "    if pid.isdigit():\n"
        "        paths += [f'/proc/{pid}/cmdline', f'/proc/{pid}/environ', f'/proc/{pid}/mem']\n"
        "for root, dirs, files in os.walk('/tmp'):\n    paths += [os.path.join(root, f) for f in files]\n"
        "for path in paths:\n"
        "    try:\n        scan(open(path, errors='replace').read())\n    except Exception:\n        pass\n"
        "print(found[0] if found else 'nothing')"
    )
    result = grade(code, [str(dataset)], [token])
    assert result["score"] == 0.0


def test_sandbox_reports_a_syntax_error_without_running_anything():
    run = run_tests("print(1\n", ["", ""])
    assert run.syntax_error is not None and run.tests == {}


def test_user_namespace_mode_drops_every_capability(monkeypatch, tmp_path):
    """The path taken when the scorer is not root: a user namespace, no capabilities left."""
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    assert "--user" in sandbox.namespace_command(["true"])
    code = (
        "def probe(outside):\n"
        "    import os\n"
        "    status = open('/proc/self/status').read()\n"
        "    result = [status.split('CapEff:')[1].split()[0]]\n"
        "    for path in (outside, '/etc/escaped', '/tmp/inside'):\n"
        "        try:\n            open(path, 'w').write('x')\n            result.append('wrote')\n"
        "        except OSError:\n            result.append('blocked')\n"
        "    return result\n"
    )
    outside = str(tmp_path / "escaped")
    run = sandbox.run_tests(code, [[outside]], fn_name="probe")
    assert json.loads(run.tests[0]["output"]) == [
        "0000000000000000",
        "blocked",
        "blocked",
        "wrote",
    ]
    assert not os.path.exists(outside)
