"""The recipes compose verl's configs whatever directory the launcher starts in."""

import subprocess
import sys


def test_a_dry_run_from_outside_the_repository_resolves_verls_keys(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "prorl_verl.launch", "stage1", "--dry-run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # keys that only verl's ppo_trainer defines, with the values stage 1 gives them
    assert "clip_ratio_high: 0.4" in done.stdout
    assert "strategy: fsdp2" in done.stdout
