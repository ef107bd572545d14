"""The ``hf`` rollout server batches verl's one-by-one requests into few ``generate`` calls."""

import asyncio
from types import SimpleNamespace

import pytest
import torch
from transformers import AutoTokenizer

from prorl_verl.cpu.hf_rollout import BATCH_QUIET_S, HFGenerateServer
from prorl_verl.tiny.cache import ensure_tiny_model

MAX_TOKENS = 6


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return ensure_tiny_model(tmp_path_factory.mktemp("models"), warmup=False, progress=False)


@pytest.fixture
def server(model_dir):
    config = SimpleNamespace(prompt_length=64, response_length=16)
    server = HFGenerateServer(config, {"path": str(model_dir)})
    calls = []
    generate_batch = server._generate_batch

    def counted(key, requests):
        calls.append((key, len(requests)))
        return generate_batch(key, requests)

    server._generate_batch = counted
    server.calls = calls
    return server


@pytest.fixture(scope="module")
def prompt(model_dir):
    return AutoTokenizer.from_pretrained(model_dir).encode("3 + 4 =")


async def request(server, prompt, delay: float, temperature: float = 1.0):
    await asyncio.sleep(delay)
    params = {"temperature": temperature, "top_p": 1.0, "max_tokens": MAX_TOKENS}
    return await server.generate(prompt_ids=prompt, sampling_params=params, request_id="r")


@pytest.mark.asyncio
async def test_requests_arriving_one_by_one_share_one_generate_call(server, prompt):
    # verl's agent loop sends a step's requests one at a time; here 12 requests over
    # 12 x BATCH_QUIET_S / 2 seconds, longer than the quiet window, but never a gap as long
    gap = BATCH_QUIET_S / 2
    outputs = await asyncio.gather(*(request(server, prompt, i * gap) for i in range(12)))
    assert [size for _, size in server.calls] == [12]
    eos = set(server.eos_token_ids)
    for output in outputs:
        assert 1 <= len(output.token_ids) <= MAX_TOKENS
        assert not eos & set(output.token_ids[:-1])  # cut after the first EOS


@pytest.mark.asyncio
async def test_requests_after_a_pause_form_a_new_batch(server, prompt):
    first = [request(server, prompt, 0.0) for _ in range(3)]
    second = [request(server, prompt, 20 * BATCH_QUIET_S) for _ in range(2)]
    await asyncio.gather(*first, *second)
    assert sorted(size for _, size in server.calls) == [2, 3]


@pytest.mark.asyncio
async def test_different_sampling_settings_are_generated_apart(server, prompt):
    await asyncio.gather(
        request(server, prompt, 0.0, temperature=1.0),
        request(server, prompt, 0.0, temperature=1.0),
        request(server, prompt, 0.0, temperature=0.0),
    )
    by_temperature = {key[0]: size for key, size in server.calls}
    assert by_temperature == {1.0: 2, 0.0: 1}


def test_repeated_prompts_decode_as_each_prompt_alone(server, model_dir):
    # verl sends a prompt's n samples as n requests; greedy answers equal those of each
    # prompt generated on its own, unpadded
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    prompts = [tokenizer.encode(text) for text in ("3 + 4 =", "12 - 5 + 30 - 2 =", "7 =")]
    requests = [(prompts[i], None) for i in (0, 1, 0, 2, 1, 0)]
    answers = server._generate_batch((0.0, 1.0, -1, 1.0, MAX_TOKENS), requests)
    for (prompt, _), answer in zip(requests, answers, strict=True):
        alone = server.model.generate(
            input_ids=torch.tensor([prompt]),
            do_sample=False,
            max_new_tokens=MAX_TOKENS,
            eos_token_id=server.eos_token_ids,
            pad_token_id=server.pad_token_id,
        )
        assert answer == server._until_eos(alone[0, len(prompt) :].tolist())
