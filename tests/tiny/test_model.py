"""The tiny model directory loads through transformers and verl and generates."""

import torch
from transformers import Qwen2ForCausalLM

from prorl_verl.tiny import TinyModelSpec, build_tiny_model, generate_problems, prompt_messages


def test_architecture(model, tokenizer):
    assert isinstance(model, Qwen2ForCausalLM)
    config = model.config
    assert (config.hidden_size, config.num_hidden_layers, config.intermediate_size) == (128, 4, 512)
    assert config.vocab_size == len(tokenizer)
    assert config.eos_token_id == tokenizer.eos_token_id
    # 4 layers x (4*128*128 attention + 3*128*512 MLP) is about 1.05M, plus the tied embedding
    assert 1.0e6 < sum(p.numel() for p in model.parameters()) < 1.3e6
    assert model.get_input_embeddings().weight is model.get_output_embeddings().weight


def test_generates_from_a_chat_prompt(model, tokenizer):
    entry = generate_problems("hard", 1, seed=11)[0]
    inputs = tokenizer.apply_chat_template(
        prompt_messages(entry), add_generation_prompt=True, return_tensors="pt"
    )
    torch.manual_seed(0)
    output = model.generate(**inputs, max_new_tokens=8, do_sample=True)
    assert output.shape[1] > inputs["input_ids"].shape[1]
    assert torch.equal(output[0, : inputs["input_ids"].shape[1]], inputs["input_ids"][0])


def test_verl_loads_the_directory(init_model_dir):
    from verl.workers.config.model import HFModelConfig

    config = HFModelConfig(
        path=str(init_model_dir), override_config={"attn_implementation": "sdpa"}
    )
    assert config.tokenizer.eos_token_id == config.hf_config.eos_token_id
    assert config.generation_config.eos_token_id == config.tokenizer.eos_token_id
    assert config.hf_config.architectures == ["Qwen2ForCausalLM"]
    assert config.processor is None


def _files(directory):
    return {
        name: (directory / name).read_bytes() for name in ("tokenizer.json", "model.safetensors")
    }


def test_same_seed_same_files_other_seed_other_weights(tmp_path, init_model_dir):
    build_tiny_model(tmp_path / "again", TinyModelSpec(), progress=False)
    assert _files(tmp_path / "again") == _files(init_model_dir)
    build_tiny_model(tmp_path / "other", TinyModelSpec(seed=1), progress=False)
    assert (
        _files(tmp_path / "other")["model.safetensors"]
        != _files(init_model_dir)["model.safetensors"]
    )


def test_building_leaves_the_global_rng_alone(tmp_path):
    torch.manual_seed(1234)
    expected = torch.rand(3)
    torch.manual_seed(1234)
    build_tiny_model(tmp_path / "m", TinyModelSpec(), progress=False)
    assert torch.equal(torch.rand(3), expected)
