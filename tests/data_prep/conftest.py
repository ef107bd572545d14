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
