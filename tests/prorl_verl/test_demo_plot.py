"""Reading a run's metrics back: every launch of the run, a killed launch's last line left out."""

import json

from prorl_verl.demo_plot import read_run_metrics


def line(step: int, **data) -> str:
    return json.dumps({"step": step, "data": data}) + "\n"


def test_launches_merge_by_step_and_an_unfinished_last_line_is_left_out(tmp_path):
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    # launch 1 was killed while writing step 3; launch 2 redid step 3 and went on
    (metrics / "launch-1.jsonl").write_text(
        line(1, loss=1.0) + line(2, loss=0.5) + '{"step": 3, "data": {"lo'
    )
    (metrics / "launch-2.jsonl").write_text(line(3, loss=0.25) + line(4, loss=0.125))

    assert read_run_metrics(tmp_path) == {
        1: {"loss": 1.0},
        2: {"loss": 0.5},
        3: {"loss": 0.25},
        4: {"loss": 0.125},
    }


def test_a_run_without_metrics_has_no_steps(tmp_path):
    assert read_run_metrics(tmp_path) == {}
