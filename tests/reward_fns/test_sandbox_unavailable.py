"""A machine that cannot build the sandbox fails loudly instead of scoring every program 0."""

import json

import pytest

import reward_fns.sandbox as sandbox
from reward_fns import compute_score
from reward_fns.sandbox import SandboxUnavailable


def test_missing_unshare_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    monkeypatch.setattr(sandbox.os.path, "exists", lambda path: False)
    truth = json.dumps({"inputs": [""], "outputs": ["1"]})
    with pytest.raises(SandboxUnavailable, match="util-linux"):
        compute_score("prorl/code/x", "```python\nprint(1)\n```", truth)


def test_namespace_setup_failure_is_a_clear_error(monkeypatch):
    # A stage directory that does not exist makes the harness's mounts fail, as they would on
    # a machine without mount namespaces.
    monkeypatch.setattr(sandbox, "_stage_dir", lambda: "/nonexistent-stage")
    with pytest.raises(SandboxUnavailable, match="cannot build the code sandbox"):
        sandbox.run_tests("print(1)", [""])


def test_grading_workers_that_cannot_be_confined_are_a_clear_error(monkeypatch):
    from reward_fns.worker_pool import KillablePool

    monkeypatch.setattr(sandbox, "_stage_dir", lambda: "/nonexistent-stage")
    pool = KillablePool(1)
    try:
        with pytest.raises(SandboxUnavailable, match="cannot sandbox the grading workers"):
            pool.run("operator", "add", (1, 2), 30)
    finally:
        pool.close()
    unconfined = KillablePool(1, sandboxed=False)  # REWARD_FNS_POOL_SANDBOX=0: the opt-out
    try:
        assert unconfined.run("operator", "add", (1, 2), 30).value == 3
    finally:
        unconfined.close()
