"""Retention of reference snapshots: the newest ``keep`` stay, the one in use always."""

from prorl_verl.reset.snapshots import prune_snapshots


def snapshots(folder, *steps):
    for step in steps:
        (folder / f"step_{step}").mkdir(parents=True)
        (folder / f"step_{step}" / ".metadata").write_text("")
    return folder


def remaining(folder):
    return sorted(int(p.name[5:]) for p in folder.iterdir())


def test_keeps_the_newest_by_reset_step_not_by_name(tmp_path):
    folder = snapshots(tmp_path, 3, 9, 11, 100)  # "step_100" sorts before "step_11" by name
    removed = prune_snapshots(folder, keep=2, current=folder / "step_100")
    assert sorted(p.name for p in removed) == ["step_3", "step_9"]
    assert remaining(folder) == [11, 100]


def test_the_snapshot_in_use_is_never_removed(tmp_path):
    folder = snapshots(tmp_path, 3, 9, 11)
    prune_snapshots(folder, keep=1, current=folder / "step_3")
    assert remaining(folder) == [3, 11]


def test_zero_keeps_everything(tmp_path):
    folder = snapshots(tmp_path, 3, 9, 11)
    assert prune_snapshots(folder, keep=0, current=folder / "step_11") == []
    assert remaining(folder) == [3, 9, 11]
