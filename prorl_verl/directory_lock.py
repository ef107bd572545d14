"""One writer per output directory.

A study (``make repro``) and an evaluation (``prorl_verl.eval --out``) append records to files
they later read back as a whole. Two processes pointed at the same directory would interleave
their records (a prompt stored twice, a run trained by two trainers), so the second one stops
at once, naming the directory and the process holding it. The lock is the kernel's
(``flock``): it goes with the process, also when that process is killed.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".lock"


class DirectoryInUse(RuntimeError):
    pass


@contextmanager
def exclusive(directory: Path, what: str) -> Iterator[None]:
    """Hold ``directory`` for this process while the block runs; ``what`` names the work."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK_FILE
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise DirectoryInUse(
                f"{directory} is in use by another {what} (process {holder}); wait for it to "
                "end, or write elsewhere"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
