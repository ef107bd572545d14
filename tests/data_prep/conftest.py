"""Shared helpers for the data_prep tests: fixture paths and running the CLI in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data_prep"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def run_cli():
    """Run ``python -m data_prep`` in-process; returns the exit code."""
    from data_prep.cli import main

    return lambda *argv: main([str(a) for a in argv])


@pytest.fixture
def read_stats():
    return lambda out, source: json.loads((Path(out) / source / "stats.json").read_text())


HUB_FIXTURE = {
    "aime24": "aime24.parquet",
    "aime25": "aime25.jsonl",
    "amc": "amc.parquet",
    "math500": "math500.jsonl",
    "minerva": "minerva.parquet",
    "olympiadbench": "olympiadbench.parquet",
    "code_val": "eurus_validation.parquet",
    "humaneval_plus": "humanevalplus.parquet",
    "livecodebench": "livecodebench.jsonl",
    "gpqa": "gpqa.parquet",
    "ifeval_eval": "ifeval.parquet",
    "math": "deepscaler.json",
    "code": "eurus_train.parquet",
    "stem": "scp.parquet",
    "ifeval": "nemotron_if.jsonl",
}
SMALL = (
    "--rg-train-per-task",
    1,
    "--rg-val-per-task",
    1,
    "--rg-test-per-task",
    1,
    "--graph-color-per-size",
    2,
)


@pytest.fixture
def hub_fixture() -> dict[str, str]:
    """The fixture file standing in for each hub source."""
    return dict(HUB_FIXTURE)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Everything `python -m data_prep all` builds, with each hub dataset read from its fixture."""
    from data_prep import build, catalog
    from data_prep.cli import main
    from data_prep.records import read_local

    fixtures = FIXTURES
    by_spec = {
        source.hub: fixtures / HUB_FIXTURE[source.name]
        for source in catalog.SOURCES
        if hasattr(source, "hub")
    }
    assert len(by_spec) == len(HUB_FIXTURE)  # every hub source has its own dataset spec
    out = tmp_path_factory.mktemp("all")
    original = build.read_hub
    build.read_hub = lambda spec: read_local(by_spec[spec])
    try:
        assert main(["all", "--out", str(out), "--workers", "2", *map(str, SMALL)]) == 0
    finally:
        build.read_hub = original
    return out
