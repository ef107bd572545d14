"""A byte-level BPE tokenizer for the tiny model, trained on the demo task's own text.

Rules it follows:
- byte-level, so any text encodes (the vocabulary only decides how compactly);
- Qwen2's own normaliser (NFC) and pre-tokeniser split, in which every digit is a pre-token of
  its own, hence a token of its own, so place values line up for the model as on paper. It has
  to be Qwen2's: for a ``qwen2`` config, transformers' ``AutoTokenizer`` (and so verl) loads
  ``Qwen2Tokenizer``, which keeps only the vocabulary and merges of ``tokenizer.json`` and
  re-creates that split; training with any other split would tokenize differently once loaded;
- a ChatML chat template (the one Qwen2 models use): ``<|im_end|>`` closes every turn and is
  the EOS token; ``<|endoftext|>`` pads.

Training is deterministic: same texts and vocabulary size give byte-identical files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast
from transformers.models.qwen2.tokenization_qwen2 import PRETOKENIZE_REGEX

EOS_TOKEN = "<|im_end|>"
PAD_TOKEN = "<|endoftext|>"
TURN_START_TOKEN = "<|im_start|>"
SPECIAL_TOKENS = [PAD_TOKEN, TURN_START_TOKEN, EOS_TOKEN]

CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)

_SPECIAL_SPLIT = re.compile("|".join(re.escape(token) for token in SPECIAL_TOKENS))


def _pieces_between_special_tokens(texts: Iterable[str]) -> Iterable[str]:
    """BPE training sees raw text, not added tokens: learn merges only on the text between them."""
    for text in texts:
        for piece in _SPECIAL_SPLIT.split(text):
            if piece:
                yield piece


def train_tokenizer(texts: Iterable[str], vocab_size: int) -> PreTrainedTokenizerFast:
    """Train the BPE on ``texts`` (rendered chats, special tokens included) and wrap it for HF."""
    backend = Tokenizer(models.BPE())
    backend.normalizer = normalizers.NFC()
    backend.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(PRETOKENIZE_REGEX), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(_pieces_between_special_tokens(texts), trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        eos_token=EOS_TOKEN,
        pad_token=PAD_TOKEN,
        clean_up_tokenization_spaces=False,
        model_max_length=1024,
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer
