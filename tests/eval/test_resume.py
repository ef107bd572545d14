"""Resume: a stopped run continues with the prompts it had not stored, a rerun samples nothing,
and the samples equal those of a run never interrupted."""

from dataclasses import replace

import pytest

import prorl_verl.eval.hf_sampler as hf_sampler
from prorl_verl.eval.runner import EvalConfig, ModelSpec, run_eval
from prorl_verl.eval.samplers import SamplingSettings


class Stop(Exception):
    pass


@pytest.fixture
def sampled_prompts(monkeypatch):
    """Every prompt handed to the real sampler, and how often a model was loaded."""
    calls = {"prompts": [], "loads": 0}
    real_sample, real_load = hf_sampler.sample_completions, hf_sampler.load_model

    def sample(model, tokenizer, prompts, n, **kwargs):
        calls["prompts"] += [p[0]["content"] for p in prompts]
        return real_sample(model, tokenizer, prompts, n, **kwargs)

    def load(*args, **kwargs):
        calls["loads"] += 1
        return real_load(*args, **kwargs)

    monkeypatch.setattr(hf_sampler, "sample_completions", sample)
    monkeypatch.setattr(hf_sampler, "load_model", load)
    return calls


def _config(model_dir, data_file, out_dir):
    return EvalConfig(
        models=[ModelSpec("tiny", str(model_dir))],
        sets=[str(data_file)],
        out_dir=out_dir,
        sampling=SamplingSettings(n=3, temperature=1.0, top_p=0.95, max_new_tokens=10),
        backend="hf",
    )


def test_interrupted_run_resumes_without_repeating_a_generation(
    tiny_model_dir, tmp_path, sets, sampled_prompts
):
    rows = sets.rows("basic_arithmetic", 5, seed=3)
    data_file = sets.write(tmp_path / "arith.parquet", rows)
    questions = [r["prompt"][0]["content"] for r in rows]
    config = _config(tiny_model_dir, data_file, tmp_path / "out")
    store = tmp_path / "out" / "generations" / "tiny" / "arith.jsonl"

    def stop_after_three(model, set_name, index):
        if index == 2:
            raise Stop

    with pytest.raises(Stop):
        run_eval(config, on_prompt_stored=stop_after_three)
    assert sampled_prompts["prompts"] == questions[:3]
    first_part = store.read_bytes()
    assert first_part.count(b"\n") == 3

    report = run_eval(config)
    assert sampled_prompts["prompts"] == questions  # prompts 3 and 4 only, each once
    assert store.read_bytes().startswith(first_part)
    assert [p.index for p in report.results["arith"]["tiny"]] == [0, 1, 2, 3, 4]

    loads = sampled_prompts["loads"]
    run_eval(config)  # everything stored: re-scored only, the model is not even loaded
    assert sampled_prompts["prompts"] == questions and sampled_prompts["loads"] == loads
    assert store.read_bytes().startswith(first_part) and store.read_bytes().count(b"\n") == 5

    # a shorter --limit reads the prompts it needs from the longer run's store
    limited = run_eval(replace(config, limit=2))
    assert [p.index for p in limited.results["arith"]["tiny"]] == [0, 1]
    assert sampled_prompts["prompts"] == questions and sampled_prompts["loads"] == loads

    # per-prompt seeds: the same samples as a run that was never stopped
    fresh = _config(tiny_model_dir, data_file, tmp_path / "fresh")
    run_eval(fresh)
    assert (
        tmp_path / "fresh" / "generations" / "tiny" / "arith.jsonl"
    ).read_bytes() == store.read_bytes()
