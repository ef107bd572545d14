"""The committed records redraw the numbers docs/repro.md quotes, from the committed base."""

import json
import shutil
from pathlib import Path

import pytest

from prorl_verl.repro import record
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
def full_report(tmp_path_factory) -> str:
    """The full study's report as its record redraws it (drawn once)."""
    return redraw("repro_full_record", tmp_path_factory.mktemp("full"), "--full")


@pytest.mark.parametrize(
    "documented",
    [
        # docs/repro.md, "1. Boundary": KL + reset every 20 steps at step 200, three seeds
        "| hard | 1 | 0.219 | 0.320 ± 0.003 | 0.101 ± 0.003 | shown: higher by 0.101",
        "| ood | 64 | 0.844 | 0.750 ± 0.027 | -0.094 ± 0.027 | shown: lower by 0.094",
        "| hard | 64 | 0.766 | 0.818 ± 0.024 | 0.052 ± 0.024 | not shown at this scale",
        # "Prompt by prompt"
        "| hard | never | 17.1 | 0.007 | 0.154 ± 0.029 | 0.121 | 0.616 ± 0.039 | 0.494 ± 0.039 "
        "| shown: higher",
        "| hard | under 1/4 | 21.5 | 0.125 | 0.243 ± 0.013 | 0.904 | 0.760 ± 0.053 | -0.145 ± 0.053 "
        "| shown: lower",
        # "2. Prolonged"
        "hard-bucket pass@1, step 200 − step 100: 0.014 ± 0.015 → not shown at this scale",
        # "3. KL and reset"
        "| KL | 0.3 | 3 | 0.561 ± 0.007 | 0.625 ± 0.002 | 0.020 ± 0.001 | 0.648 ± 0.006 |",
        "| KL − no KL | late entropy | 0.011 ± 0.003 | shown: higher by 0.011",
        "| KL − no KL | late reward | -0.017 ± 0.011 | not shown at this scale",
        "| KL + reset every 20 steps − KL | late reward | 0.013 ± 0.011 | not shown at this scale",
        "| KL + reset on validation plateau − KL | hard pass@1 | 0.026 ± 0.040 | not shown at",
    ],
)
def test_the_full_record_gives_the_documented_numbers(full_report, documented):
    assert "Runs finished: 12 of 12" in full_report
    assert documented in full_report
