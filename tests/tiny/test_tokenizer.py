"""The tiny tokenizer as loaders see it: round trip, digits, chat template, EOS and padding."""

import json

import pytest

from prorl_verl.tiny import TinyModelSpec, generate_problems, prompt_messages, target_response
from prorl_verl.tiny.build import tokenizer_corpus
from prorl_verl.tiny.tokenizer import train_tokenizer


def test_special_tokens(tokenizer):
    assert tokenizer.eos_token == "<|im_end|>"
    assert tokenizer.pad_token == "<|endoftext|>"
    assert tokenizer.pad_token_id != tokenizer.eos_token_id
    assert tokenizer("<|im_end|>", add_special_tokens=False)["input_ids"] == [
        tokenizer.eos_token_id
    ]


@pytest.mark.parametrize(
    "text",
    [
        "17 22 -41 <answer>-41</answer>",
        "Tabs\tand\nnew lines,   spaces",
        "héllo wörld — ∑ 🙂",  # never seen in training: byte-level still encodes it
    ],
)
def test_round_trip(tokenizer, text):
    assert tokenizer.decode(tokenizer(text, add_special_tokens=False)["input_ids"]) == text


def test_digits_are_one_token_each(tokenizer):
    ids = tokenizer("9876543210 + 11 = 9876543221", add_special_tokens=False)["input_ids"]
    pieces = [tokenizer.decode([i]) for i in ids]
    digit_pieces = [piece for piece in pieces if any(ch.isdigit() for ch in piece)]
    assert "".join(digit_pieces) == "9876543210119876543221"
    assert all(len(piece) == 1 for piece in digit_pieces)


def test_generation_prompt_renders_chatml(tokenizer):
    messages = [{"role": "user", "content": "What is 2 + 2?"}]
    rendered = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert rendered == "<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n"
    closed = tokenizer.apply_chat_template(messages, add_generation_prompt=False, tokenize=False)
    assert closed == "<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n"


def test_assistant_turn_ends_with_eos(tokenizer):
    entry = generate_problems("easy", 1, seed=3)[0]
    messages = prompt_messages(entry) + [{"role": "assistant", "content": target_response(entry)}]
    ids = tokenizer.apply_chat_template(messages, tokenize=True)["input_ids"]
    response_ids = tokenizer(target_response(entry), add_special_tokens=False)["input_ids"]
    eos_at = len(ids) - 2  # "<|im_end|>" then "\n"
    assert ids[eos_at] == tokenizer.eos_token_id
    assert ids[eos_at - len(response_ids) : eos_at] == response_ids


def test_loaded_tokenizer_matches_the_trained_one(tokenizer):
    """transformers loads a qwen2 directory with Qwen2Tokenizer; it must split like training."""
    texts = tokenizer_corpus(TinyModelSpec())
    trained = train_tokenizer(texts, TinyModelSpec().tokenizer_vocab_size)
    for text in texts[::97]:
        assert tokenizer(text)["input_ids"] == trained(text)["input_ids"]


def test_generation_config_stops_at_eos(init_model_dir, tokenizer):
    generation = json.loads((init_model_dir / "generation_config.json").read_text())
    assert generation["eos_token_id"] == tokenizer.eos_token_id
    assert generation["pad_token_id"] == tokenizer.pad_token_id
