"""One writer per output directory: a second study or evaluation on the same directory stops
at once with a message naming the directory and the holder; a dead holder frees it."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from prorl_verl.directory_lock import DirectoryInUse, exclusive
from prorl_verl.eval.cli import main as eval_main
from prorl_verl.repro.__main__ import main as repro_main

HOLD = textwrap.dedent(
    """
    import sys, time
    from prorl_verl.directory_lock import exclusive
    with exclusive(sys.argv[1], "test"):
        print("held", flush=True)
        time.sleep(600)
    """
)


@pytest.fixture
def holder(tmp_path):
    """Another process holding a directory until the test ends (or kills it)."""
    processes = []

    def hold(directory):
        process = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(directory)], stdout=subprocess.PIPE, text=True
        )
        assert process.stdout.readline().strip() == "held"
        processes.append(process)
        return process

    yield hold
    for process in processes:
        process.kill()
        process.wait()


def test_a_second_writer_is_refused_naming_the_directory_and_the_holder(tmp_path, holder):
    process = holder(tmp_path / "out")
    with pytest.raises(
        DirectoryInUse,
        match=rf"{tmp_path}/out is in use by another study \(process {process.pid}\)",
    ):
        with exclusive(tmp_path / "out", "study"):
            pass
    with exclusive(tmp_path / "elsewhere", "study"):  # other directories are free
        pass


def test_a_killed_holder_frees_the_directory(tmp_path, holder):
    process = holder(tmp_path / "out")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with exclusive(tmp_path / "out", "study"):
        assert (tmp_path / "out" / ".lock").read_text() == f"{os.getpid()}\n"
    with exclusive(tmp_path / "out", "study"):  # and released when the block ends
        pass


def test_make_repro_and_eval_refuse_a_directory_in_use(tmp_path, holder, chain_sum_data):
    holder(tmp_path / "repro" / "quick")
    with pytest.raises(SystemExit, match=r"error: .*repro/quick is in use by another make repro"):
        repro_main(["--run-dir", str(tmp_path / "repro")])
    repro_main(["--run-dir", str(tmp_path / "repro"), "--report-only"])  # reading is allowed

    holder(tmp_path / "eval")
    with pytest.raises(SystemExit, match=r"error: .*eval is in use by another evaluation"):
        eval_main(
            [
                "--models",
                f"m={tmp_path}",
                "--sets",
                str(chain_sum_data["val"]),
                "--out",
                str(tmp_path / "eval"),
            ]
        )
