"""The generation store: durable appends, resume, and refusal of stale or foreign files."""

import json
import logging

import pytest

from prorl_verl.eval.completion import Completion
from prorl_verl.eval.store import GenerationStore, prompt_sha256

SETTINGS = {
    "model": "/m",
    "data_file": "/d.parquet",
    "n": 2,
    "temperature": 0.6,
    "top_p": 0.95,
    "max_new_tokens": 8,
    "seed": 0,
}
PROMPTS = [[{"role": "user", "content": f"question {i}"}] for i in range(3)]
HASHES = [prompt_sha256(p) for p in PROMPTS]
PAIR = [Completion("a <answer>1</answer>", 5, True), Completion("b", 8, False)]


def test_appended_prompts_come_back_in_a_new_store(tmp_path):
    path = tmp_path / "gen" / "set.jsonl"
    store = GenerationStore(path, SETTINGS)
    assert store.load(HASHES) == {}
    store.append(2, HASHES[2], PAIR)
    store.append(0, HASHES[0], PAIR[::-1])
    again = GenerationStore(path, dict(SETTINGS))
    assert again.load(HASHES) == {2: PAIR, 0: PAIR[::-1]}
    lines = path.read_text().splitlines()
    assert [json.loads(line)["index"] for line in lines] == [2, 0]
    assert json.loads(path.with_suffix(".meta.json").read_text()) == SETTINGS


def test_a_torn_last_line_is_cut_off_with_a_warning(tmp_path, caplog):
    path = tmp_path / "set.jsonl"
    store = GenerationStore(path, SETTINGS)
    store.append(0, HASHES[0], PAIR)
    good = path.read_bytes()
    with open(path, "ab") as handle:
        handle.write(b'{"index": 1, "prompt_sha256": "')  # the process died here
    with caplog.at_level(logging.WARNING):
        assert GenerationStore(path, SETTINGS).load(HASHES) == {0: PAIR}
    assert "incomplete" in caplog.text
    assert path.read_bytes() == good
    store.append(1, HASHES[1], PAIR)
    assert sorted(GenerationStore(path, SETTINGS).load(HASHES)) == [0, 1]


def test_other_sampling_settings_are_refused(tmp_path):
    GenerationStore(tmp_path / "set.jsonl", SETTINGS)
    with pytest.raises(ValueError, match="differs in: n, temperature"):
        GenerationStore(tmp_path / "set.jsonl", {**SETTINGS, "n": 4, "temperature": 1.0})


def test_generations_of_a_changed_prompt_are_refused(tmp_path):
    path = tmp_path / "set.jsonl"
    GenerationStore(path, SETTINGS).append(1, HASHES[1], PAIR)
    changed = [
        HASHES[0],
        prompt_sha256([{"role": "user", "content": "another question"}]),
        HASHES[2],
    ]
    with pytest.raises(ValueError, match=r"line 1: prompt 1 differs"):
        GenerationStore(path, SETTINGS).load(changed)
    with pytest.raises(ValueError, match="outside the eval set"):
        GenerationStore(path, SETTINGS).load(HASHES[:1])


def test_corrupt_or_duplicate_lines_are_errors_naming_the_line(tmp_path):
    path = tmp_path / "set.jsonl"
    store = GenerationStore(path, SETTINGS)
    store.append(0, HASHES[0], PAIR)
    store.append(0, HASHES[0], PAIR)
    with pytest.raises(ValueError, match="line 2: prompt 0 is stored twice"):
        store.load(HASHES)
    path.write_text('{"index": 0}\n')
    with pytest.raises(ValueError, match="line 1: not a generation record"):
        store.load(HASHES)
