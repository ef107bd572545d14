"""The committed records redraw the numbers docs/repro.md quotes, from the committed base."""

import json
import shutil
from pathlib import Path

import pytest

from prorl_verl.repro import record
from prorl_verl.repro import results as R
from prorl_verl.repro.__main__ import COMMITTED_BASE, main

DOCS = Path(__file__).resolve().parents[2] / "docs"


def redraw(record_name: str, tmp_path: Path, *options: str) -> str:
    """``make repro [FULL=1] ARGS='--record docs/<record_name> --report-only'`` on a copy."""
    copy = tmp_path / record_name
    shutil.copytree(DOCS / record_name, copy)
    main([*options, "--run-dir", str(tmp_path / "runs"), "--record", str(copy), "--report-only"])
    study = "full" if "--full" in options else "quick"
    return (tmp_path / "runs" / study / "report" / "results.md").read_text()


@pytest.mark.parametrize("record_name", ["repro_quick_record", "repro_full_record"])
def test_each_record_started_from_the_committed_base(record_name):
    identity = json.loads((DOCS / record_name / "study.json").read_text())
    assert identity == {
        "base_model_sha256": record.base_model_sha256(COMMITTED_BASE),
        "overrides": [],
    }
    assert identity["base_model_sha256"].startswith("364d2d1c")  # as docs/repro.md names it


def test_the_quick_record_gives_the_documented_tables(tmp_path):
    text = redraw("repro_quick_record", tmp_path)
    assert "Runs finished: 3 of 3" in text
    # docs/repro.md, "pass@k": base, no KL, KL, KL + reset at step 40 (report order: arms)
    assert "| hard | 1 | 0.194 | 0.238 | 0.259 | 0.266 |" in text
    assert "| ood | 32 | 0.812 | 0.750 | 0.812 | 0.719 |" in text
    # the KL + reset run along its checkpoints
    assert "| hard | 32 | 0.688 | 0.812 | 0.844 |" in text


@pytest.fixture(scope="module")
def full_study(tmp_path_factory) -> Path:
    """The full study's folder as its record restores it (the report drawn once)."""
    tmp_path = tmp_path_factory.mktemp("full")
    redraw("repro_full_record", tmp_path, "--full")
    return tmp_path / "runs" / "full"


@pytest.mark.parametrize(
    ("model", "eval_set", "k", "documented"),
    [
        ("base", "chain_sum_hard", 1, 0.219),
        ("base", "chain_sum_ood", 64, 0.844),
        ("kl_reset-s1@100", "chain_sum_hard", 1, 0.313),
        ("kl_reset-s1@200", "chain_sum_hard", 1, 0.323),
        ("kl_reset-s1@200", "chain_sum_ood", 64, 0.766),
        ("no_kl-s1@200", "chain_sum_ood", 64, 0.656),
        ("kl-s1@200", "chain_sum_hard", 64, 0.859),
    ],
)
def test_the_full_record_gives_the_documented_seed_1_numbers(
    full_study, model, eval_set, k, documented
):
    assert R.pass_at_ks(full_study / "eval", model, eval_set)[k] == pytest.approx(
        documented, abs=5e-4
    )
