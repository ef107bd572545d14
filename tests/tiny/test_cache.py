"""ensure_tiny_model: reuse on equal inputs, rebuild on changed ones; the warm-up on a few steps."""

import json
import subprocess
import sys
from dataclasses import replace

import pytest

import prorl_verl.tiny.build as build
from prorl_verl.tiny import (
    ChainSumBucket,
    TinyModelSpec,
    WarmupSettings,
    ensure_tiny_model,
    spec_key,
)
from prorl_verl.tiny.build import BUILD_INFO_FILE

FEW_STEPS = WarmupSettings(
    distribution=ChainSumBucket("warmup", 2, 3, 1, 2), steps=20, batch_size=8, lr_warmup_steps=2
)


@pytest.fixture
def builds(monkeypatch):
    """Records every real build ensure_tiny_model starts."""
    calls = []
    real = build.build_tiny_model

    def counting(out_dir, spec, **options):
        calls.append(spec)
        return real(out_dir, spec, **options)

    monkeypatch.setattr(build, "build_tiny_model", counting)
    return calls


def test_second_call_is_a_cache_hit(tmp_path, builds):
    first = ensure_tiny_model(tmp_path, warmup=False, progress=False)
    weights = (first / "model.safetensors").stat().st_mtime_ns
    second = ensure_tiny_model(tmp_path, warmup=False, progress=False)
    assert first == second == tmp_path / "tiny-qwen2-init"
    assert len(builds) == 1
    assert (second / "model.safetensors").stat().st_mtime_ns == weights


@pytest.mark.parametrize(
    "changed",
    [
        TinyModelSpec(seed=7),
        TinyModelSpec(tokenizer_vocab_size=600),
        TinyModelSpec(version="changed"),
    ],
)
def test_changed_input_rebuilds(tmp_path, builds, changed):
    path = ensure_tiny_model(tmp_path, warmup=False, progress=False)
    rebuilt = ensure_tiny_model(tmp_path, warmup=False, spec=changed, progress=False)
    assert rebuilt == path
    assert len(builds) == 2
    record = json.loads((path / BUILD_INFO_FILE).read_text())
    assert record["key"] == spec_key(changed) != spec_key(TinyModelSpec())
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [path.name]


def test_unreadable_record_rebuilds(tmp_path, builds):
    path = ensure_tiny_model(tmp_path, warmup=False, progress=False)
    (path / BUILD_INFO_FILE).write_text("{not json")
    ensure_tiny_model(tmp_path, warmup=False, progress=False)
    assert len(builds) == 2


def test_every_warmup_setting_is_part_of_the_key():
    base = TinyModelSpec().with_warmup(FEW_STEPS)
    keys = {spec_key(base), spec_key(TinyModelSpec())}
    for name, value in [
        ("steps", 21),
        ("learning_rate", 1e-3),
        ("data_seed", 5),
        ("batch_size", 9),
    ]:
        keys.add(spec_key(base.with_warmup(replace(FEW_STEPS, **{name: value}))))
    keys.add(
        spec_key(base.with_warmup(replace(FEW_STEPS, distribution=ChainSumBucket("w", 2, 4, 1, 2))))
    )
    assert len(keys) == 7


def test_warmup_flag_must_agree_with_the_spec(tmp_path):
    with pytest.raises(ValueError, match="warmup=True"):
        ensure_tiny_model(tmp_path, warmup=True, spec=TinyModelSpec(), progress=False)


def test_warmed_up_build_on_a_few_steps(tmp_path):
    spec = TinyModelSpec().with_warmup(FEW_STEPS)
    path = ensure_tiny_model(tmp_path, warmup=True, spec=spec, progress=False)
    assert path == tmp_path / "tiny-qwen2-base"
    record = json.loads((path / BUILD_INFO_FILE).read_text())
    assert record["warmup"]["steps"] == 20
    # a random model starts near ln(vocab) ~ 6; 20 steps already learn the fixed format tokens
    assert record["warmup"]["first_loss"] > 5.0
    assert record["warmup"]["final_loss"] < record["warmup"]["first_loss"] - 1.0


def test_cli(tmp_path):
    help_text = subprocess.run(
        [sys.executable, "-m", "prorl_verl.tiny", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--no-warmup" in help_text and "--out" in help_text
    done = subprocess.run(
        [sys.executable, "-m", "prorl_verl.tiny", "--out", str(tmp_path), "--no-warmup"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == str(tmp_path / "tiny-qwen2-init")
    assert (tmp_path / "tiny-qwen2-init" / "model.safetensors").is_file()


def test_help_answers_without_importing_torch():
    script = (
        "import sys\n"
        "from prorl_verl.tiny.__main__ import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('torch imported:', 'torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert "--no-warmup" in out
    assert out.strip().splitlines()[-1] == "torch imported: False"


def test_warmed_up_builds_are_repeatable(tmp_path):
    spec = TinyModelSpec().with_warmup(replace(FEW_STEPS, steps=8))
    first = ensure_tiny_model(tmp_path / "a", warmup=True, spec=spec, progress=False)
    second = ensure_tiny_model(tmp_path / "b", warmup=True, spec=spec, progress=False)
    weights = [(path / "model.safetensors").read_bytes() for path in (first, second)]
    assert weights[0] == weights[1]
