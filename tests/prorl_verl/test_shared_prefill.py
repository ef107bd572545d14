"""Each distinct prompt of a batch goes through the model once; the answers do not change."""

import pytest
import torch
from transformers import AutoModelForCausalLM

from prorl_verl.shared_prefill import generate_sharing_prompts, shared_prompt_cache
from prorl_verl.tiny.cache import ensure_tiny_model

PAD, NEW_TOKENS = 0, 8


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = ensure_tiny_model(tmp_path_factory.mktemp("models"), warmup=False, progress=False)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    return model.eval()


def left_padded(prompts: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(p) for p in prompts)
    ids = torch.full((len(prompts), width), PAD)
    mask = torch.zeros_like(ids)
    for row, prompt in enumerate(prompts):
        ids[row, width - len(prompt) :] = torch.tensor(prompt)
        mask[row, width - len(prompt) :] = 1
    return ids, mask


def greedy(model, ids, mask, generate=generate_sharing_prompts) -> list[list[int]]:
    out = generate(
        model,
        ids,
        mask,
        do_sample=False,
        max_new_tokens=NEW_TOKENS,
        pad_token_id=PAD,
        eos_token_id=[],
    )
    return out[:, ids.shape[1] :].tolist()


def record_forward_shapes(model, monkeypatch) -> list[tuple[int, int]]:
    """The (rows, columns) of every forward pass the model makes from now on."""
    shapes = []
    forward = model.forward
    monkeypatch.setattr(
        model,
        "forward",
        lambda *a, **k: shapes.append(tuple(k["input_ids"].shape)) or forward(*a, **k),
    )
    return shapes


PROMPTS = [[5, 17, 9, 23], [40, 41, 42, 43, 44, 45, 46, 47, 48], [11, 3]]


def test_the_prompt_pass_sees_each_distinct_prompt_once(model, monkeypatch):
    rows = [PROMPTS[i] for i in (0, 1, 0, 2, 1, 0)]
    ids, mask = left_padded(rows)
    shapes = record_forward_shapes(model, monkeypatch)
    greedy(model, ids, mask)
    assert shapes[0] == (3, 9 - 1)  # three distinct prompts, all but the last column
    assert {rows for rows, _ in shapes[1:]} == {6}  # then one new token at a time for all six
    assert {width for _, width in shapes[1:]} == {1}
    assert len(shapes) == 1 + NEW_TOKENS


def test_answers_equal_each_prompt_generated_alone(model):
    rows = [PROMPTS[i] for i in (2, 1, 0, 2, 1, 0, 0)]
    ids, mask = left_padded(rows)
    for prompt, answer in zip(rows, greedy(model, ids, mask), strict=True):
        alone = model.generate(
            input_ids=torch.tensor([prompt]),
            do_sample=False,
            max_new_tokens=NEW_TOKENS,
            pad_token_id=PAD,
            eos_token_id=[],
        )
        assert answer == alone[0, len(prompt) :].tolist()


def test_sampled_answers_follow_the_same_distribution(model):
    # the same seed draws the same samples with and without the shared prompt pass
    ids, mask = left_padded([PROMPTS[0]] * 4 + [PROMPTS[1]] * 4)
    sampled = []
    for generate in (
        generate_sharing_prompts,
        lambda m, i, a, **k: m.generate(input_ids=i, attention_mask=a, **k),
    ):
        torch.manual_seed(3)
        out = generate(
            model,
            ids,
            mask,
            do_sample=True,
            top_k=0,
            max_new_tokens=NEW_TOKENS,
            pad_token_id=PAD,
            eos_token_id=[],
        )
        sampled.append(out.tolist())
    assert sampled[0] == sampled[1]
    assert len({tuple(row) for row in sampled[0]}) > 1  # and they are samples, not one answer


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([PROMPTS[0], PROMPTS[1], PROMPTS[2]], id="no prompt repeats"),
        pytest.param([PROMPTS[0], PROMPTS[0], [7]], id="a one-token prompt"),
    ],
)
def test_nothing_to_share_goes_straight_to_generate(model, rows):
    assert shared_prompt_cache(model, *left_padded(rows)) is None


def test_copies_of_a_prompt_get_copies_of_its_keys_and_values(model):
    ids, mask = left_padded([PROMPTS[0], PROMPTS[0], PROMPTS[1]])
    cache = shared_prompt_cache(model, ids, mask)
    assert cache is not None and cache.layers[0].keys.shape[0] == 3
    assert torch.equal(cache.layers[0].keys[0], cache.layers[0].keys[1])
    assert not torch.equal(cache.layers[0].keys[0], cache.layers[0].keys[2])


def test_a_model_asking_for_a_static_cache_gets_plain_generate(model, monkeypatch):
    ids, mask = left_padded([PROMPTS[0]] * 3)
    monkeypatch.setattr(model.generation_config, "cache_implementation", "static")
    shapes = record_forward_shapes(model, monkeypatch)
    greedy(model, ids, mask)
    assert shapes[0] == (3, len(PROMPTS[0]))  # generate's own prompt pass, every row
